using Mca.Systems.Xen;

namespace Mca.Systems.Events;

/// <summary>
/// One handling decision, as plain data: the unit that campaigns count, replays record and the
/// scenario runner prints. Fields that a kind does not use are zero (or -1 for ids). <see cref="Arg"/> and
/// <see cref="Arg2"/> are stored as they go on the wire; read them through the typed view of the event's kind
/// (<see cref="ArrivalSignal"/>, <see cref="ResetReason"/>, ...), each of which names the kind it is meaningful for.
/// </summary>
public readonly record struct HandlerEvent
{
    public long TimeNs { get; init; }
    public int Machine { get; init; }
    public HandlerEventKind Kind { get; init; }
    public short Cpu { get; init; }
    public short Bank { get; init; }
    public short Domain { get; init; }
    public short Vcpu { get; init; }
    public ulong Status { get; init; }
    public ulong Addr { get; init; }
    public ulong Misc { get; init; }
    /// <summary>The kind's first argument, raw (see the typed views below and <see cref="HandlerEventKind"/>).</summary>
    public long Arg { get; init; }
    /// <summary>The kind's second argument, raw (see the typed views below and <see cref="HandlerEventKind"/>).</summary>
    public long Arg2 { get; init; }

    /// <summary><see cref="HandlerEventKind.ErrorArrived"/>: how the error was signalled.</summary>
    public Signal ArrivalSignal => (Signal)Arg;
    /// <summary><see cref="HandlerEventKind.ErrorArrived"/>: the corrected errors the arrival stands for (a folded arrival more than one).</summary>
    public long ErrorCount => Math.Max(1, Arg2);
    /// <summary><see cref="HandlerEventKind.MceEntered"/>: the #MC was local (LMCE) rather than broadcast.</summary>
    public bool IsLmce => Arg != 0;
    /// <summary><see cref="HandlerEventKind.Graded"/>: Xen's grading of the bank.</summary>
    public XenMceType MceType => (XenMceType)Arg;
    /// <summary><see cref="HandlerEventKind.McerResult"/>: the worst handler result.</summary>
    public McerResult HandlerResult => (McerResult)Arg;
    /// <summary><see cref="HandlerEventKind.Reset"/>: why the machine reset.</summary>
    public ResetReason ResetReason => (ResetReason)Arg;
    /// <summary><see cref="HandlerEventKind.PageOffline"/>: what offlining the page did.</summary>
    public PageOfflineOutcome OfflineOutcome => (PageOfflineOutcome)Arg;
    /// <summary><see cref="HandlerEventKind.VmceInjected"/>: the guest MCG_STATUS delivered.</summary>
    public ulong GuestMcgStatus => (ulong)Arg;
    /// <summary><see cref="HandlerEventKind.VmceInjected"/>: the vCPU is the one the vMCE was aimed at (not one a broadcast also made pending).</summary>
    public bool IsTargetVcpu => Arg2 != 0;
    /// <summary><see cref="HandlerEventKind.GuestOutcome"/>: how the guest fared.</summary>
    public GuestOutcomeKind GuestOutcome => (GuestOutcomeKind)Arg;
    /// <summary><see cref="HandlerEventKind.DomainCrashed"/>: why Xen crashed the domain.</summary>
    public CrashReason CrashReason => (CrashReason)Arg;
    /// <summary><see cref="HandlerEventKind.TelemetryCommitted"/>: committed as urgent (else non-urgent).</summary>
    public bool IsUrgent => Arg == 0;
    /// <summary><see cref="HandlerEventKind.LogLost"/>: why the record never reached dom0.</summary>
    public LossCause LossCause => (LossCause)Arg;
    /// <summary><see cref="HandlerEventKind.CorrectedFolded"/>: how many corrected errors were folded.</summary>
    public long FoldedCount => Arg;
    /// <summary><see cref="HandlerEventKind.CorrectedRun"/>: the CMCIs it stands for.</summary>
    public long RunCmcis => Arg2;
    /// <summary><see cref="HandlerEventKind.CorrectedRun"/>: the CE records logouts found.</summary>
    public long RunFinds => (long)Status;
    /// <summary><see cref="HandlerEventKind.CorrectedRun"/>: the records dom0 logged.</summary>
    public long RunLogged => (long)Addr;
    /// <summary><see cref="HandlerEventKind.CorrectedRun"/>: the handler events it stands for.</summary>
    public long RunEvents => (long)(Misc & 0xFFFF_FFFF);
    /// <summary><see cref="HandlerEventKind.CorrectedRun"/>: the CE records dom0's full buffer dropped.</summary>
    public long RunLost => (long)(Misc >> 32);
}
