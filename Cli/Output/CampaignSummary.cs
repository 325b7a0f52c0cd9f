using System.Globalization;
using Mca.Workloads.Campaign;
using Mca.Workloads.Statistics;
using Spectre.Console;

namespace Mca.Cli.Output;

/// <summary>What a recorded campaign wrote: the replay file, its size, and the events and inputs it holds.</summary>
internal readonly record struct RecordingSummary(string Path, long Bytes, long Frames, long Events, long Inputs)
{
    /// <summary>File bytes per recorded item (handler events plus inputs): issue 5's "bytes per recorded event".</summary>
    public double BytesPerRecordedEvent => (double)Bytes / Math.Max(1, Events + Inputs);
}

/// <summary>The end-of-campaign report: a table for people and the JSON contract for scripts.</summary>
internal sealed class CampaignSummary(CampaignSpec spec, CampaignOptions options, CampaignResult result, double wallSeconds, RecordingSummary? recording = null)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private double MachineYears => result.MachineYears;

    private double EventsPerSecond => wallSeconds > 0 ? result.Counts.HandlerEvents / wallSeconds : 0;

    /// <summary>The outcomes with an interval, in table order, with their JSON key and the factor from the per-machine unit to the reported one.</summary>
    private static readonly (CampaignOutcome Outcome, string Key, double Scale)[] Intervals = [.. OutcomeNames.All.Select(e => (e.Outcome, e.Key, e.Scale))];

    /// <summary>An outcome per machine-year with its 95% quasi-Poisson interval (docs/statistics.md), in reported units.</summary>
    private (double Rate, double Low, double High, double Dispersion) Rate(CampaignOutcome outcome, double scale = 1)
    {
        var (rate, low, high, phi) = RateInterval.Interval(result.Sums(outcome), Math.Max(MachineYears, 1e-9));
        return (rate * scale, low * scale, high * scale, phi);
    }

    /// <summary>The share of machines with the outcome at least once, with its 95% Wilson interval.</summary>
    private (long Machines, double Share, double Low, double High) Share(CampaignOutcome outcome)
    {
        var sums = result.Sums(outcome);
        long n = Math.Max(1, sums.Machines);
        var (low, high) = Wilson.Interval(sums.MachinesWithAny, n);
        return (sums.MachinesWithAny, sums.MachinesWithAny / (double)n, low, high);
    }

    /// <summary>A rate and its interval for the table, e.g. <c>2.19 (1.1..3.9)</c>.</summary>
    private string RateText(CampaignOutcome outcome, double scale = 1)
    {
        var (rate, low, high, _) = Rate(outcome, scale);
        return $"{Number(rate)} ({Number(low)}..{Number(high)})";
    }

    /// <summary>Machines with the outcome and their share's interval, e.g. <c>14 machines (9.4..21.5 %)</c>.</summary>
    private string ShareText(CampaignOutcome outcome, string what)
    {
        var (machines, _, low, high) = Share(outcome);
        return string.Create(Inv, $"{machines:N0} {what} ({Percent(low)}..{Percent(high)} %)");
    }

    private static string Number(double v) => v >= 1000 ? v.ToString("N0", Inv) : v.ToString("G3", Inv);

    /// <summary>A share in percent: one decimal from 10 %, two significant digits below (small shares of large fleets).</summary>
    private static string Percent(double share) => (share * 100).ToString(share >= 0.1 ? "F1" : "G2", Inv);

    public void WriteTable(TextWriter output)
    {
        var c = result.Counts;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect });
        console.Profile.Width = Math.Max(console.Profile.Width, 150);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(Inv,
            $"{result.Machines:N0} machines x {options.DurationNs / CampaignOptions.DayNs:N0} days, policy {options.Policy.Name}, page offline {options.Policy.Dom0Daemon.Name}, workload {spec.Workload}, seed {options.Seed}")));
        table.AddColumn("what");
        table.AddColumn(new TableColumn("count").RightAligned());
        table.AddColumn(new TableColumn("/machine-year (95%)").RightAligned());
        table.AddColumn("notes");
        void Row(string what, long count, CampaignOutcome outcome, string notes = "", double scale = 1) =>
            table.AddRow(Markup.Escape(what), count.ToString("N0", Inv), Markup.Escape(RateText(outcome, scale)), Markup.Escape(notes));

        Row("errors: corrected", c.Corrected, CampaignOutcome.Corrected, string.Create(Inv, $"{result.DimmsWithCe:N0} of {result.Dimms:N0} DIMMs with a CE"));
        Row("errors: UCNA", c.Ucna, CampaignOutcome.Ucna);
        Row("errors: SRAO", c.Srao, CampaignOutcome.Srao);
        Row("errors: SRAR", c.Srar, CampaignOutcome.Srar);
        Row("errors: fatal", c.Fatal, CampaignOutcome.Fatal, ShareText(CampaignOutcome.UncorrectedArrivals, "machines with an uncorrected error"));
        Row("MCE# rendezvous", c.MceEvents, CampaignOutcome.MceEvents);
        Row("CMCIs", c.CmciEvents, CampaignOutcome.CmciEvents);
        Row("poll/CMCI finds", c.PollFinds, CampaignOutcome.PollFinds, "records logged by the poller or the CMCI handler");
        Row("resets", c.Resets, CampaignOutcome.Resets, ShareText(CampaignOutcome.Resets, "machines"));
        Row("vMCEs injected", c.VmceInjected, CampaignOutcome.VmceInjected, string.Create(Inv, $"{c.VmceDeliveredToVcpus:N0} vCPU deliveries; ") + ShareText(CampaignOutcome.VmceInjected, "machines"));
        Row("guests: recovered", c.GuestRecovered, CampaignOutcome.GuestRecovered);
        Row("guests: process killed", c.GuestProcessKilled, CampaignOutcome.GuestProcessKilled);
        Row("guests: panicked", c.GuestPanic, CampaignOutcome.GuestPanic);
        Row("domains crashed", c.DomainsCrashed, CampaignOutcome.DomainsCrashed, ShareText(CampaignOutcome.DomainsCrashed, "machines"));
        Row("pages offlined", c.PagesOfflined, CampaignOutcome.PagesOfflined, options.Policy.PageOffline ? "" : "this policy offlines no page: neither Xen nor dom0 does");
        var daemon = options.Policy.Dom0Daemon;
        if (daemon.Active)
        {
            double years = Math.Max(MachineYears, 1e-9);
            void Plain(string what, long count, string notes = "") =>
                table.AddRow(Markup.Escape(what), count.ToString("N0", Inv), Markup.Escape(Number(count / years)), Markup.Escape(notes));
            Plain("dom0 daemon: pages offlined", c.DaemonOfflined + c.DaemonPending, string.Create(Inv,
                $"{c.DaemonOfflined:N0} free at once, {c.DaemonPending:N0} pending their owner; {c.DaemonFailed:N0} refused (Xen pages); {c.MemoryRetiredBytes / 1048576.0:N1} MiB out of service at the end"));
            if (c.DaemonAccounted > 0)
            {
                Plain("dom0 daemon: pages accounted", c.DaemonAccounted, "action account: crossings reported, nothing offlined");
            }

            Plain("dom0 daemon: DIMM/socket triggers", c.DimmTriggers + c.SocketTriggers, string.Create(Inv, $"{c.DimmTriggers:N0} DIMM, {c.SocketTriggers:N0} socket"));
            Plain("UEs on retired pages", c.UesOnRetiredPages, "found by the scrubber, never consumed");
        }

        Row("dom0 log records delivered", c.LogsDelivered, CampaignOutcome.LogsDelivered);
        Row("dom0 log records lost", c.LogsLost, CampaignOutcome.LogsLost, string.Create(Inv,
            $"pool {c.LostPoolExhausted:N0}, reset {c.LostResetBeforeFetch:N0}, no VIRQ {c.LostVirqNotBound:N0}, injected {c.LostInterposed:N0}, overwritten {c.LostOverwritten:N0}, dom0 buffer full {c.LostDom0Buffer:N0}"));
        Row("downtime (s)", c.DowntimeNs / 1_000_000_000, CampaignOutcome.DowntimeNs, "", 1e-9);
        Row("handler events", c.HandlerEvents, CampaignOutcome.HandlerEvents, string.Create(Inv, $"{EventsPerSecond:N0}/s"));
        console.Write(table);
        output.WriteLine(string.Create(Inv, $"wall {wallSeconds:F2} s, {MachineYears / Math.Max(wallSeconds, 1e-9):N0} machine-years/s, digest {result.Digest}"));
        if (result.Weighted is { } w)
        {
            output.WriteLine(string.Create(Inv,
                $"importance sampling: the counts above are of the biased run ({w.Bias.Describe()}); weighted estimates of the plain run ({w.EffectiveMachines:N0} effective machines of {result.Machines:N0}):"));
            foreach (var (outcome, key, scale) in Intervals)
            {
                if (outcome is CampaignOutcome.HandlerEvents or CampaignOutcome.Corrected or CampaignOutcome.PollFinds or CampaignOutcome.CmciEvents or CampaignOutcome.LogsDelivered)
                {
                    continue;
                }

                var (total, se) = w.Of(outcome).Estimate();
                output.WriteLine(string.Create(Inv, $"  {key,-22} {total * scale,14:G6}  standard error {se * scale,12:G4}  relative error {(total > 0 ? se / total : double.PositiveInfinity),8:P1}"));
            }
        }
    }

    /// <summary>The importance-sampling estimates, or null for a plain run.</summary>
    private CampaignJson.ImportanceJson? Importance()
    {
        if (result.Weighted is not { } w)
        {
            return null;
        }

        var estimates = new OrderedDictionary<string, CampaignJson.EstimateJson>();
        foreach (var (outcome, key, scale) in Intervals)
        {
            var (total, se) = w.Of(outcome).Estimate();
            estimates[key] = new CampaignJson.EstimateJson(total * scale, total * scale / Math.Max(MachineYears, 1e-9), se * scale, total > 0 ? se / total : null);
        }

        return new CampaignJson.ImportanceJson([.. w.Bias.Classes.Select(c => new CampaignJson.BiasJson(c.Name, c.Factor, c.ExposurePerMachine))], w.EffectiveMachines, "likelihood ratio: product over classes of K^-n e^((K-1)L) per machine; total = sum of w x; standard error from the weighted values' variance", estimates);
    }

    public CampaignJson ToJson()
    {
        var c = result.Counts;
        var (rate, low, high, _) = Rate(CampaignOutcome.Resets);
        return new CampaignJson(
            Machines: result.Machines,
            Days: options.DurationNs / CampaignOptions.DayNs,
            Seed: options.Seed,
            Policy: options.Policy.Name,
            Workload: spec.Workload,
            Digest: result.Digest,
            Errors: new(c.Corrected, c.Ucna, c.Srao, c.Srar, c.Fatal),
            ErrorArrivals: c.ErrorArrivals,
            MceEvents: c.MceEvents,
            CmciEvents: c.CmciEvents,
            PollFinds: c.PollFinds,
            Resets: c.Resets,
            MachinesReset: result.MachinesReset,
            ResetRatePerMachineYear: new(rate, low, high, RateInterval.Method),
            VmceInjected: c.VmceInjected,
            VmceVcpuDeliveries: c.VmceDeliveredToVcpus,
            Guests: new(c.GuestRecovered, c.GuestProcessKilled, c.GuestPanic),
            DomainsCrashed: c.DomainsCrashed,
            PagesOfflined: c.PagesOfflined,
            PageOffline: new(
                PageOfflineSpec.Describe(options.Policy.Dom0Daemon), c.DaemonOfflined, c.DaemonPending, c.DaemonFailed, c.DaemonAccounted,
                c.DimmTriggers, c.SocketTriggers, c.MemoryRetiredBytes, c.UesOnRetiredPages),
            CmcisPerMachineYear: c.CmciEvents / Math.Max(MachineYears, 1e-9),
            Dom0RecordsPerMachineYear: c.LogsDelivered / Math.Max(MachineYears, 1e-9),
            Logs: new(c.LogsDelivered, c.LogsLost, new(c.LostPoolExhausted, c.LostResetBeforeFetch, c.LostVirqNotBound, c.LostInterposed, c.LostOverwritten, c.LostDom0Buffer)),
            DowntimeSeconds: c.DowntimeNs / 1e9,
            Dimms: result.Dimms,
            DimmsWithCe: result.DimmsWithCe,
            MachinesWithUe: result.MachinesWithUncorrected,
            MachineYears: MachineYears,
            HandlerEvents: c.HandlerEvents,
            WallSeconds: wallSeconds,
            EventsPerSecond: EventsPerSecond,
            Intervals: IntervalsJson(),
            Recording: recording is { } rec ? new(rec.Path, rec.Bytes, rec.Frames, rec.Events, rec.Inputs, rec.BytesPerRecordedEvent) : null,
            ImportanceSampling: Importance(),
            Provenance: ProvenanceJson.Of(spec));
    }

    /// <summary>The <c>intervals</c> object, in table order: per outcome the rate per machine-year and the share of machines with it, each with its 95% interval.</summary>
    private OrderedDictionary<string, CampaignJson.IntervalJson> IntervalsJson()
    {
        var intervals = new OrderedDictionary<string, CampaignJson.IntervalJson>(Intervals.Length);
        foreach (var (outcome, key, scale) in Intervals)
        {
            var (rate, low, high, phi) = Rate(outcome, scale);
            var (machines, share, shareLow, shareHigh) = Share(outcome);
            // var/mean is in the reported unit (seconds for downtime).
            intervals.Add(key, new(rate, low, high, RateInterval.Method, phi * scale, new(machines, share, shareLow, shareHigh, "wilson")));
        }

        return intervals;
    }
}
