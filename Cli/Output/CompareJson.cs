namespace Mca.Cli.Output;

/// <summary>The <c>mca compare --json</c> document; keys in this order.</summary>
internal sealed record CompareJson(
    int Machines,
    long Days,
    ulong Seed,
    string Workload,
    double MachineYears,
    IReadOnlyList<CompareJson.ArmJson> Arms,
    IReadOnlyList<CompareJson.ComparisonJson> Comparisons,
    double WallSeconds,
    ProvenanceJson Provenance)
{
    /// <summary>One arm: its setting, the policy and daemon it resolved to, its digest (a plain campaign's with these settings) and totals.</summary>
    internal sealed record ArmJson(string Arm, string Policy, string PageOffline, string Digest, OrderedDictionary<string, double> Totals);

    /// <summary>An arm against the baseline (the first arm), per outcome.</summary>
    internal sealed record ComparisonJson(string Baseline, string Arm, string Method, OrderedDictionary<string, ArmPairJson> Outcomes);

    /// <summary>The totals, their difference with its paired 95 % interval, the machines that went each way and the sign test's p.</summary>
    internal sealed record ArmPairJson(double Baseline, double Arm, double Difference, double Low, double High, long MachinesMore, long MachinesFewer, double SignTestP);
}
