using Mca.Workloads.Campaign;
using ScottPlot;

namespace Mca.Cli.Output;

/// <summary>
/// <c>mca campaign --plot FILE</c>: what happened to the fleet over simulated time, as cumulative
/// counts per 1,000 machines (uncorrected errors, MCE#s, resets, vMCEs, guest outcomes, crashed
/// domains, lost logs), one point per day. PNG or SVG by the file's extension.
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

    /// <summary>Draws the plot into <paramref name="stream"/>, PNG or SVG by <paramref name="path"/>'s extension.</summary>
    public static void Save(Stream stream, string path, string title, int machines, IReadOnlyList<(double Day, CampaignCounts Total)> series)
    {
        var plot = new Plot();
        plot.Title(title);
        plot.XLabel("simulated day");
        plot.YLabel("cumulative, per 1,000 machines");
        double scale = 1000.0 / machines;
        double[] days = [0, .. series.Select(s => s.Day)];
        void Line(string label, Func<CampaignCounts, long> pick)
        {
            double[] ys = [0, .. series.Select(s => pick(s.Total) * scale)];
            if (ys[^1] <= 0)
            {
                return;
            }

            var line = plot.Add.ScatterLine(days, ys);
            line.LegendText = label;
            line.LineWidth = 2;
        }

        Line("uncorrected errors", c => c.Uncorrected);
        Line("MCE# rendezvous", c => c.MceEvents);
        Line("resets", c => c.Resets);
        Line("vMCEs injected", c => c.VmceInjected);
        Line("guest processes killed", c => c.GuestProcessKilled);
        Line("guest panics", c => c.GuestPanic);
        Line("domains crashed", c => c.DomainsCrashed);
        Line("dom0 logs lost", c => c.LogsLost);
        plot.ShowLegend(Alignment.UpperLeft);
        plot.Axes.SetLimitsX(0, Math.Max(1, days[^1]));

        bool svg = string.Equals(Path.GetExtension(path), ".svg", StringComparison.OrdinalIgnoreCase);
        if (svg)
        {
            stream.Write(new System.Text.UTF8Encoding(false).GetBytes(plot.GetSvgXml(1000, 600)));
        }
        else
        {
            using var image = plot.GetImage(1000, 600);
            stream.Write(image.GetImageBytes(ImageFormat.Png));
        }
    }
}
