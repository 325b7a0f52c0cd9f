using Mca.Systems.Engine;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>mc_panic (Xen mce.c): banner, every CPU's deferred telemetry, "HARDWARE ERROR".</summary>
internal static class XenPanic
{
    /// <summary>Whether a panic of <paramref name="machine"/> now would use its text: its first panic is kept, and a trace prints every one.</summary>
    public static bool WantsText(MachineBatch batch, int machine) => batch.Handler.PanicMessages[machine] is null || batch.Trace.Enabled;

    /// <summary>Records the panic of <paramref name="machine"/> and, when tracing, prints mc_panic's output.</summary>
    public static void McPanic(MachineBatch batch, int machine, int cpu, string reason)
    {
        batch.Handler.PanicMessages[machine] ??= "Fatal machine check: " + reason;
        if (!batch.Trace.Enabled)
        {
            return;
        }

        var deferred = new List<McInfo>();
        foreach (ref readonly var c in batch.CpusOf(machine))
        {
            if (c.PendingCookie >= 0)
            {
                deferred.Add(batch.Telemetry.Data(machine, c.PendingCookie));
            }
        }

        XenConsole.McPanic(reason, deferred, cpu, batch.Trace.XenSink!);
    }

    /// <summary>A plain panic() from the softirq (the deferred handlers returned RESET).</summary>
    public static void Panic(MachineBatch batch, int machine, string message) =>
        batch.Handler.PanicMessages[machine] ??= "Panic: " + message;
}
