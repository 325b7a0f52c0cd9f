using Mca.Systems.Events;
using Mca.Systems.Xen;

namespace Mca.Workloads.Campaign;

/// <summary>
/// Exact integer tallies of a campaign (or of one epoch of one batch): mergeable by addition, so
/// totals do not depend on how machines were split or in which order pieces finished.
/// </summary>
public struct CampaignCounts
{
    public long ErrorArrivals;
    public long Corrected;
    public long Ucna;
    public long Srao;
    public long Srar;
    public long Fatal;
    public long MceEvents;
    public long CmciEvents;
    public long PollFinds;
    public long Resets;
    public long VmceInjected;
    public long VmceDeliveredToVcpus;
    public long GuestRecovered;
    public long GuestProcessKilled;
    public long GuestPanic;
    public long DomainsCrashed;
    public long PagesOfflined;
    public long LogsDelivered;
    public long LostPoolExhausted;
    public long LostResetBeforeFetch;
    public long LostVirqNotBound;
    public long LostInterposed;
    public long LostOverwritten;
    /// <summary>Records dom0's full mcelog buffer dropped (XEN_MCE_OVERFLOW).</summary>
    public long LostDom0Buffer;
    public long DowntimeNs;
    public long HandlerEvents;
    /// <summary>Page crossings dom0's daemon only reported (action <c>account</c>).</summary>
    public long DaemonAccounted;
    /// <summary>Free frames the daemon had Xen offline at once.</summary>
    public long DaemonOfflined;
    /// <summary>Frames left offline-pending (a domain's or Xen heap's) by the daemon's request.</summary>
    public long DaemonPending;
    /// <summary>Daemon requests Xen refused (a Xen-fixed frame).</summary>
    public long DaemonFailed;
    /// <summary>mcelog per-DIMM bucket crossings (CE and UC triggers).</summary>
    public long DimmTriggers;
    /// <summary>mcelog per-socket bucket crossings.</summary>
    public long SocketTriggers;
    /// <summary>Uncorrected memory errors on frames out of service (found by the scrubber, never consumed).</summary>
    public long UesOnRetiredPages;
    /// <summary>Frames out of service at the campaign's end, summed over machines (a reboot brings them back unless dom0 re-offlines).</summary>
    public long PagesRetiredAtEnd;

    public readonly long LogsLost => LostPoolExhausted + LostResetBeforeFetch + LostVirqNotBound + LostInterposed + LostOverwritten + LostDom0Buffer;

    /// <summary>Memory given up at the campaign's end: 4 KiB per frame out of service.</summary>
    public readonly long MemoryRetiredBytes => PagesRetiredAtEnd * 4096;

    public readonly long Uncorrected => Ucna + Srao + Srar + Fatal;

    public void Add(in CampaignCounts o)
    {
        ErrorArrivals += o.ErrorArrivals;
        Corrected += o.Corrected;
        Ucna += o.Ucna;
        Srao += o.Srao;
        Srar += o.Srar;
        Fatal += o.Fatal;
        MceEvents += o.MceEvents;
        CmciEvents += o.CmciEvents;
        PollFinds += o.PollFinds;
        Resets += o.Resets;
        VmceInjected += o.VmceInjected;
        VmceDeliveredToVcpus += o.VmceDeliveredToVcpus;
        GuestRecovered += o.GuestRecovered;
        GuestProcessKilled += o.GuestProcessKilled;
        GuestPanic += o.GuestPanic;
        DomainsCrashed += o.DomainsCrashed;
        PagesOfflined += o.PagesOfflined;
        LogsDelivered += o.LogsDelivered;
        LostPoolExhausted += o.LostPoolExhausted;
        LostResetBeforeFetch += o.LostResetBeforeFetch;
        LostVirqNotBound += o.LostVirqNotBound;
        LostInterposed += o.LostInterposed;
        LostOverwritten += o.LostOverwritten;
        LostDom0Buffer += o.LostDom0Buffer;
        DowntimeNs += o.DowntimeNs;
        HandlerEvents += o.HandlerEvents;
        DaemonAccounted += o.DaemonAccounted;
        DaemonOfflined += o.DaemonOfflined;
        DaemonPending += o.DaemonPending;
        DaemonFailed += o.DaemonFailed;
        DimmTriggers += o.DimmTriggers;
        SocketTriggers += o.SocketTriggers;
        UesOnRetiredPages += o.UesOnRetiredPages;
        PagesRetiredAtEnd += o.PagesRetiredAtEnd;
    }

