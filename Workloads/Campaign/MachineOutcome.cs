namespace Mca.Workloads.Campaign;

/// <summary>
/// What happened to one machine over the campaign: the per-machine facts the digest hashes, and an
/// order-sensitive hash of every handler event of the machine (so any divergence changes it).
/// </summary>
public struct MachineOutcome
{
    public int Resets;
    public int MceEvents;
    public int UncorrectedArrivals;
    public int VmceInjected;
    public int DomainsCrashed;
    public int LogsDelivered;
    public int LogsLost;
    public long CorrectedErrors;
    public ulong EventHash;
}
