namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay show</c> document (the campaign's totals); keys in this order (the header's from <c>kind</c> to <c>duration_ns</c>).</summary>
internal sealed record TotalsJson(
    string File,
    string Kind, string Engine, ulong Seed, string Policy, string Workload, int FirstMachine, int MachineCount, long DurationNs,
    long FromNs,
    long ToNs,
    long Frames,
    long Bytes,
    long Events,
    long Inputs,
    double BytesPerEvent,
    int MachinesWithData,
    string Digest,
    int MachinesReset,
    int MachinesWithUncorrected,
    int MachinesWithVmce,
    OrderedDictionary<string, long> Counts);
