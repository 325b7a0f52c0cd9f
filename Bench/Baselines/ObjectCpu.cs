namespace Mca.Bench.Baselines;

/// <summary>One physical CPU as an object: topology, MCG registers, the banks it sees, and its per-#MC flags.</summary>
internal sealed class ObjectCpu
{
    public ObjectCpu(int index, int socket, int core, int thread, int apicId, List<ObjectBank> banks)
    {
        Index = index;
        Socket = socket;
        Core = core;
        Thread = thread;
        ApicId = apicId;
        Banks = banks;
    }

    public int Index { get; }
    public int Socket { get; }
    public int Core { get; }
    public int Thread { get; }
    public int ApicId { get; }
    /// <summary>The bank objects this CPU sees, by bank index (shared banks are shared objects).</summary>
    public List<ObjectBank> Banks { get; }
    public bool Online { get; set; } = true;
    public ulong McgStatus { get; set; }
    public ulong InterposedMcgStatus { get; set; }
    public bool McgInterposed { get; set; }
    public int RunningDomain { get; set; } = -1;
    public int RunningVcpu { get; set; } = -1;
    public ulong CmciOwnedMask { get; set; }
    public ulong PollMask { get; set; }
    public bool CmciPending { get; set; }

    // The current #MC.
    public bool FoundError { get; set; }
    public bool Fatal { get; set; }
    /// <summary>Telemetry deferred on this CPU (null if none).</summary>
    public TelemetryRecord? Pending { get; set; }
    /// <summary>The #MC logout had telemetry and committed it at once (corrected only).</summary>
    public bool CommittedAtLogout { get; set; }
    public int Severity { get; set; }
    public int ArrivalRank { get; set; }
    public bool InMce { get; set; }

    public bool HasTelemetry => Pending is not null || CommittedAtLogout;

    public ulong ReadMcgStatus() => McgInterposed ? InterposedMcgStatus : McgStatus;
}
