using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>What one mce-test soft-inj case expects of a kernel (or what our kernel model does).</summary>
internal sealed record SoftInjExpect
{
    /// <summary>The first panic, which is the one printed ("Fake kernel panic: ..."); null = no panic at all.</summary>
    public string? Panic { get; init; }
    /// <summary>The printed "Machine check: &lt;reason&gt;" line; null = no such line.</summary>
    public string? Reason { get; init; }
    /// <summary>A panic that must also have been raised after the first (not printed under fake_panic).</summary>
    public string? LaterPanic { get; init; }
    public string? LaterReason { get; init; }
    /// <summary>The timeout is visible in the kernel log (mce.sh verify_timeout_via_klog).</summary>
    public bool Timeout { get; init; }
    /// <summary>The expected /dev/mcelog records in mce-inject language; null = the injected data itself, "" = none.</summary>
    public string? Log { get; init; }
    /// <summary>The case's "removes" includes RIP: cs:ip is not compared.</summary>
    public bool RemoveRip { get; init; }
    /// <summary>Whether a SIGBUS is sent; null = not checked.</summary>
    public bool? Killed { get; init; }
    /// <summary>memory_failure pfns in order; null = not checked.</summary>
    public ulong[]? MemoryFailurePfns { get; init; }
    /// <summary>Why this expectation departs from the suite's, if it does.</summary>
    public string? Note { get; init; }
}

/// <summary>
/// One soft-inj case: its directory and name in mce-test, where the re-typed data came from, the
/// SER setting of the config it runs under, the kernel era it was written for, and the expected
/// outcome for that era and for the modern kernel.
/// </summary>
internal sealed record SoftInjCase(
    string Dir,
    string Name,
    bool Ser,
    string Origin,
    string Data,
    LinuxTableEra SuiteEra,
    SoftInjExpect AtSuiteEra,
    SoftInjExpect AtModern)
{
    public string Key => $"{Dir}/{Name} ({(Ser ? "ser" : "noser")})";
}
