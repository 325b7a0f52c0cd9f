using System.Globalization;
using System.Text.Json;
using Mca.Replay;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Output;

/// <summary>Text and JSON for <c>mca replay</c>: verify, show, extract, run and diff.</summary>
internal static class ReplayPrinter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>How many changed machines the text of <c>replay run</c> lists (JSON lists them all).</summary>
    private const int ChangesShown = 20;

    public static void WriteVerify(TextWriter o, string path, VerifyReport r)
    {
        var h = r.Header;
        if (!r.SameEngine)
        {
            o.WriteLine($"{path}: recorded by engine {h.EngineVersion}, verified with {ReplayFormat.EngineVersion}");
        }

        if (r.Divergence is { } d)
        {
            WriteDivergence(o, $"{path}: diverges", d, "expected", "actual  ");
            return;
        }

        o.WriteLine(string.Create(Inv, $"{path}: identical: {r.Frames:N0} frames, {r.Events:N0} events, {r.Inputs:N0} inputs re-simulated ({Describe(h)})"));
    }

    public static void WriteVerifyJson(Utf8JsonWriter w, string path, VerifyReport r)
    {
        w.WriteStartObject();
        w.WriteString("file", path);
        w.WriteBoolean("identical", r.Identical);
        WriteHeaderJson(w, r.Header);
        w.WriteNumber("frames", r.Frames);
        w.WriteNumber("events", r.Events);
        w.WriteNumber("inputs", r.Inputs);
        WriteDivergenceJson(w, "divergence", r.Divergence);
        w.WriteEndObject();
    }

    public static void WriteTimeline(TextWriter o, MachineTimeline t)
    {
        var h = t.Header;
        string to = t.ToNs == long.MaxValue ? ReplayText.Time(h.DurationNs) : ReplayText.Time(t.ToNs);
        o.WriteLine(string.Create(Inv, $"machine {t.Machine} ({Describe(h)}), {ReplayText.Time(t.FromNs)} .. {to}"));
        foreach (var e in t.Entries)
        {
            o.Write(ReplayText.Time(e.TimeNs));
            o.Write("  ");
            if (e.Input is { } input)
            {
                o.WriteLine(ReplayText.Input(input));
            }
            else if (e.Event is { } ev)
            {
                o.WriteLine(ReplayText.Event(ev));
            }
            else
            {
                o.WriteLine(string.Create(Inv, $"state hash 0x{e.StateHash!.Value:x16} (end of epoch {e.Epoch})"));
            }
        }

        o.WriteLine(string.Create(Inv, $"{t.Entries.Count(e => e.Event is not null):N0} events, {t.Entries.Count(e => e.Input is not null):N0} inputs: ") +
            string.Join(", ", t.Tally.Fields().Select(f => string.Create(Inv, $"{f.Name.Replace('_', ' ')} {f.Value}"))));
    }

    public static void WriteTimelineJson(Utf8JsonWriter w, string path, MachineTimeline t)
    {
        w.WriteStartObject();
        w.WriteString("file", path);
        w.WriteNumber("machine", t.Machine);
        w.WriteNumber("from_ns", t.FromNs);
        w.WriteNumber("to_ns", Math.Min(t.ToNs, t.Header.DurationNs));
        WriteHeaderJson(w, t.Header);
        w.WriteStartArray("timeline");
        foreach (var e in t.Entries)
        {
            w.WriteStartObject();
            w.WriteNumber("time_ns", e.TimeNs);
            w.WriteNumber("epoch", e.Epoch);
            if (e.Input is { } i)
            {
                w.WriteString("type", "input");
                WriteInputJson(w, i);
                w.WriteString("text", ReplayText.Input(i));
            }
            else if (e.Event is { } ev)
            {
                w.WriteString("type", "event");
                WriteEventJson(w, ev);
                w.WriteString("text", ReplayText.Event(ev));
            }
            else
            {
                w.WriteString("type", "state_hash");
                w.WriteString("hash", Hex(e.StateHash!.Value));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("tally");
        foreach (var (name, value) in t.Tally.Fields())
        {
            w.WriteNumber(name, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteSummary(TextWriter o, string path, ReplaySummary s)
    {
        var h = s.Header;
        var t = s.Totals;
        o.WriteLine(string.Create(Inv, $"{path}: {Describe(h)}"));
        o.WriteLine(string.Create(Inv, $"engine {h.EngineVersion}, format {h.FormatVersion}, {s.Frames:N0} frames, {s.Bytes:N0} bytes, {t.Events:N0} events and {t.Inputs:N0} inputs ({BytesPerEvent(s):F1} bytes per event), {s.MachinesWithData:N0} machine{(s.MachinesWithData == 1 ? "" : "s")} with data"));
        bool whole = s.FromNs == 0 && s.ToNs == h.DurationNs;
        o.WriteLine(whole
            ? string.Create(Inv, $"totals (digest {t.Digest}; {t.MachinesReset:N0} machines reset, {t.MachinesWithUncorrected:N0} with an uncorrected error, {t.MachinesWithVmce:N0} with a vMCE):")
            : string.Create(Inv, $"totals from {ReplayText.Time(s.FromNs)} to {ReplayText.Time(s.ToNs)}:"));
        foreach (var (label, key, value) in CountRows(s.Counts))
        {
            o.WriteLine(string.Create(Inv, $"  {label,-36} {Shown(key, value),14:N0}"));
        }
    }

    public static void WriteSummaryJson(Utf8JsonWriter w, string path, ReplaySummary s)
    {
        var t = s.Totals;
        w.WriteStartObject();
        w.WriteString("file", path);
        WriteHeaderJson(w, s.Header);
        w.WriteNumber("from_ns", s.FromNs);
        w.WriteNumber("to_ns", s.ToNs);
        w.WriteNumber("frames", s.Frames);
        w.WriteNumber("bytes", s.Bytes);
        w.WriteNumber("events", t.Events);
        w.WriteNumber("inputs", t.Inputs);
        w.WriteNumber("bytes_per_event", BytesPerEvent(s));
        w.WriteNumber("machines_with_data", s.MachinesWithData);
        w.WriteString("digest", t.Digest);
        w.WriteNumber("machines_reset", t.MachinesReset);
        w.WriteNumber("machines_with_uncorrected", t.MachinesWithUncorrected);
        w.WriteNumber("machines_with_vmce", t.MachinesWithVmce);
        w.WriteStartObject("counts");
        foreach (var (_, key, value) in CountRows(s.Counts))
        {
            w.WriteNumber(key, value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteExtract(TextWriter o, string path, ExtractReport r)
    {
        if (r.Divergence is { } d)
        {
            WriteDivergence(o, string.Create(Inv, $"{path}: machine {r.Machine} does not re-simulate from its recorded inputs; nothing written; diverges"), d, "recorded", "actual  ");
            return;
        }

        o.WriteLine(string.Create(Inv, $"{r.Output}: machine {r.Machine} of {path}: {r.Frames:N0} frames, {r.Events:N0} events, {r.Inputs:N0} inputs, {r.Bytes:N0} bytes; verified against its recorded frames"));
    }

    public static void WriteExtractJson(Utf8JsonWriter w, string path, ExtractReport r)
    {
        w.WriteStartObject();
        w.WriteString("file", path);
        w.WriteNumber("machine", r.Machine);
        if (r.Output is null)
        {
            w.WriteNull("output");
        }
        else
        {
            w.WriteString("output", r.Output);
        }

        w.WriteNumber("frames", r.Frames);
        w.WriteNumber("events", r.Events);
        w.WriteNumber("inputs", r.Inputs);
        w.WriteNumber("bytes", r.Bytes);
        WriteDivergenceJson(w, "divergence", r.Divergence);
        w.WriteEndObject();
    }

    public static void WriteOutcomes(TextWriter o, string path, OutcomeList l)
    {
        var h = l.Header;
        string what = l.Outcome == ReplayShow.AnyOutcome ? "any outcome but routine log deliveries" : l.Outcome.Replace('_', ' ');
        o.WriteLine(string.Create(Inv, $"{path}: {l.Machines.Count:N0} of {h.MachineCount:N0} machine{(h.MachineCount == 1 ? "" : "s")} with {what}, {ReplayText.Time(l.FromNs)} .. {ReplayText.Time(l.ToNs)} ({Describe(h)})"));
        if (l.Machines.Count == 0)
        {
            return;
        }

        var names = MachineTally.Names;
        o.WriteLine("  machine " + string.Concat(names.Select(n => string.Create(Inv, $" {OutcomeHeading(n),9}"))));
        foreach (var (machine, tally) in l.Machines)
        {
            o.WriteLine(string.Create(Inv, $"  {machine,7} ") + string.Concat(tally.Fields().Select(f => string.Create(Inv, $" {f.Value,9:N0}"))));
        }

        o.WriteLine(string.Create(Inv, $"one machine's timeline: mca replay show {path} --machine {l.Machines[0].Machine}"));
    }

    public static void WriteOutcomesJson(Utf8JsonWriter w, string path, OutcomeList l)
    {
        w.WriteStartObject();
        w.WriteString("file", path);
        WriteHeaderJson(w, l.Header);
        w.WriteString("with", l.Outcome);
        w.WriteNumber("from_ns", l.FromNs);
        w.WriteNumber("to_ns", l.ToNs);
        w.WriteNumber("count", l.Machines.Count);
        w.WriteStartArray("machines");
        foreach (var (machine, tally) in l.Machines)
        {
            w.WriteStartObject();
            w.WriteNumber("machine", machine);
            foreach (var (name, value) in tally.Fields())
            {
                w.WriteNumber(name, value);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>A short column heading for an outcome: a word of its own, or the last word of its name (resets, recovered, killed, panic).</summary>
    private static string OutcomeHeading(string name) => name switch
    {
        "mce_events" => "MCE#",
        "vmce_injected" => "vMCEs",
        "domains_crashed" => "crashed",
        "pages_offlined" => "offlined",
        "logs_delivered" => "logged",
        "logs_lost" => "lost",
        _ => name[(name.LastIndexOf('_') + 1)..],
    };

    public static void WriteRerun(TextWriter o, string path, RerunReport r)
    {
        string machines = r.MachineCount == 1 ? string.Create(Inv, $"machine {r.FirstMachine}") : string.Create(Inv, $"{r.MachineCount:N0} machines");
        o.WriteLine($"{path}: the recorded inputs of {machines} replayed under {r.Policy} (recorded under {r.Header.Policy})");
        o.WriteLine(string.Create(Inv, $"  {"what",-36} {"recorded",14} {"replayed",14} {"change",14}"));
        var recorded = CountRows(r.Recorded).ToList();
        var replayed = CountRows(r.Replayed).ToList();
        for (int i = 0; i < recorded.Count; i++)
        {
            long a = Shown(recorded[i].Key, recorded[i].Value), b = Shown(replayed[i].Key, replayed[i].Value);
            string change = a == b ? "" : (b - a).ToString("+#,0;-#,0", Inv);
            o.WriteLine(string.Create(Inv, $"  {recorded[i].Label,-36} {a,14:N0} {b,14:N0} {change,14}"));
        }

        // One machine's comparison is its own change line below; the test needs a fleet.
        var paired = r.Paired().Where(c => c.More + c.Fewer > 0).ToList();
        if (paired.Count > 0 && r.MachineCount > 1)
        {
            o.WriteLine("machine by machine, same inputs (p: exact two-sided sign test of more against fewer)");
            o.WriteLine(string.Create(Inv, $"  {"what",-36} {"more",14} {"fewer",14} {"p",14}"));
            foreach (var c in paired)
            {
                o.WriteLine(string.Create(Inv, $"  {c.Name.Replace('_', ' '),-36} {c.More,14:N0} {c.Fewer,14:N0} {PValue(c.P),14}"));
            }
        }

        o.WriteLine(string.Create(Inv, $"machines whose outcomes changed: {r.Changes.Count:N0} of {r.MachineCount:N0}"));
        foreach (var c in r.Changes.Take(ChangesShown))
        {
            o.WriteLine(string.Create(Inv, $"  machine {c.Machine}: ") + string.Join("; ", Changed(c).Select(f => string.Create(Inv, $"{f.Name.Replace('_', ' ')} {f.Recorded} -> {f.Replayed}"))));
        }

        if (r.Changes.Count > ChangesShown)
        {
            o.WriteLine(string.Create(Inv, $"  ... and {r.Changes.Count - ChangesShown:N0} more (--json lists them all)"));
        }

        if (r.FirstDivergence is { } d)
        {
            WriteDivergence(o, "first handling decision that differs", d, r.Header.Policy, r.Policy);
        }
        else
        {
            o.WriteLine("every input, handling decision and state hash is as recorded");
        }
    }

    public static void WriteRerunJson(Utf8JsonWriter w, string path, RerunReport r)
    {
        w.WriteStartObject();
        w.WriteString("file", path);
        w.WriteString("recorded_policy", r.Header.Policy);
        w.WriteString("policy", r.Policy);
        w.WriteNumber("first_machine", r.FirstMachine);
        w.WriteNumber("machines", r.MachineCount);
        w.WriteStartObject("totals");
        var recorded = CountRows(r.Recorded).ToList();
        var replayed = CountRows(r.Replayed).ToList();
        for (int i = 0; i < recorded.Count; i++)
        {
            w.WriteStartObject(recorded[i].Key);
            w.WriteNumber("recorded", recorded[i].Value);
            w.WriteNumber("replayed", replayed[i].Value);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartObject("paired");
        foreach (var c in r.Paired())
        {
            w.WriteStartObject(c.Name);
            w.WriteNumber("more", c.More);
            w.WriteNumber("fewer", c.Fewer);
            w.WriteNumber("p", c.P);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteNumber("machines_changed", r.Changes.Count);
        w.WriteStartArray("changes");
        foreach (var c in r.Changes)
        {
            w.WriteStartObject();
            w.WriteNumber("machine", c.Machine);
            foreach (var (name, a, b) in Changed(c))
            {
                w.WriteStartArray(name);
                w.WriteNumberValue(a);
                w.WriteNumberValue(b);
                w.WriteEndArray();
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteDivergenceJson(w, "first_divergence", r.FirstDivergence);
        w.WriteEndObject();
    }

    public static void WriteDiff(TextWriter o, string a, string b, DiffReport r)
    {
        foreach (string note in r.HeaderDifferences)
        {
            o.WriteLine($"header: {note}");
        }

        if (r.Divergence is { } d)
        {
            WriteDivergence(o, $"{a} and {b} diverge", d, "A", "B");
            return;
        }

        o.WriteLine(string.Create(Inv, $"{a} and {b}: identical inputs, handling decisions and state hashes for machines {r.FirstMachine} to {r.EndMachine - 1}"));
    }

    public static void WriteDiffJson(Utf8JsonWriter w, string a, string b, DiffReport r)
    {
        w.WriteStartObject();
        w.WriteString("a", a);
        w.WriteString("b", b);
        w.WriteBoolean("identical", r.Identical);
        w.WriteStartArray("header_differences");
        foreach (string note in r.HeaderDifferences)
        {
            w.WriteStringValue(note);
        }

        w.WriteEndArray();
        w.WriteNumber("first_machine", r.FirstMachine);
        w.WriteNumber("end_machine", r.EndMachine);
        WriteDivergenceJson(w, "divergence", r.Divergence);
        w.WriteEndObject();
    }

    private static void WriteDivergence(TextWriter o, string lead, ReplayDivergence d, string expectedLabel, string actualLabel)
    {
        string where = d.Machine < 0
            ? $"in the {d.What}"
            : string.Create(Inv, $"at machine {d.Machine}, {ReplayText.Time(d.TimeNs)} (epoch {d.Epoch}), {d.What}") + (d.Index >= 0 ? string.Create(Inv, $" {d.Index}") : "");
        int width = Math.Max(expectedLabel.Length, actualLabel.Length);
        o.WriteLine($"{lead} {where}");
        o.WriteLine($"  {(expectedLabel.Trim() + ":").PadRight(width + 1)} {d.Expected}");
        o.WriteLine($"  {(actualLabel.Trim() + ":").PadRight(width + 1)} {d.Actual}");
    }

    private static void WriteDivergenceJson(Utf8JsonWriter w, string name, ReplayDivergence? d)
    {
        if (d is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        w.WriteNumber("machine", d.Machine);
        w.WriteNumber("time_ns", d.TimeNs);
        w.WriteString("time", ReplayText.Time(d.TimeNs));
        w.WriteNumber("epoch", d.Epoch);
        w.WriteString("what", d.What);
        w.WriteNumber("index", d.Index);
        w.WriteString("expected", d.Expected);
        w.WriteString("actual", d.Actual);
        w.WriteEndObject();
    }

    private static void WriteHeaderJson(Utf8JsonWriter w, ReplayHeader h)
    {
        w.WriteString("kind", h.Kind == ReplayKind.Campaign ? "campaign" : "extract");
        w.WriteString("engine", h.EngineVersion);
        w.WriteNumber("seed", h.Seed);
        w.WriteString("policy", h.Policy);
        w.WriteString("workload", h.Workload);
        w.WriteNumber("first_machine", h.FirstMachineId);
        w.WriteNumber("machine_count", h.MachineCount);
        w.WriteNumber("duration_ns", h.DurationNs);
    }

    private static void WriteInputJson(Utf8JsonWriter w, in ErrorInjection e)
    {
        w.WriteNumber("cpu", e.Cpu);
        w.WriteNumber("bank", e.BankIndex);
        w.WriteString("status", Hex(e.Status));
        w.WriteString("addr", Hex(e.Addr));
        w.WriteString("misc", Hex(e.Misc));
        w.WriteString("mcg_status", Hex(e.McgStatus));
        w.WriteString("signal", e.AutoSignal ? "auto" : e.Signal.ToString().ToLowerInvariant());
        w.WriteBoolean("interposed", e.Interposed);
        w.WriteNumber("count", e.Count);
        w.WriteBoolean("in_guest", e.InGuest);
        w.WriteNumber("running_domain", e.RunningDomain);
        w.WriteNumber("running_vcpu", e.RunningVcpu);
        w.WriteString("context", e.Context.ToString().ToLowerInvariant());
    }

    private static void WriteEventJson(Utf8JsonWriter w, in HandlerEvent e)
    {
        w.WriteString("kind", Enum.IsDefined(e.Kind) ? e.Kind.ToString() : ((byte)e.Kind).ToString(Inv));
        w.WriteNumber("cpu", e.Cpu);
        w.WriteNumber("bank", e.Bank);
        w.WriteNumber("domain", e.Domain);
        w.WriteNumber("vcpu", e.Vcpu);
        w.WriteString("status", Hex(e.Status));
        w.WriteString("addr", Hex(e.Addr));
        w.WriteString("misc", Hex(e.Misc));
        w.WriteNumber("arg", e.Arg);
        w.WriteNumber("arg2", e.Arg2);
    }

    /// <summary>A p-value as people read them: 0.0313, 1, 1.5e-05; one below a double's range as &lt;1e-300.</summary>
    internal static string PValue(double p) => p switch
    {
        < 1e-300 => "<1e-300",
        < 1e-4 => p.ToString("0.0e-00", Inv),
        _ => p.ToString("0.####", Inv),
    };

    private static IEnumerable<(string Name, long Recorded, long Replayed)> Changed(MachineChange c) =>
        c.Recorded.Fields().Zip(c.Replayed.Fields(), (a, b) => (a.Name, a.Value, b.Value)).Where(f => f.Item2 != f.Item3);

    /// <summary>The campaign counts in the campaign summary's order: label, JSON key, value.</summary>
    private static IEnumerable<(string Label, string Key, long Value)> CountRows(CampaignCounts c)
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
        yield return ("downtime (s)", "downtime_ns", c.DowntimeNs);
        yield return ("handler events", "handler_events", c.HandlerEvents);
    }

    /// <summary>A count as text shows it: downtime in whole seconds (JSON keeps nanoseconds).</summary>
    private static long Shown(string key, long value) => key == "downtime_ns" ? value / 1_000_000_000 : value;

    private static double BytesPerEvent(ReplaySummary s) => s.Totals.Events > 0 ? (double)s.Bytes / s.Totals.Events : 0;

    private static string Describe(ReplayHeader h)
    {
        string machines = h.MachineCount == 1 ? string.Create(Inv, $"machine {h.FirstMachineId}") : string.Create(Inv, $"machines {h.FirstMachineId}..{h.FirstMachineId + (long)h.MachineCount - 1}");
        string kind = h.Kind == ReplayKind.Campaign ? "campaign" : "extract";
        return string.Create(Inv, $"{kind}, seed {h.Seed}, policy {h.Policy}, workload {h.Workload}, {machines}, {h.DurationNs / CampaignOptions.DayNs:N0} days");
    }

    private static string Hex(ulong v) => "0x" + v.ToString("x", Inv);
}
