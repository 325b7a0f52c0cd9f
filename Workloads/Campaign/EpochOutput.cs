using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Workloads.Campaign;

/// <summary>What one batch produced in one epoch, handed to the ordered consumer.</summary>
/// <remarks>
/// With recording on, <see cref="Inputs"/> are the errors taken this epoch, <see cref="Events"/> every
/// handling decision, and <see cref="StateHashes"/> the end-of-epoch state hash of each machine that
/// had events (in machine order); all three are null otherwise. With an <see cref="CampaignOptions.Encoder"/>,
/// the worker encodes them into <see cref="Record"/> instead and leaves the three null; when nothing happened,
/// <see cref="Record"/> is null and the three are empty. Without recording, an epoch in which a
/// batch had no events yields that batch's one shared empty output, whose <see cref="Epoch"/> is the first
/// such epoch: the ordered consumer is told the epoch separately.
/// </remarks>
public sealed record EpochOutput(int Epoch, int Batch, int FirstMachineId, CampaignCounts Counts, HandlerEvent[]? Events, RecordedInput[]? Inputs = null, MachineStateHash[]? StateHashes = null, EpochRecord? Record = null);
