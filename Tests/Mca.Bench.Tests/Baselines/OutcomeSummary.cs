using System.Globalization;
using System.Text;
using Mca.Systems.Events;
using Mca.Systems.Xen;

namespace Mca.Bench.Tests.Baselines;

/// <summary>
/// What happened to one machine, as an analyst would compare two runs: resets (with reason), #MC events,
/// every vMCE (domain, vCPU, bank, status, address, guest MCG_STATUS), guest outcomes, domains crashed (with
/// reason), pages offlined (frame, outcome), logs delivered (bank, status, owner) and lost (by cause), the
/// CMCI and poll counts, and the first panic message. Two equal summaries print the same text.
/// </summary>
internal sealed record OutcomeSummary(
    string Resets,
    int MceEvents,
    int CmciEvents,
    int PollFinds,
    string Vmces,
    string GuestOutcomes,
    string DomainsCrashed,
    string PagesOfflined,
    string LogsDelivered,
    string LogsLost,
    string? Panic)
{
    public static OutcomeSummary Of(IEnumerable<HandlerEvent> events, string? panic)
    {
        var resets = new StringBuilder();
        var vmces = new StringBuilder();
        var guests = new StringBuilder();
        var crashes = new StringBuilder();
        var pages = new StringBuilder();
        var delivered = new StringBuilder();
        var lost = new SortedDictionary<LossCause, int>();
        int mce = 0, cmci = 0, polls = 0;
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case HandlerEventKind.Reset:
                    resets.Append(Inv($"{(ResetReason)e.Arg}@{e.TimeNs} "));
                    break;
                case HandlerEventKind.MceEntered:
                    mce++;
                    break;
                case HandlerEventKind.CmciRaised:
                    cmci++;
                    break;
                case HandlerEventKind.PollFound:
                    polls++;
                    break;
                case HandlerEventKind.VmceInjected:
                    vmces.Append(Inv($"d{e.Domain}v{e.Vcpu} bank {e.Bank} {e.Status:x} {e.Addr:x} mcg {e.Arg:x}{(e.Arg2 != 0 ? "" : " (secondary)")}; "));
                    break;
                case HandlerEventKind.GuestOutcome:
                    guests.Append(Inv($"d{e.Domain} {(GuestOutcomeKind)e.Arg}; "));
                    break;
                case HandlerEventKind.DomainCrashed:
                    crashes.Append(Inv($"d{e.Domain} {(CrashReason)e.Arg}; "));
                    break;
                case HandlerEventKind.PageOffline:
                    pages.Append(Inv($"{e.Addr:x} {(PageOfflineOutcome)e.Arg}; "));
                    break;
                case HandlerEventKind.Dom0Logged:
                    delivered.Append(Inv($"bank {e.Bank} {e.Status:x} d{e.Domain}; "));
                    break;
                case HandlerEventKind.LogLost:
                    lost[(LossCause)e.Arg] = lost.GetValueOrDefault((LossCause)e.Arg) + 1;
                    break;
                default:
                    break;
            }
        }

        return new OutcomeSummary(
            resets.ToString(), mce, cmci, polls, vmces.ToString(), guests.ToString(), crashes.ToString(), pages.ToString(),
            delivered.ToString(), string.Join(", ", lost.Select(kv => Inv($"{kv.Key} {kv.Value}"))), panic);
    }

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
