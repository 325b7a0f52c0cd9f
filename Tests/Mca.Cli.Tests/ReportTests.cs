using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Mca.Cli.Tests;

/// <summary>
/// <c>mca campaign --report FILE.html</c> (README "A report to look at"): one self-contained page with every figure,
/// and no external reference (no script, stylesheet, font or image from anywhere but the page itself).
/// </summary>
public sealed partial class ReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [GeneratedRegex("""(?:src|href)\s*=\s*["']?\s*(?:https?:|//|file:|data:)""", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();

    [Fact]
    public void Report_IsSelfContained_WithEveryFigure()
    {
        string report = Path.Combine(_dir, "r.html");
        var r = Mca("campaign", "--machines", "300", "--days", "60", "--workload", "storm", "--quiet", "--report", report);
        Assert.True(r.Code == 0, r.Err);
        string html = File.ReadAllText(report);
        Assert.StartsWith("<!DOCTYPE html>", html, StringComparison.Ordinal);
        foreach (string id in new[] { "outcome-table", "cumulative", "spec-yaml", "provenance-json" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@import", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("url(http", html, StringComparison.OrdinalIgnoreCase);

        // The plot: one well-formed SVG of panels, one per outcome that happened, each titled.
        int start = html.IndexOf("<svg", StringComparison.Ordinal);
        int end = html.LastIndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length;
        var svg = XDocument.Parse(html[start..end]);
        int panels = svg.Root!.Elements().Count(e => e.Name.LocalName == "svg");
        Assert.InRange(panels, 3, 8);
        Assert.Contains("resets", html, StringComparison.Ordinal);
        Assert.Contains("workload: storm", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("compare", "compare-tables", "compare-plot")]
    [InlineData("sweep", "sweep-table", "sweep-plot")]
    public void CompareAndSweepReports_AreSelfContained_WithTheirFigures(string command, string tableId, string plotId)
    {
        string report = Path.Combine(_dir, command + ".html");
        string[] arms = command == "compare" ? ["--policy", "rfc2009", "--policy", "xen"] : ["storm.fatal_per_machine_year=0.5,4"];
        var r = Mca([command, .. arms, "--workload", "storm", "--machines", "150", "--days", "40", "--quiet", "--report", report]);
        Assert.True(r.Code == 0, r.Err);
        string html = File.ReadAllText(report);
        foreach (string id in new[] { tableId, plotId, "spec-yaml", "provenance-json" })
        {
            Assert.Contains($"id=\"{id}\"", html, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\u001b[", html, StringComparison.Ordinal);
        int start = html.IndexOf("<svg", StringComparison.Ordinal);
        int end = html.LastIndexOf("</svg>", StringComparison.Ordinal) + "</svg>".Length;
        Assert.Contains(XDocument.Parse(html[start..end]).Root!.Elements(), e => e.Name.LocalName == "svg");
    }

    [Fact]
    public void Report_NotHtml_OneLine()
    {
        var r = Mca("campaign", "--machines", "10", "--days", "5", "--quiet", "--report", Path.Combine(_dir, "r.pdf"));
        Assert.Equal(2, r.Code);
        Assert.Contains("--report: expected a FILE.html", r.Err, StringComparison.Ordinal);
    }
}
