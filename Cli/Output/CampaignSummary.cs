using System.Globalization;
using System.Text.Json;
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

    /// <summary>Resets per machine-year with a 95% Wilson interval (each machine-year a trial; fine while the rate is well below 1).</summary>
    private (double Rate, double Low, double High) ResetRate()
    {
        long trials = Math.Max(1, (long)Math.Round(MachineYears));
        var (low, high) = Wilson.Interval(Math.Min(result.Counts.Resets, trials), trials);
        return (result.Counts.Resets / Math.Max(MachineYears, 1e-9), low, high);
    }

    public void WriteTable(TextWriter output)
    {
        var c = result.Counts;
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.Detect, ColorSystem = ColorSystemSupport.Detect });
        console.Profile.Width = Math.Max(console.Profile.Width, 120);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(Inv,
            $"{result.Machines:N0} machines x {options.DurationNs / CampaignOptions.DayNs:N0} days, policy {options.Policy.Name}, workload {spec.Workload}, seed {options.Seed}")));
        table.AddColumn("what");
        table.AddColumn(new TableColumn("count").RightAligned());
        table.AddColumn("notes");
        void Row(string what, long count, string notes = "") => table.AddRow(Markup.Escape(what), count.ToString("N0", Inv), Markup.Escape(notes));

        Row("errors: corrected", c.Corrected, string.Create(Inv, $"{result.DimmsWithCe:N0} of {result.Dimms:N0} DIMMs with a CE"));
        Row("errors: UCNA", c.Ucna);
        Row("errors: SRAO", c.Srao);
        Row("errors: SRAR", c.Srar);
        Row("errors: fatal", c.Fatal, string.Create(Inv, $"{result.MachinesWithUncorrected:N0} machines with an uncorrected error"));
        Row("MCE# rendezvous", c.MceEvents);
        Row("CMCIs", c.CmciEvents);
        Row("poll/CMCI finds", c.PollFinds, "records logged by the poller or the CMCI handler");
        var (rate, low, high) = ResetRate();
        Row("resets", c.Resets, string.Create(Inv, $"{result.MachinesReset:N0} machines; {rate:G3}/machine-year (95% {low:G3}..{high:G3})"));
        Row("vMCEs injected", c.VmceInjected, string.Create(Inv, $"{c.VmceDeliveredToVcpus:N0} vCPU deliveries"));
        Row("guests: recovered", c.GuestRecovered);
        Row("guests: process killed", c.GuestProcessKilled);
        Row("guests: panicked", c.GuestPanic);
        Row("domains crashed", c.DomainsCrashed);
        Row("pages offlined", c.PagesOfflined, options.Policy.PageOffline ? "" : "this policy leaves page offline to dom0 (none in Xen)");
        Row("dom0 log records delivered", c.LogsDelivered);
        Row("dom0 log records lost", c.LogsLost, string.Create(Inv,
            $"pool {c.LostPoolExhausted:N0}, reset {c.LostResetBeforeFetch:N0}, no VIRQ {c.LostVirqNotBound:N0}, injected {c.LostInterposed:N0}, overwritten {c.LostOverwritten:N0}"));
        Row("downtime (s)", c.DowntimeNs / 1_000_000_000, string.Create(Inv, $"{c.DowntimeNs / 1e9 / Math.Max(MachineYears, 1e-9):F1} s/machine-year"));
        Row("handler events", c.HandlerEvents, string.Create(Inv, $"{EventsPerSecond:N0}/s"));
        console.Write(table);
        output.WriteLine(string.Create(Inv, $"wall {wallSeconds:F2} s, {MachineYears / Math.Max(wallSeconds, 1e-9):N0} machine-years/s, digest {result.Digest}"));
    }

    public void WriteJson(Utf8JsonWriter w)
    {
        var c = result.Counts;
        var (rate, low, high) = ResetRate();
        w.WriteStartObject();
        w.WriteNumber("machines", result.Machines);
        w.WriteNumber("days", options.DurationNs / CampaignOptions.DayNs);
        w.WriteNumber("seed", options.Seed);
        w.WriteString("policy", options.Policy.Name);
        w.WriteString("workload", spec.Workload);
        w.WriteString("digest", result.Digest);
        w.WriteStartObject("errors");
        w.WriteNumber("corrected", c.Corrected);
        w.WriteNumber("ucna", c.Ucna);
        w.WriteNumber("srao", c.Srao);
        w.WriteNumber("srar", c.Srar);
        w.WriteNumber("fatal", c.Fatal);
        w.WriteEndObject();
        w.WriteNumber("error_arrivals", c.ErrorArrivals);
        w.WriteNumber("mce_events", c.MceEvents);
        w.WriteNumber("cmci_events", c.CmciEvents);
        w.WriteNumber("poll_finds", c.PollFinds);
        w.WriteNumber("resets", c.Resets);
        w.WriteNumber("machines_reset", result.MachinesReset);
        w.WriteStartObject("reset_rate_per_machine_year");
        w.WriteNumber("rate", rate);
        w.WriteNumber("wilson95_low", low);
        w.WriteNumber("wilson95_high", high);
        w.WriteEndObject();
        w.WriteNumber("vmce_injected", c.VmceInjected);
        w.WriteNumber("vmce_vcpu_deliveries", c.VmceDeliveredToVcpus);
        w.WriteStartObject("guests");
        w.WriteNumber("recovered", c.GuestRecovered);
        w.WriteNumber("process_killed", c.GuestProcessKilled);
        w.WriteNumber("panic", c.GuestPanic);
        w.WriteEndObject();
        w.WriteNumber("domains_crashed", c.DomainsCrashed);
        w.WriteNumber("pages_offlined", c.PagesOfflined);
        w.WriteStartObject("logs");
        w.WriteNumber("delivered", c.LogsDelivered);
        w.WriteNumber("lost", c.LogsLost);
        w.WriteStartObject("lost_by_cause");
        w.WriteNumber("pool_exhausted", c.LostPoolExhausted);
        w.WriteNumber("reset_before_fetch", c.LostResetBeforeFetch);
        w.WriteNumber("virq_not_bound", c.LostVirqNotBound);
        w.WriteNumber("interposed_lost_on_reset", c.LostInterposed);
        w.WriteNumber("overwritten", c.LostOverwritten);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteNumber("downtime_seconds", c.DowntimeNs / 1e9);
        w.WriteNumber("dimms", result.Dimms);
        w.WriteNumber("dimms_with_ce", result.DimmsWithCe);
        w.WriteNumber("machines_with_ue", result.MachinesWithUncorrected);
        w.WriteNumber("machine_years", MachineYears);
        w.WriteNumber("handler_events", c.HandlerEvents);
        w.WriteNumber("wall_seconds", wallSeconds);
        w.WriteNumber("events_per_second", EventsPerSecond);
        if (recording is { } rec)
        {
            w.WriteStartObject("recording");
            w.WriteString("path", rec.Path);
            w.WriteNumber("bytes", rec.Bytes);
            w.WriteNumber("frames", rec.Frames);
            w.WriteNumber("events", rec.Events);
            w.WriteNumber("inputs", rec.Inputs);
            w.WriteNumber("bytes_per_recorded_event", rec.BytesPerRecordedEvent);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
