using Mca.Workloads.Statistics;

namespace Mca.Workloads.Campaign;

/// <summary>The totals of a finished campaign.</summary>
public sealed record CampaignResult
{
    public required int Machines { get; init; }
    public required long DurationNs { get; init; }
    public required CampaignCounts Counts { get; init; }
    public required int MachinesReset { get; init; }
    public required int MachinesWithUncorrected { get; init; }
    public required int MachinesWithVmce { get; init; }
    /// <summary>Hex XxHash128 over every machine's outcome, in machine order.</summary>
    public required string Digest { get; init; }
    public required long Dimms { get; init; }
    public required long DimmsWithCe { get; init; }
    /// <summary>Mergeable per-machine sums of each outcome, indexed by <see cref="CampaignOutcome"/> (docs/statistics.md).</summary>
    public required CountSums[] Outcomes { get; init; }
    /// <summary>The fleet's counts in each epoch (not cumulative), for the plot over simulated time.</summary>
    public required CampaignCounts[] EpochCounts { get; init; }
    /// <summary>Simulated time per epoch; epoch <c>e</c> ends at <c>min((e + 1) * EpochNs, DurationNs)</c>.</summary>
    public required long EpochNs { get; init; }
    /// <summary>With importance sampling (<see cref="CampaignOptions.Bias"/>): the weighted estimates; null otherwise.</summary>
    public ImportanceEstimates? Weighted { get; init; }

    /// <summary>The sums of one outcome.</summary>
    public CountSums Sums(CampaignOutcome outcome) => Outcomes[(int)outcome];

    public double MachineYears => Machines * (DurationNs / (365.0 * 86_400e9));
}
