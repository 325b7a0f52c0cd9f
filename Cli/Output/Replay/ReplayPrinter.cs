using System.Globalization;
using Mca.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Output.Replay;

/// <summary>What the printers of <c>mca replay</c> (one per subcommand, beside this file) share: the header, the counts, a divergence and p-values.</summary>
internal static class ReplayPrinter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A header in one phrase: kind, seed, policy, workload, machines and days.</summary>
    public static string Describe(ReplayHeader h)
    {
        string machines = h.MachineCount == 1 ? string.Create(Inv, $"machine {h.FirstMachineId}") : string.Create(Inv, $"machines {h.FirstMachineId}..{h.FirstMachineId + (long)h.MachineCount - 1}");
        return string.Create(Inv, $"{KindName(h)}, seed {h.Seed}, policy {h.Policy}, workload {h.Workload}, {machines}, {h.DurationNs / CampaignOptions.DayNs:N0} days");
    }

    /// <summary>The header's <c>kind</c> key: campaign or extract.</summary>
    public static string KindName(ReplayHeader h) => h.Kind == ReplayKind.Campaign ? "campaign" : "extract";

    /// <summary>The campaign counts in the campaign summary's order: label, JSON key, value.</summary>
    public static IEnumerable<(string Label, string Key, long Value)> CountRows(CampaignCounts c)
    {
        yield return ("errors: arrivals", "error_arrivals", c.ErrorArrivals);
        yield return ("errors: corrected", "corrected", c.Corrected);
        yield return ("errors: UCNA", "ucna", c.Ucna);
        yield return ("errors: SRAO", "srao", c.Srao);
        yield return ("errors: SRAR", "srar", c.Srar);
        yield return ("errors: fatal", "fatal", c.Fatal);
        yield return ("MCE# rendezvous", "mce_events", c.MceEvents);
        yield return ("CMCIs", "cmci_events", c.CmciEvents);
        yield return ("poll finds", "poll_finds", c.PollFinds);
        yield return ("resets", "resets", c.Resets);
        yield return ("vMCEs injected", "vmce_injected", c.VmceInjected);
        yield return ("vMCE vCPU deliveries", "vmce_vcpu_deliveries", c.VmceDeliveredToVcpus);
        yield return ("guests: recovered", "guest_recovered", c.GuestRecovered);
        yield return ("guests: process killed", "guest_process_killed", c.GuestProcessKilled);
        yield return ("guests: panicked", "guest_panic", c.GuestPanic);
        yield return ("domains crashed", "domains_crashed", c.DomainsCrashed);
        yield return ("pages offlined", "pages_offlined", c.PagesOfflined);
        yield return ("dom0 log records delivered", "logs_delivered", c.LogsDelivered);
        yield return ("dom0 log records lost", "logs_lost", c.LogsLost);
        yield return ("  lost: pool exhausted", "lost_pool_exhausted", c.LostPoolExhausted);
        yield return ("  lost: reset before fetch", "lost_reset_before_fetch", c.LostResetBeforeFetch);
        yield return ("  lost: VIRQ not bound", "lost_virq_not_bound", c.LostVirqNotBound);
        yield return ("  lost: injected value at reset", "lost_interposed", c.LostInterposed);
        yield return ("  lost: overwritten", "lost_overwritten", c.LostOverwritten);
        yield return ("  lost: dom0 buffer full", "lost_dom0_buffer", c.LostDom0Buffer);
        yield return ("downtime (s)", "downtime_ns", c.DowntimeNs);
        yield return ("handler events", "handler_events", c.HandlerEvents);
        yield return ("dom0 daemon: pages offlined at once", "daemon_offlined", c.DaemonOfflined);
        yield return ("dom0 daemon: pages pending", "daemon_pending", c.DaemonPending);
        yield return ("dom0 daemon: offline refused", "daemon_failed", c.DaemonFailed);
        yield return ("dom0 daemon: pages accounted", "daemon_accounted", c.DaemonAccounted);
        yield return ("dom0 daemon: DIMM triggers", "dimm_triggers", c.DimmTriggers);
        yield return ("dom0 daemon: socket triggers", "socket_triggers", c.SocketTriggers);
        yield return ("UEs on retired pages", "ues_on_retired_pages", c.UesOnRetiredPages);
        yield return ("pages out of service at the end", "pages_retired_at_end", c.PagesRetiredAtEnd);
    }

    /// <summary>A count as text shows it: downtime in whole seconds (JSON keeps nanoseconds).</summary>
    public static long Shown(string key, long value) => key == "downtime_ns" ? value / 1_000_000_000 : value;

    /// <summary>Two lines under <paramref name="lead"/>: where the divergence is, then the two sides under their labels.</summary>
    public static void WriteDivergence(TextWriter o, string lead, ReplayDivergence d, string expectedLabel, string actualLabel)
    {
        string where = d.Machine < 0
            ? $"in the {d.What}"
            : string.Create(Inv, $"at machine {d.Machine}, {ReplayText.Time(d.TimeNs)} (epoch {d.Epoch}), {d.What}") + (d.Index >= 0 ? string.Create(Inv, $" {d.Index}") : "");
        int width = Math.Max(expectedLabel.Length, actualLabel.Length);
        o.WriteLine($"{lead} {where}");
        o.WriteLine($"  {(expectedLabel.Trim() + ":").PadRight(width + 1)} {d.Expected}");
        o.WriteLine($"  {(actualLabel.Trim() + ":").PadRight(width + 1)} {d.Actual}");
        if (d.ActualItems.Count > 0)
        {
            // The file keeps only the hash of what differs: the other run's items there, to read against the recorded count.
            o.WriteLine(string.Create(Inv, $"  {actualLabel.Trim()} {d.What} of machine {d.Machine} in epoch {d.Epoch}:"));
            foreach (string line in d.ActualItems.Take(ItemsShown))
            {
                o.WriteLine("    " + line);
            }

            if (d.ActualItems.Count > ItemsShown)
            {
                o.WriteLine(string.Create(Inv, $"    ... {d.ActualItems.Count - ItemsShown:N0} more (--json lists them all; replay show --machine {d.Machine} shows the timeline)"));
            }
        }
    }

    /// <summary>Items of <see cref="ReplayDivergence.ActualItems"/> the text output lists.</summary>
    private const int ItemsShown = 40;

    /// <summary>A divergence's JSON object; null (written as null) when there is none.</summary>
    public static DivergenceJson? DivergenceJson(ReplayDivergence? d) =>
        d is null ? null : new(d.Machine, d.TimeNs, ReplayText.Time(d.TimeNs), d.Epoch, d.What, d.Index, d.Expected, d.Actual, d.ActualItems);

    /// <summary>A p-value as people read them: 0.0313, 1, 1.5e-05; one below a double's range as &lt;1e-300.</summary>
    internal static string PValue(double p) => p switch
    {
        < 1e-300 => "<1e-300",
        < 1e-4 => p.ToString("0.0e-00", Inv),
        _ => p.ToString("0.####", Inv),
    };
}
