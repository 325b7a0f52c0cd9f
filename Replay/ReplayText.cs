using System.Globalization;
using System.Text;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Xen;

namespace Mca.Replay;

/// <summary>One-line descriptions of replay items: divergence messages and <c>mca replay show</c> use them.</summary>
public static class ReplayText
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Simulated time as <c>DAYd HH:MM:SS.NNNNNNNNN</c>.</summary>
    public static string Time(long ns)
    {
        if (ns < 0)
        {
            return string.Create(Inv, $"{ns} ns");
        }

        const long Second = 1_000_000_000L;
        long s = ns / Second;
        return string.Create(Inv, $"{s / 86_400}d {s / 3600 % 24:D2}:{s / 60 % 60:D2}:{s % 60:D2}.{ns % Second:D9}");
    }

    /// <summary>An event: its kind and every field the kind uses (non-default ones), enums by name.</summary>
    public static string Event(in HandlerEvent e)
    {
        if (e.Kind == HandlerEventKind.CorrectedRun)
        {
            // Counts, not registers: what the run stands for.
            string lost = e.RunLost > 0 ? string.Create(Inv, $" dropped={e.RunLost}") : "";
            return string.Create(Inv, $"CorrectedRun ces={e.Arg} cmcis={e.RunCmcis} finds={e.RunFinds} logged={e.RunLogged}{lost} events={e.RunEvents}");
        }

        var sb = new StringBuilder(96);
        sb.Append(Enum.IsDefined(e.Kind) ? e.Kind.ToString() : string.Create(Inv, $"kind{(byte)e.Kind}"));
        if (e.Cpu >= 0)
        {
            sb.Append(Inv, $" cpu={e.Cpu}");
        }

        if (e.Bank >= 0)
        {
            sb.Append(Inv, $" bank={e.Bank}");
        }

        if (e.Domain >= 0)
        {
            sb.Append(Inv, $" dom={e.Domain}");
        }

        if (e.Vcpu >= 0)
        {
            sb.Append(Inv, $" vcpu={e.Vcpu}");
        }

        if (e.Status != 0)
        {
            sb.Append(Inv, $" status=0x{e.Status:x16}");
        }

        if (e.Addr != 0)
        {
            sb.Append(e.Kind == HandlerEventKind.PageOffline ? " mfn=0x" : " addr=0x").Append(e.Addr.ToString("x", Inv));
        }

        if (e.Misc != 0)
        {
            sb.Append(Inv, $" misc=0x{e.Misc:x}");
        }

        string? arg = e.Kind switch
        {
            HandlerEventKind.ErrorArrived => "signal=" + Name(e.ArrivalSignal),
            HandlerEventKind.MceEntered => e.IsLmce ? "lmce" : "broadcast",
            HandlerEventKind.Graded => "type=" + Name(e.MceType) + " result=" + Name((McerResult)e.Arg2),
            HandlerEventKind.McerResult => "result=" + Name(e.HandlerResult),
            HandlerEventKind.Reset => "reason=" + Name(e.ResetReason),
            HandlerEventKind.PageOffline => "outcome=" + Name(e.OfflineOutcome),
            HandlerEventKind.VmceInjected => string.Create(Inv, $"mcg_status=0x{e.GuestMcgStatus:x}"),
            HandlerEventKind.GuestOutcome => "outcome=" + Name(e.GuestOutcome),
            HandlerEventKind.DomainCrashed => "reason=" + Name(e.CrashReason),
            HandlerEventKind.TelemetryCommitted => e.IsUrgent ? "urgent" : "nonurgent",
            HandlerEventKind.LogLost => "cause=" + Name(e.LossCause),
            HandlerEventKind.CorrectedFolded => string.Create(Inv, $"count={e.FoldedCount}"),
            _ => e.Arg != 0 ? string.Create(Inv, $"arg={e.Arg}") : null,
        };
        if (arg is not null)
        {
            sb.Append(' ').Append(arg);
        }

        bool arg2Shown = e.Kind is HandlerEventKind.Graded;
        if (e.Arg2 != 0 && !arg2Shown)
        {
            sb.Append(e.Kind switch
            {
                HandlerEventKind.ErrorArrived => string.Create(Inv, $" count={e.Arg2}"),
                HandlerEventKind.VmceInjected => " new",
                _ => string.Create(Inv, $" arg2={e.Arg2}"),
            });
        }

        return sb.ToString();
    }

    /// <summary>An input: the injected error, every field.</summary>
    public static string Input(in ErrorInjection e)
    {
        var sb = new StringBuilder(128);
        sb.Append(Inv, $"inject cpu={e.Cpu} bank={e.BankIndex} status=0x{e.Status:x16} addr=0x{e.Addr:x} misc=0x{e.Misc:x}");
        if (e.McgStatus != 0)
        {
            sb.Append(Inv, $" mcg_status=0x{e.McgStatus:x}");
        }

        sb.Append(" signal=").Append(e.AutoSignal ? "auto" : Name(e.Signal));
        if (e.Count != 1)
        {
            sb.Append(Inv, $" count={e.Count}");
        }

        if (e.Interposed)
        {
            sb.Append(" interposed");
        }

        sb.Append(e.InGuest ? string.Create(Inv, $" in dom={e.RunningDomain} vcpu={e.RunningVcpu} ({Name(e.Context)})") : " in xen");
        return sb.ToString();
    }

    private static string Name<T>(T value)
        where T : struct, Enum => Enum.IsDefined(value) ? value.ToString() : Convert.ToInt64(value, Inv).ToString(Inv);
}
