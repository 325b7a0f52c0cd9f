using System.Globalization;
using Mca.Replay;

namespace Mca.Cli.Output.Replay;

/// <summary>Text and JSON for <c>mca replay run</c>: the recorded inputs replayed under another policy.</summary>
internal static class RunPrinter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>How many changed machines the text lists (JSON lists them all).</summary>
    private const int ChangesShown = 20;

    public static void Write(TextWriter o, string path, RerunReport r)
    {
        string machines = r.MachineCount == 1 ? string.Create(Inv, $"machine {r.FirstMachine}") : string.Create(Inv, $"{r.MachineCount:N0} machines");
        o.WriteLine($"{path}: the recorded inputs of {machines} replayed under {r.Policy} (recorded under {r.Header.Policy})");
        o.WriteLine(string.Create(Inv, $"  {"what",-36} {"recorded",14} {"replayed",14} {"change",14}"));
        var recorded = ReplayPrinter.CountRows(r.Recorded).ToList();
        var replayed = ReplayPrinter.CountRows(r.Replayed).ToList();
        for (int i = 0; i < recorded.Count; i++)
        {
            long a = ReplayPrinter.Shown(recorded[i].Key, recorded[i].Value), b = ReplayPrinter.Shown(replayed[i].Key, replayed[i].Value);
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
                o.WriteLine(string.Create(Inv, $"  {c.Name.Replace('_', ' '),-36} {c.More,14:N0} {c.Fewer,14:N0} {ReplayPrinter.PValue(c.P),14}"));
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
            ReplayPrinter.WriteDivergence(o, "first handling decision that differs", d, r.Header.Policy, r.Policy);
        }
        else
        {
            o.WriteLine("every input, handling decision and state hash is as recorded");
        }
    }

    public static RerunJson ToJson(string path, RerunReport r)
    {
        var totals = new OrderedDictionary<string, RerunJson.TotalJson>();
        foreach (var (recorded, replayed) in ReplayPrinter.CountRows(r.Recorded).Zip(ReplayPrinter.CountRows(r.Replayed)))
        {
            totals.Add(recorded.Key, new(recorded.Value, replayed.Value));
        }

        var paired = new OrderedDictionary<string, RerunJson.PairedJson>();
        foreach (var c in r.Paired())
        {
            paired.Add(c.Name, new(c.More, c.Fewer, c.P));
        }

        return new(path, r.Header.Policy, r.Policy, r.FirstMachine, r.MachineCount, totals, paired, r.Changes.Count, [.. r.Changes.Select(ChangeRow)], ReplayPrinter.DivergenceJson(r.FirstDivergence));
    }

    /// <summary>A changed machine's row: each outcome that changed as [recorded, replayed].</summary>
    private static MachineRowJson ChangeRow(MachineChange c)
    {
        var row = new MachineRowJson(c.Machine);
        foreach (var (name, recorded, replayed) in Changed(c))
        {
            row.Outcomes.Add(name, new[] { recorded, replayed });
        }

        return row;
    }

    private static IEnumerable<(string Name, long Recorded, long Replayed)> Changed(MachineChange c) =>
        c.Recorded.Fields().Zip(c.Replayed.Fields(), (a, b) => (a.Name, a.Value, b.Value)).Where(f => f.Item2 != f.Item3);
}
