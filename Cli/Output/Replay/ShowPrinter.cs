using System.Globalization;
using Mca.Replay;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Cli.Output.Replay;

/// <summary>Text and JSON for <c>mca replay show</c>: a machine's timeline, the campaign's totals, or the machines with an outcome.</summary>
internal static class ShowPrinter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void WriteTimeline(TextWriter o, MachineTimeline t)
    {
        var h = t.Header;
        string to = t.ToNs == long.MaxValue ? ReplayText.Time(h.DurationNs) : ReplayText.Time(t.ToNs);
        o.WriteLine(string.Create(Inv, $"machine {t.Machine} ({ReplayPrinter.Describe(h)}), {ReplayText.Time(t.FromNs)} .. {to}"));
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

    public static TimelineJson ToJson(string path, MachineTimeline t)
    {
        var h = t.Header;
        return new(
            path,
            t.Machine,
            t.FromNs,
            Math.Min(t.ToNs, h.DurationNs),
            ReplayPrinter.KindName(h), h.EngineVersion, h.Seed, h.Policy, h.Workload, h.FirstMachineId, h.MachineCount, h.DurationNs,
            [.. t.Entries.Select(EntryJson)],
            Ordered(t.Tally.Fields()));
    }

    private static TimelineJson.Entry EntryJson(TimelineEntry e)
    {
        if (e.Input is { } i)
        {
            return new TimelineJson.InputEntry(
                e.TimeNs, e.Epoch, "input", i.Cpu, i.BankIndex, Hex.Of(i.Status), Hex.Of(i.Addr), Hex.Of(i.Misc), Hex.Of(i.McgStatus), SignalName(i),
                i.Interposed, i.Count, i.InGuest, i.RunningDomain, i.RunningVcpu, i.Context.ToString().ToLowerInvariant(), ReplayText.Input(i));
        }

        if (e.Event is { } ev)
        {
            return new TimelineJson.EventEntry(
                e.TimeNs, e.Epoch, "event", KindName(ev.Kind), ev.Cpu, ev.Bank, ev.Domain, ev.Vcpu, Hex.Of(ev.Status), Hex.Of(ev.Addr), Hex.Of(ev.Misc),
                ev.Arg, ev.Arg2, ReplayText.Event(ev));
        }

        return new TimelineJson.StateHashEntry(e.TimeNs, e.Epoch, "state_hash", Hex.Of(e.StateHash!.Value));
    }

    private static string SignalName(in ErrorInjection i) => i.AutoSignal ? "auto" : i.Signal.ToString().ToLowerInvariant();

    /// <summary>An event kind's name, or its number if this build does not know it.</summary>
    private static string KindName(HandlerEventKind kind) => Enum.IsDefined(kind) ? kind.ToString() : ((byte)kind).ToString(Inv);

    public static void WriteTotals(TextWriter o, string path, ReplaySummary s)
    {
        var h = s.Header;
        var t = s.Totals;
        o.WriteLine(string.Create(Inv, $"{path}: {ReplayPrinter.Describe(h)}"));
        o.WriteLine(string.Create(Inv, $"engine {h.EngineVersion}, format {h.FormatVersion}, {s.Frames:N0} frames, {s.Bytes:N0} bytes, {t.Events:N0} events and {t.Inputs:N0} inputs ({BytesPerEvent(s):F1} bytes per event), {s.MachinesWithData:N0} machine{(s.MachinesWithData == 1 ? "" : "s")} with data"));
        bool whole = s.FromNs == 0 && s.ToNs == h.DurationNs;
        o.WriteLine(whole
            ? string.Create(Inv, $"totals (digest {t.Digest}; {t.MachinesReset:N0} machines reset, {t.MachinesWithUncorrected:N0} with an uncorrected error, {t.MachinesWithVmce:N0} with a vMCE):")
            : string.Create(Inv, $"totals from {ReplayText.Time(s.FromNs)} to {ReplayText.Time(s.ToNs)}:"));
        foreach (var (label, key, value) in ReplayPrinter.CountRows(s.Counts))
        {
            o.WriteLine(string.Create(Inv, $"  {label,-36} {ReplayPrinter.Shown(key, value),14:N0}"));
        }
    }

    public static TotalsJson ToJson(string path, ReplaySummary s)
    {
        var h = s.Header;
        var t = s.Totals;
        return new(
            path,
            ReplayPrinter.KindName(h), h.EngineVersion, h.Seed, h.Policy, h.Workload, h.FirstMachineId, h.MachineCount, h.DurationNs,
            s.FromNs,
            s.ToNs,
            s.Frames,
            s.Bytes,
            t.Events,
            t.Inputs,
            BytesPerEvent(s),
            s.MachinesWithData,
            t.Digest,
            t.MachinesReset,
            t.MachinesWithUncorrected,
            t.MachinesWithVmce,
            Ordered(ReplayPrinter.CountRows(s.Counts).Select(r => (r.Key, r.Value))));
    }

    private static double BytesPerEvent(ReplaySummary s) => s.Totals.Events > 0 ? (double)s.Bytes / s.Totals.Events : 0;

    public static void WriteOutcomes(TextWriter o, string path, OutcomeList l)
    {
        var h = l.Header;
        string what = l.Outcome == ReplayShow.AnyOutcome ? "any outcome but routine log deliveries" : l.Outcome.Replace('_', ' ');
        o.WriteLine(string.Create(Inv, $"{path}: {l.Machines.Count:N0} of {h.MachineCount:N0} machine{(h.MachineCount == 1 ? "" : "s")} with {what}, {ReplayText.Time(l.FromNs)} .. {ReplayText.Time(l.ToNs)} ({ReplayPrinter.Describe(h)})"));
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

    public static OutcomesJson ToJson(string path, OutcomeList l)
    {
        var h = l.Header;
        return new(
            path,
            ReplayPrinter.KindName(h), h.EngineVersion, h.Seed, h.Policy, h.Workload, h.FirstMachineId, h.MachineCount, h.DurationNs,
            l.Outcome,
            l.FromNs,
            l.ToNs,
            l.Machines.Count,
            [.. l.Machines.Select(m => Row(m.Machine, m.Tally))]);
    }

    private static MachineRowJson Row(int machine, MachineTally tally)
    {
        var row = new MachineRowJson(machine);
        foreach (var (name, value) in tally.Fields())
        {
            row.Outcomes.Add(name, value);
        }

        return row;
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

    /// <summary>Named counts as a JSON object, keys in the order given.</summary>
    private static OrderedDictionary<string, long> Ordered(IEnumerable<(string Name, long Value)> fields)
    {
        var counts = new OrderedDictionary<string, long>();
        foreach (var (name, value) in fields)
        {
            counts.Add(name, value);
        }

        return counts;
    }
}
