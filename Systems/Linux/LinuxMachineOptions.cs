namespace Mca.Systems.Linux;

/// <summary>The bare-metal Linux machine the <c>--handler linux</c> run models.</summary>
public sealed record LinuxMachineOptions
{
    /// <summary>Largest CPU count accepted (mce-inject's MAX_CPU_NUM).</summary>
    public const int CpuCountMax = 1024;
    /// <summary>Largest bank count accepted (the kernel's MAX_NR_BANKS).</summary>
    public const int BankCountMax = 64;
    /// <summary>monarch_timeout on the Intel model: 1 s (Linux core.c mce_start/mce_end).</summary>
    public const long DefaultMonarchTimeoutNs = 1_000_000_000;

    /// <summary>Online CPUs, numbered 0..CpuCount-1. Every bank is per CPU (no shared banks).</summary>
    public int CpuCount { get; init; } = 4;
    public int BankCount { get; init; } = 10;
    /// <summary>MCG_CAP.SER_P, i.e. mca_cfg.ser.</summary>
    public bool Ser { get; init; } = true;
    internal LinuxTableEra Era { get; init; } = LinuxTableEra.Modern;
    /// <summary>0 means no rendezvous: every CPU decides for itself (Linux core.c mce_start/mce_end).</summary>
    public long MonarchTimeoutNs { get; init; } = DefaultMonarchTimeoutNs;
    /// <summary>
    /// debugfs mce/fake_panic = 1: a panic prints "Fake kernel panic: &lt;msg&gt;" (the first one only)
    /// and the run continues. When false the first panic halts the machine and the run.
    /// </summary>
    public bool FakePanic { get; init; } = true;
    /// <summary>
    /// After an injection that did not panic, run machine_check_poll on every CPU, as the poll timer
    /// would, so banks the #MC handler left (KEEP, UCNA) reach the log.
    /// </summary>
    public bool PollAfterInjection { get; init; } = true;
    /// <summary>Kernel ips with an FAULT_MCE_SAFE/DEFAULT_MCE_SAFE exception-table fixup (IN_KERNEL_RECOV).</summary>
    public IReadOnlyList<ulong> McSafeFixupIps { get; init; } = [];
    /// <summary>Kernel ips with a UACCESS fixup inside a copy from user (IN_KERNEL_RECOV plus COPYIN).</summary>
    public IReadOnlyList<ulong> CopyFromUserFixupIps { get; init; } = [];

    /// <summary>Throws <see cref="ArgumentException"/> naming the first bad value.</summary>
    public void Validate()
    {
        if (CpuCount < 1 || CpuCount > CpuCountMax)
        {
            throw new ArgumentException($"CpuCount {CpuCount} is out of range (expected 1..{CpuCountMax})", nameof(CpuCount));
        }

        if (BankCount < 1 || BankCount > BankCountMax)
        {
            throw new ArgumentException($"BankCount {BankCount} is out of range (expected 1..{BankCountMax})", nameof(BankCount));
        }

        if (!Enum.IsDefined(Era))
        {
            throw new ArgumentException($"Era {(int)Era} is not a LinuxTableEra (expected Modern, V3 or V2632)", nameof(Era));
        }

        if (MonarchTimeoutNs < 0)
        {
            throw new ArgumentException($"MonarchTimeoutNs {MonarchTimeoutNs} is negative (expected 0 for no rendezvous, or a timeout)", nameof(MonarchTimeoutNs));
        }

        ArgumentNullException.ThrowIfNull(McSafeFixupIps);
        ArgumentNullException.ThrowIfNull(CopyFromUserFixupIps);
    }
}
