namespace Mca.Workloads.Campaign;

/// <summary>
/// Progress of a campaign, reported in order from the consumer: <see cref="MachineEpochsDone"/> of
/// <see cref="MachineEpochs"/> (machines times epochs) are merged. A streaming run reports once per finished batch
/// (<see cref="MachinesDone"/> machines through every epoch); a lockstep run (recording) once per epoch of every batch.
/// </summary>
/// <see cref="SimulatedNs"/> is the simulated time every machine merged so far has reached (a lockstep run's epoch end).
public readonly record struct CampaignProgress(long MachineEpochsDone, long MachineEpochs, long MachinesDone, long SimulatedNs, long HandlerEvents, in CampaignCounts Counts)
{
    /// <summary>The share of the work done, 0 to 1.</summary>
    public double Fraction => MachineEpochs == 0 ? 1 : (double)MachineEpochsDone / MachineEpochs;
}
