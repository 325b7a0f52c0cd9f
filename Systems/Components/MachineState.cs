namespace Mca.Systems.Components;

/// <summary>Whether a machine is running, rebooting or hung.</summary>
public enum MachinePhase : byte
{
    Up,
    Down,
    /// <summary>
    /// The #MC handler waits at a rendezvous for CPUs that never enter, so nothing runs on the machine again
    /// (no log, no reset): the handler event MceHung.
    /// </summary>
    Hung,
}

/// <summary>
/// The machine entity's state: clock, reboot, poll timer, dom0 fetch timer, and the scratch of the
/// #MC being handled now.
/// </summary>
public struct MachineState
{
    /// <summary>Fleet-wide machine id: the key of every random stream of this machine.</summary>
    public int MachineId;
    public long NowNs;
    public MachinePhase Phase;
    public long UpAtNs;

    /// <summary>Time of the next poll-timer round (long.MaxValue when down).</summary>
    public long NextPollNs;
    /// <summary>The adaptive poll period after the last round (Xen intel-nonfatal.c: 8 s start, 2..16 s).</summary>
    public long PollPeriodNs;
    /// <summary>Error-finding polls while dom0 did not listen (Xen intel-nonfatal.c mce_checkregs: dumps start at the 10th).</summary>
    public int PollDumpCount;
    /// <summary>The RFC's post-reset poll over every bank is still due (PostResetLogging.FirstPoll).</summary>
    public bool PostResetPollDue;

    /// <summary>When dom0's VIRQ_MCA handler runs its fetch loop (long.MaxValue if not scheduled).</summary>
    public long Dom0FetchAtNs;

    /// <summary>Counts handler invocations: the counter of per-event random draws.</summary>
    public long EventSeq;

    // Scratch of the current #MC (valid between the rendezvous and the end of the pipeline).
    public bool McePending;
    public bool MceLmce;
    public short MceTargetCpu;
    public short SeverityCpu;
    /// <summary>The #MC reached its target CPU alone, though the host broadcasts: an injected #MC the hypervisor raised there only.</summary>
    public bool MceTargetOnly;
    public int WorstSeverity;
    public bool ResetPending;
    public byte ResetReason;
    public bool VirqPending;
    /// <summary>Records in dom0's mcelog buffer since its last read (see <see cref="Model.HandlerPolicy.Dom0ReadPeriodNs"/>).</summary>
    public int Dom0BufferCount;
    /// <summary>The read period (instant / period) <see cref="Dom0BufferCount"/> counts in.</summary>
    public long Dom0BufferPeriod;
    /// <summary>The guest context the #MC's consuming error interrupted.</summary>
    public byte MceContext;
}
