namespace Mca.Workloads.Campaign;

/// <summary>
/// What one batch produced over the whole campaign: its machines' outcomes in machine order and its counts per
/// epoch. It is all the consumer needs (totals, digest, intervals, plot), all a shard file or a checkpoint journal
/// stores of a batch, and independent of the order in which batches ran.
/// </summary>
/// <param name="Batch">The batch's index in the run.</param>
/// <param name="FirstMachineId">The id of its first machine.</param>
/// <param name="Machines">One outcome per machine, in machine order.</param>
/// <param name="Epochs">The batch's counts in each epoch (<see cref="CampaignOptions.EpochCount"/> entries).</param>
/// <param name="Dimms">DIMMs of its machines (a workload fact; 0 without DIMMs).</param>
public sealed record BatchResult(int Batch, int FirstMachineId, MachineOutcome[] Machines, CampaignCounts[] Epochs, long Dimms);
