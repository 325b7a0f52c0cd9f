using Mca.Workloads.Campaign;
using ScottPlot;

namespace Mca.Cli.Output;

/// <summary>
/// <c>mca campaign --plot FILE</c>: what happened to the fleet over simulated time, as cumulative counts per 1,000
/// machines (uncorrected errors, MCE#s, resets, vMCEs, guest outcomes, crashed domains, lost logs), one point per
/// epoch, as small multiples: a panel per outcome with its own y axis from zero (the counts differ by orders of
/// magnitude); outcomes that never happened get no panel. PNG or SVG by the file's extension.
/// </summary>
internal static class CampaignPlot
{
    /// <summary>The cumulative totals at each epoch's end, in simulated days.</summary>
    public static List<(double Day, CampaignCounts Total)> Series(CampaignResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var series = new List<(double, CampaignCounts)>(result.EpochCounts.Length);
        var total = default(CampaignCounts);
        for (int e = 0; e < result.EpochCounts.Length; e++)
        {
            total.Add(in result.EpochCounts[e]);
            long end = Math.Min((e + 1L) * result.EpochNs, result.DurationNs);
            series.Add(((double)end / CampaignOptions.DayNs, total));
        }

        return series;
    }

    private static readonly (string Label, Func<CampaignCounts, long> Pick)[] Outcomes =
    [
        ("uncorrected errors", c => c.Uncorrected),
        ("MCE# rendezvous", c => c.MceEvents),
        ("resets", c => c.Resets),
        ("vMCEs injected", c => c.VmceInjected),
        ("guest processes killed", c => c.GuestProcessKilled),
        ("guest panics", c => c.GuestPanic),
        ("domains crashed", c => c.DomainsCrashed),
        ("dom0 logs lost", c => c.LogsLost),
    ];

    /// <summary>One panel per outcome that happened: cumulative per 1,000 machines against the simulated day, y from zero.</summary>
    public static List<Plot> Panels(string title, int machines, IReadOnlyList<(double Day, CampaignCounts Total)> series)
    {
        double scale = 1000.0 / machines;
        double[] days = [0, .. series.Select(s => s.Day)];
        var panels = new List<Plot>();
        foreach (var (label, pick) in Outcomes)
        {
            double[] ys = [0, .. series.Select(s => pick(s.Total) * scale)];
            if (ys[^1] <= 0)
            {
                continue;
            }

            var plot = new Plot();
            plot.Title(panels.Count == 0 ? title + "\n" + label : label);
            plot.XLabel("simulated day");
            plot.YLabel("cumulative per 1,000 machines");
            var line = plot.Add.ScatterLine(days, ys);
            line.Color = Colors.SteelBlue;
            line.LineWidth = 2;
            plot.Axes.SetLimitsX(0, Math.Max(1, days[^1]));
            plot.Axes.SetLimitsY(0, ys[^1] * 1.1);
            panels.Add(plot);
        }

        if (panels.Count == 0)
        {
            var empty = new Plot();
            empty.Title(title + "\nnothing happened");
            empty.Axes.SetLimits(0, Math.Max(1, days[^1]), 0, 1);
            panels.Add(empty);
        }

        return panels;
    }

    /// <summary>Draws the panels into <paramref name="stream"/>, PNG or SVG by <paramref name="path"/>'s extension.</summary>
    public static void Save(Stream stream, string path, string title, int machines, IReadOnlyList<(double Day, CampaignCounts Total)> series) =>
        SmallMultiples.Save(stream, path, Panels(title, machines, series));
}
