using Mca.Systems.Events;

namespace Mca.Systems.Scenario;

/// <summary>A vMCE as the guest saw it: its vCPU's MCG_STATUS and the bank it reads.</summary>
public sealed record VmceReport(int Domain, int Vcpu, ulong McgStatus, int Bank, ulong Status, ulong Addr, ulong Misc);

/// <summary>What became of one domain.</summary>
public sealed record GuestReport(int Domain, GuestOutcomeKind Outcome, string Message);

/// <summary>The result of running one scenario on one machine: everything the CLI prints.</summary>
public sealed record ScenarioReport(
    IReadOnlyList<string> Console,
    IReadOnlyList<string> Dom0Mcelog,
    IReadOnlyList<VmceReport> Vmce,
    IReadOnlyList<GuestReport> Guests,
    bool Reset,
    string? Panic,
    IReadOnlyList<HandlerEvent> Events)
{
    /// <summary>What printed <see cref="Console"/>: the hypervisor, or a bare-metal kernel.</summary>
    public string ConsoleTitle { get; init; } = "Xen console";

    /// <summary>Who logged <see cref="Dom0Mcelog"/>.</summary>
    public string McelogTitle { get; init; } = "dom0 mcelog";

    /// <summary>The #MC handler never finished (<see cref="HandlerEventKind.MceHung"/>): nothing ran on the machine after it.</summary>
    public bool Hung { get; init; }

    /// <summary>The outcome names of the JSON contract: recovered | process-killed | panic | crashed | unaffected.</summary>
    public static string OutcomeName(GuestOutcomeKind outcome) => outcome switch
    {
        GuestOutcomeKind.Recovered => "recovered",
        GuestOutcomeKind.ProcessKilled => "process-killed",
        GuestOutcomeKind.Panic => "panic",
        GuestOutcomeKind.Crashed => "crashed",
        _ => "unaffected",
    };
}
