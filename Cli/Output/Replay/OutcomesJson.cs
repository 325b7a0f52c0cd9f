namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay show --with</c> document; keys in this order (the header's from <c>kind</c> to <c>duration_ns</c>).</summary>
internal sealed record OutcomesJson(
    string File,
    string Kind, string Engine, ulong Seed, string Policy, string Workload, int FirstMachine, int MachineCount, long DurationNs,
    string With,
    long FromNs,
    long ToNs,
    int Count,
    IReadOnlyList<MachineRowJson> Machines);
