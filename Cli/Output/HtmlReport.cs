using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Output;

/// <summary>
/// <c>mca campaign --report FILE.html</c>: one self-contained page (no script, no stylesheet or font from the network:
/// the plots are inline SVG) with the run's title, the outcome table with its intervals, the cumulative-outcome plot as
/// small multiples, the spec and the provenance. <c>deploy/render-report.sh</c> renders it with headless Chromium.
/// </summary>
internal static class HtmlReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string Campaign(CampaignSpec spec, CampaignJson json, CampaignResult result, string title)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(result);
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>").Append(E(title)).Append("</title>\n");
        html.Append("<style>\nbody{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f4f4f4;padding:1em;overflow:auto}figure{margin:1em 0}\n</style>\n");
        html.Append("</head>\n<body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
        html.Append(Inv, $"<p>{json.MachineYears:N0} machine-years, digest <code>{E(json.Digest)}</code>, {json.HandlerEvents:N0} handler events, wall {json.WallSeconds:F2} s.</p>\n");

        html.Append("<h2 id=\"outcomes\">Outcomes</h2>\n<table id=\"outcome-table\">\n<tr><th>outcome</th><th>count</th><th>per machine-year (95%)</th><th>machines with it (95%)</th><th>interval</th></tr>\n");
        foreach (var (key, iv) in json.Intervals)
        {
            var share = iv.MachinesWithAny;
            html.Append(Inv, $"<tr><td>{E(key)}</td><td class=\"n\">{Count(result, key):N0}</td><td class=\"n\">{iv.RatePerMachineYear:G4} ({iv.Low:G3}..{iv.High:G3})</td><td class=\"n\">{share.Machines:N0} = {share.Share:P2} ({share.Low:P2}..{share.High:P2})</td><td>{E(iv.Method)}</td></tr>\n");
        }

        html.Append("</table>\n");
        html.Append("<p>Rates: quasi-Poisson Garwood intervals over machines; shares: Wilson intervals (docs/statistics.md).</p>\n");

        html.Append("<h2 id=\"plot\">Over simulated time</h2>\n<figure id=\"cumulative\">\n");
        html.Append(SmallMultiples.Svg(CampaignPlot.Panels(title, result.Machines, CampaignPlot.Series(result))));
        html.Append("<figcaption>Cumulative outcomes per 1,000 machines against the simulated day, one panel per outcome, y from zero.</figcaption>\n</figure>\n");

        html.Append("<h2 id=\"spec\">Spec</h2>\n<pre id=\"spec-yaml\">").Append(E(CampaignSpecYaml.Write(spec))).Append("</pre>\n");
        html.Append("<h2 id=\"provenance\">Provenance</h2>\n<pre id=\"provenance-json\">")
            .Append(E(JsonSerializer.Serialize(json.Provenance, JsonOut.Contracts.ProvenanceJson))).Append("</pre>\n");
        html.Append("</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The table's count of an interval's outcome: the per-machine sums' total, in the reported unit.</summary>
    private static double Count(CampaignResult result, string key) =>
        OutcomeNames.TryFind(key, out var e) ? result.Sums(e.Outcome).Total * e.Scale : double.NaN;

    /// <summary><c>--report</c>'s file: a .html name (or a device), null when absent.</summary>
    public static string? RequireHtml(string? path) =>
        path is { Length: > 0 } && !path.StartsWith("/dev/", StringComparison.Ordinal) && !path.EndsWith(".html", StringComparison.OrdinalIgnoreCase)
            ? throw new UsageException($"--report: expected a FILE.html, found '{path}'")
            : path;

    /// <summary>Preformatted text (a table as the terminal shows it), escaped.</summary>
    public static string Pre(string text) => "<pre>" + E(text) + "</pre>\n";

    /// <summary>A report page of sections (each a heading, an id and its HTML), then the spec and the provenance.</summary>
    public static string Page(string title, IEnumerable<(string Heading, string Id, string Html)> sections, CampaignSpec spec, ProvenanceJson provenance)
    {
        ArgumentNullException.ThrowIfNull(sections);
        ArgumentNullException.ThrowIfNull(spec);
        var html = new StringBuilder();
        Head(html, title);
        foreach (var (heading, id, body) in sections)
        {
            html.Append("<h2>").Append(E(heading)).Append("</h2>\n<figure id=\"").Append(E(id)).Append("\">\n").Append(body).Append("</figure>\n");
        }

        Tail(html, spec, provenance);
        return html.ToString();
    }

    private static void Head(StringBuilder html, string title)
    {
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        html.Append("<title>").Append(E(title)).Append("</title>\n");
        html.Append("<style>\nbody{font-family:sans-serif;margin:2em;max-width:1100px}table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:3px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}pre{background:#f4f4f4;padding:1em;overflow:auto}figure{margin:1em 0}\n</style>\n");
        html.Append("</head>\n<body>\n");
        html.Append("<h1>").Append(E(title)).Append("</h1>\n");
    }

    private static void Tail(StringBuilder html, CampaignSpec spec, ProvenanceJson provenance)
    {
        html.Append("<h2 id=\"spec\">Spec</h2>\n<pre id=\"spec-yaml\">").Append(E(CampaignSpecYaml.Write(spec))).Append("</pre>\n");
        html.Append("<h2 id=\"provenance\">Provenance</h2>\n<pre id=\"provenance-json\">")
            .Append(E(JsonSerializer.Serialize(provenance, JsonOut.Contracts.ProvenanceJson))).Append("</pre>\n");
        html.Append("</body>\n</html>\n");
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
