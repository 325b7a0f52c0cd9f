using System.Text.Json;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Tests;

/// <summary>
/// <c>mca compare</c> (README "Paired comparisons"): each arm is exactly a plain campaign with its settings (digest),
/// the differences are paired machine by machine, and bad arms are one line.
/// </summary>
public sealed class CompareCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-compare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Json(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    [Fact]
    public void EachArm_IsThePlainCampaign_DigestForDigest()
    {
        string[] common = ["--machines", "300", "--days", "90", "--workload", "storm", "--seed", "3", "--quiet", "--threads", "2"];
        string cmp = PathOf("cmp.json");
        var r = Mca(["compare", .. common, "--policy", "rfc2009", "--arm", "policy=xen", "--arm", "page_offline=mcelog", "--json", cmp]);
        Assert.True(r.Code == 0, r.Err);
        var arms = Json(cmp).GetProperty("arms").EnumerateArray().ToList();
        Assert.Equal(3, arms.Count);
        string[][] plain = [["--policy", "rfc2009"], ["--policy", "xen"], ["--page-offline", "mcelog"]];
        for (int a = 0; a < 3; a++)
        {
            string one = PathOf($"plain{a}.json");
            Assert.Equal(0, Mca(["campaign", .. common, .. plain[a], "--json", one]).Code);
            Assert.Equal(Json(one).GetProperty("digest").GetString(), arms[a].GetProperty("digest").GetString());
            Assert.Equal(Json(one).GetProperty("resets").GetInt64(), (long)arms[a].GetProperty("totals").GetProperty("resets").GetDouble());
        }

        var comparisons = Json(cmp).GetProperty("comparisons").EnumerateArray().ToList();
        Assert.Equal(2, comparisons.Count);
        var cmcis = comparisons[0].GetProperty("outcomes").GetProperty("cmci_events");
        Assert.Equal(cmcis.GetProperty("arm").GetDouble() - cmcis.GetProperty("baseline").GetDouble(), cmcis.GetProperty("difference").GetDouble());
        Assert.True(cmcis.GetProperty("low").GetDouble() <= cmcis.GetProperty("difference").GetDouble());
        Assert.True(cmcis.GetProperty("high").GetDouble() >= cmcis.GetProperty("difference").GetDouble());
        Assert.Contains("against policy=rfc2009, paired", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void PerMachine_AColumnSetPerArm_SumsToTheComparison()
    {
        string cmp = PathOf("pm.json"), table = PathOf("pm.parquet");
        var r = Mca("compare", "--policy", "rfc2009", "--policy", "xen", "--workload", "storm", "--machines", "200", "--days", "60", "--quiet", "--json", cmp, "--per-machine", table);
        Assert.True(r.Code == 0, r.Err);
        var q = Mca("query", table, "select count(*) as n, sum(arm0_resets) as r0, sum(arm1_resets) as r1, sum(arm1_cmci_events - arm0_cmci_events) as d, sum((arm1_cmci_events > arm0_cmci_events)::int) as more, min(arm0_policy) as p0, min(arm1_policy) as p1 from machines", "--json");
        Assert.True(q.Code == 0, q.Err);
        using var rows = JsonDocument.Parse(q.Out);
        var row = rows.RootElement[0];
        var c = Json(cmp).GetProperty("comparisons")[0].GetProperty("outcomes");
        Assert.Equal(200, row.GetProperty("n").GetInt64());
        Assert.Equal(c.GetProperty("resets").GetProperty("baseline").GetDouble(), row.GetProperty("r0").GetDouble());
        Assert.Equal(c.GetProperty("resets").GetProperty("arm").GetDouble(), row.GetProperty("r1").GetDouble());
        Assert.Equal(c.GetProperty("cmci_events").GetProperty("difference").GetDouble(), row.GetProperty("d").GetDouble());
        Assert.Equal(c.GetProperty("cmci_events").GetProperty("machines_more").GetInt64(), row.GetProperty("more").GetInt64());
        Assert.Equal(("rfc2009", "xen"), (row.GetProperty("p0").GetString(), row.GetProperty("p1").GetString()));
    }

    [Fact]
    public void SameArmTwice_NoDifferenceAnywhere()
    {
        string cmp = PathOf("same.json");
        Assert.Equal(0, Mca("compare", "--machines", "200", "--days", "60", "--workload", "storm", "--quiet", "--policy", "xen", "--policy", "xen", "--json", cmp).Code);
        foreach (var o in Json(cmp).GetProperty("comparisons")[0].GetProperty("outcomes").EnumerateObject())
        {
            Assert.Equal(0, o.Value.GetProperty("difference").GetDouble());
            Assert.Equal(0, o.Value.GetProperty("machines_more").GetInt64() + o.Value.GetProperty("machines_fewer").GetInt64());
            Assert.Equal(1, o.Value.GetProperty("sign_test_p").GetDouble());
        }
    }

    [Theory]
    [InlineData(new[] { "--policy", "xen" }, "compare: expected at least two arms (--policy P or --arm KEY=VALUE, repeated), found 1")]
    [InlineData(new[] { "--policy", "xen", "--arm", "nonsense" }, "--arm: expected KEY=VALUE (a spec setting, e.g. page_offline=mcelog), found 'nonsense'")]
    [InlineData(new[] { "--policy", "xen", "--arm", "colour=red" }, "--arm 'colour=red': colour: expected one of machines, days, seed, policy")]
    [InlineData(new[] { "--policy", "xen", "--arm", "colour.hue=red" }, "--arm 'colour.hue=red': expected a spec key (a top-level key or section.key of mca campaign --print-spec), found no section 'colour'")]
    [InlineData(new[] { "--policy", "xen", "--arm", "page_offline=mcelogd" }, "--arm 'page_offline=mcelogd'")]
    [InlineData(new[] { "--policy", "xen", "--arm", "machines=20" }, "--arm 'machines=20': expected a setting that keeps the machines, days, seed, batch size and epochs common to every arm")]
    [InlineData(new[] { "--policy", "xen", "--policy", "nope" }, "--policy 'policy=nope': policy: expected")]
    public void BadArms_OneLine(string[] arms, string message)
    {
        var r = Mca(["compare", "--machines", "10", "--days", "5", "--quiet", .. arms]);
        Assert.Equal(2, r.Code);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public void PairedSums_IntervalIsTheTIntervalOfTheMeanDifferenceTimesN()
    {
        var p = default(PairedSums);
        long[] baseline = [0, 1, 2, 0, 5, 1];
        long[] arm = [1, 1, 4, 0, 9, 0];
        for (int i = 0; i < baseline.Length; i++)
        {
            p.Add(baseline[i], arm[i]);
        }

        // d = 1, 0, 2, 0, 4, -1: sum 6, mean 1, sample variance (0 + 1 + 1 + 1 + 9 + 4) / 5 = 3.2; t(0.975, 5) = 2.5706.
        var (low, high) = p.Interval();
        double half = 2.570581836 * Math.Sqrt(6 * 3.2);
        Assert.Equal(6, p.Difference);
        Assert.Equal(6 - half, low, 6);
        Assert.Equal(6 + half, high, 6);
        Assert.Equal((3, 1), (p.More, p.Fewer));
    }
}
