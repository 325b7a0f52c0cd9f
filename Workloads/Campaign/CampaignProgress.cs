namespace Mca.Workloads.Campaign;

/// <summary>Progress after an epoch completed on every batch (reported in order, from the consumer).</summary>
public readonly record struct CampaignProgress(int EpochsDone, int EpochCount, long SimulatedNs, long HandlerEvents, in CampaignCounts Counts);
