namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay verify --json</c> document; keys in this order (the header's from <c>kind</c> to <c>duration_ns</c>).</summary>
internal sealed record VerifyJson(
    string File,
    bool Identical,
    string Kind, string Engine, ulong Seed, string Policy, string Workload, int FirstMachine, int MachineCount, long DurationNs,
    long Frames,
    long Events,
    long Inputs,
    DivergenceJson? Divergence);
