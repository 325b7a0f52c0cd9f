namespace Mca.Cli.Output;

/// <summary>The <c>mca sweep --json</c> document; keys in this order.</summary>
internal sealed record SweepJson(int Machines, long Days, ulong Seed, string Workload, string Key, IReadOnlyList<SweepJson.RowJson> Rows, double WallSeconds, ProvenanceJson Provenance)
{
    /// <summary>One value of the setting: its arm's digest and the chosen outcomes.</summary>
    internal sealed record RowJson(string Value, string Digest, OrderedDictionary<string, CellJson> Outcomes);

    /// <summary>An outcome's total, its rate per machine-year with the 95% quasi-Poisson interval, and (after the first value) the paired difference against the first.</summary>
    internal sealed record CellJson(long Total, double RatePerMachineYear, double Low, double High, DifferenceJson? AgainstFirst);

    /// <summary>The paired difference of the totals against the first value, its 95% paired t interval and the sign test's p.</summary>
    internal sealed record DifferenceJson(long Difference, double Low, double High, double SignTestP);
}
