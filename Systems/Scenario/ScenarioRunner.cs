using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Systems.Scenario;

/// <summary>
/// Runs a list of errors on one machine with the console and dom0 log traced, long enough for
/// polls, dom0's fetch and a reboot with its post-reset logging to happen, and reports the result.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>Simulated time after the last error (covers two full poll periods after a reboot).</summary>
    public const long SettleNs = 60 * MachineSpec.NsPerSecond;

    public static ScenarioReport Run(MachineSpec spec, HandlerPolicy policy, IReadOnlyList<ErrorInjection> errors, ulong seed = 1, IReadOnlyList<string>? preamble = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(errors);
        var source = new ListErrorSource(1, errors.Select(e => (0, e)));
        var trace = new HandlerTrace(enabled: true);
        foreach (string line in preamble ?? [])
        {
            trace.Xen(line);
        }

        var batch = MachineBatches.Create(spec, policy, firstMachineId: 0, machineCount: 1, seed, source, trace);
        long end = source.LastArrivalNs + spec.RebootDowntimeNs + SettleNs;
        batch.RunUntil(end);
        return Report(spec, batch, trace, batch.Handler.PanicMessages[0]);
    }

    private static ScenarioReport Report(MachineSpec spec, MachineBatch batch, HandlerTrace trace, string? panic)
    {
        var events = batch.Events.Events.ToArray();
        var vmce = new List<VmceReport>();
        var outcome = new Dictionary<int, GuestOutcomeKind>();
        bool reset = false, hung = false;
        foreach (var e in events)
        {
            switch (e.Kind)
            {
                case HandlerEventKind.VmceInjected:
                    vmce.Add(new VmceReport(e.Domain, e.Vcpu, e.GuestMcgStatus, e.Bank, e.Status, e.Addr, e.Misc));
                    break;
                case HandlerEventKind.GuestOutcome:
                    outcome[e.Domain] = e.GuestOutcome;
                    break;
                case HandlerEventKind.DomainCrashed when e.CrashReason != CrashReason.GuestPanic:
                    outcome[e.Domain] = GuestOutcomeKind.Crashed;
                    break;
                case HandlerEventKind.Reset:
                    reset = true;
                    break;
                case HandlerEventKind.MceHung:
                    hung = true;
                    break;
                default:
                    break;
            }
        }

        var guests = new List<GuestReport>();
        foreach (var d in spec.Domains)
        {
            var kind = outcome.GetValueOrDefault(d.DomId, GuestOutcomeKind.Unaffected);
            string prefix = $"d{d.DomId}: ";
            string message = trace.GuestConsole.LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..]
                ?? (kind == GuestOutcomeKind.Crashed ? "domain crashed by Xen" : "");
            guests.Add(new GuestReport(d.DomId, kind, message));
        }

        return new ScenarioReport(trace.Console, trace.Dom0Mcelog, vmce, guests, reset, panic, events) { Hung = hung };
    }
}