    /// <summary>Counts one handler event. <paramref name="horizonNs"/> caps the downtime of a late reset.</summary>
    public void Tally(in HandlerEvent e, bool ser, long rebootDowntimeNs, long horizonNs)
    {
        HandlerEvents++;
        switch (e.Kind)
        {
            case HandlerEventKind.CorrectedRun:
                // Counted as the events it stands for: its CE arrivals, CMCIs, finds and dom0 records.
                HandlerEvents += e.RunEvents - 1;
                ErrorArrivals += e.Arg;
                Corrected += e.Arg;
                CmciEvents += e.RunCmcis;
                PollFinds += e.RunFinds;
                LogsDelivered += e.RunLogged;
                LostDom0Buffer += e.RunLost;
                break;
            case HandlerEventKind.ErrorArrived:
                ErrorArrivals++;
                switch (IntelMca.CheckMceType(e.Status, ser))
                {
                    case XenMceType.Corrected:
                        Corrected += e.ErrorCount;
                        break;
                    case XenMceType.Ucna:
                        Ucna++;
                        break;
                    case XenMceType.Srao:
                        Srao++;
                        break;
                    case XenMceType.Srar:
                        Srar++;
                        break;
                    case XenMceType.Fatal:
                        Fatal++;
                        break;
                    default:
                        break;
                }

                break;
            case HandlerEventKind.MceEntered:
                MceEvents++;
                break;
            case HandlerEventKind.CmciRaised:
                CmciEvents++;
                break;
            case HandlerEventKind.PollFound:
                PollFinds++;
                break;
            case HandlerEventKind.Reset:
                Resets++;
                DowntimeNs += Math.Min(rebootDowntimeNs, Math.Max(0, horizonNs - e.TimeNs));
                break;
            case HandlerEventKind.VmceInjected:
                VmceDeliveredToVcpus++;
                if (e.IsTargetVcpu)
                {
                    VmceInjected++;
                }

                break;
            case HandlerEventKind.GuestOutcome:
                switch (e.GuestOutcome)
                {
                    case GuestOutcomeKind.Recovered:
                        GuestRecovered++;
                        break;
                    case GuestOutcomeKind.ProcessKilled:
                        GuestProcessKilled++;
                        break;
                    case GuestOutcomeKind.Panic:
                        GuestPanic++;
                        break;
                    default:
                        break;
                }

                break;
            case HandlerEventKind.DomainCrashed:
                DomainsCrashed++;
                break;
            case HandlerEventKind.PageOffline:
                PagesOfflined++;
                break;
            case HandlerEventKind.Dom0Logged:
                LogsDelivered++;
                break;
            case HandlerEventKind.DaemonPageAction:
                switch ((Systems.Engine.DaemonPageOutcome)e.Arg)
                {
                    case Systems.Engine.DaemonPageOutcome.Offlined:
                        DaemonOfflined++;
                        break;
                    case Systems.Engine.DaemonPageOutcome.Pending:
                        DaemonPending++;
                        break;
                    case Systems.Engine.DaemonPageOutcome.Failed:
                        DaemonFailed++;
                        break;
                    default:
                        DaemonAccounted++;
                        break;
                }

                break;
            case HandlerEventKind.LogLost:
                switch (e.LossCause)
                {
                    case LossCause.PoolExhausted:
                        LostPoolExhausted++;
                        break;
                    case LossCause.ResetBeforeFetch:
                        LostResetBeforeFetch++;
                        break;
                    case LossCause.VirqNotBound:
                        LostVirqNotBound++;
                        break;
                    case LossCause.InterposedLostOnReset:
                        LostInterposed++;
                        break;
                    case LossCause.Dom0Buffer:
                        LostDom0Buffer++;
                        break;
                    default:
                        LostOverwritten++;
                        break;
                }

                break;
            default:
                break;
        }
    }
}
