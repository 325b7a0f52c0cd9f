namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay run --json</c> document; keys in this order; <c>changes</c> lists every changed machine.</summary>
internal sealed record RerunJson(
    string File,
    string RecordedPolicy,
    string Policy,
    int FirstMachine,
    int Machines,
    OrderedDictionary<string, RerunJson.TotalJson> Totals,
    OrderedDictionary<string, RerunJson.PairedJson> Paired,
    int MachinesChanged,
    IReadOnlyList<MachineRowJson> Changes,
    DivergenceJson? FirstDivergence)
{
    /// <summary>A campaign count as recorded and as replayed.</summary>
    internal sealed record TotalJson(long Recorded, long Replayed);

    /// <summary>Machines with more and with fewer of an outcome than recorded, and the sign test's two-sided p.</summary>
    internal sealed record PairedJson(int More, int Fewer, double P);
}
