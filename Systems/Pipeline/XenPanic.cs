using Mca.Systems.Engine;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>mc_panic's console output (xen-mca.md §2.2 Panics).</summary>
internal static class XenPanic
{
    public static void Trace(MachineBatch batch, int machine, string message, bool banner = true)
    {
        var trace = batch.Trace;
        if (!trace.Enabled)
        {
            return;
        }

        if (!banner)
        {
            trace.Xen("Panic: " + message);
            trace.Xen("HARDWARE ERROR");
            return;
        }

        foreach (string line in XenConsole.McPanic(message))
        {
            trace.Xen(line);
        }

        // The deferred telemetry of every CPU is dumped before the final panic.
        foreach (ref var cpu in batch.CpusOf(machine))
        {
            if (cpu.PendingCookie >= 0)
            {
                batch.Telemetry.TraceDump(machine, cpu.PendingCookie);
            }
        }

        trace.Xen("HARDWARE ERROR");
    }
}
