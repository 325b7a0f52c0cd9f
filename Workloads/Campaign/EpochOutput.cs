using Mca.Systems.Events;

namespace Mca.Workloads.Campaign;

/// <summary>What one batch produced in one epoch, handed to the ordered consumer.</summary>
public sealed record EpochOutput(int Epoch, int Batch, int FirstMachineId, CampaignCounts Counts, HandlerEvent[]? Events);
