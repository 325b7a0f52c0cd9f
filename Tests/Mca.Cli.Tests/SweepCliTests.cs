using System.Text.Json;
using System.Xml.Linq;

namespace Mca.Cli.Tests;

/// <summary><c>mca sweep KEY=V1,V2,...</c> (README "Sweeps"): one paired arm per value, a row per value, a plot per outcome.</summary>
public sealed class SweepCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-sweep-").FullName;

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
    public void RowPerValue_EachTheCampaignWithThatValue_AndPlots()
    {
        string[] common = ["--workload", "storm", "--machines", "200", "--days", "60", "--seed", "4", "--quiet"];
        string json = PathOf("s.json"), png = PathOf("s.png"), svg = PathOf("s.svg");
        var r = Mca(["sweep", "storm.fatal_per_machine_year=0.5,4", .. common, "--outcome", "resets,srar", "--json", json, "--plot", png]);
        Assert.True(r.Code == 0, r.Err);
        var rows = Json(json).GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(["0.5", "4"], rows.Select(x => x.GetProperty("value").GetString()));
        Assert.Equal(JsonValueKind.Null, rows[0].GetProperty("outcomes").GetProperty("resets").GetProperty("against_first").ValueKind);
        var diff = rows[1].GetProperty("outcomes").GetProperty("resets").GetProperty("against_first");
        Assert.Equal(rows[1].GetProperty("outcomes").GetProperty("resets").GetProperty("total").GetInt64() - rows[0].GetProperty("outcomes").GetProperty("resets").GetProperty("total").GetInt64(), diff.GetProperty("difference").GetInt64());
        Assert.True(diff.GetProperty("difference").GetInt64() > 0, "more fatal errors, more resets");

        string plain = PathOf("plain.json");
        File.WriteAllText(PathOf("spec.yaml"), "workload: storm\nstorm:\n  fatal_per_machine_year: 4\n");
        Assert.Equal(0, Mca("campaign", "--workload", PathOf("spec.yaml"), "--machines", "200", "--days", "60", "--seed", "4", "--quiet", "--json", plain).Code);
        Assert.Equal(Json(plain).GetProperty("digest").GetString(), rows[1].GetProperty("digest").GetString());

        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
        Assert.Equal(0, Mca(["sweep", "storm.fatal_per_machine_year=0.5,4", .. common, "--outcome", "resets,srar", "--plot", svg]).Code);
        var doc = XDocument.Load(svg);
        Assert.Equal(2, doc.Root!.Elements().Count(e => e.Name.LocalName == "svg"));
    }

    [Theory]
    [InlineData("storm.fatal_per_machine_year=2", "sweep: expected KEY=V1,V2,... (a spec setting and at least two values), found 'storm.fatal_per_machine_year=2'")]
    [InlineData("colour=red,blue", "sweep 'colour=red': colour: expected one of machines, days, seed, policy")]
    public void BadSetting_OneLine(string setting, string message)
    {
        var r = Mca("sweep", setting, "--workload", "storm", "--machines", "10", "--days", "5", "--quiet");
        Assert.Equal(2, r.Code);
        Assert.Contains(message, Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void PageOfflineThreshold_AKeyTheSpecLeavesUnset_Sweeps()
    {
        string json = PathOf("t.json");
        var r = Mca("sweep", "page_offline.threshold=1,5", "--page-offline", "mcelog", "--policy", "xen", "--machines", "60", "--days", "30", "--quiet", "--outcome", "corrected", "--json", json);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(2, Json(json).GetProperty("rows").GetArrayLength());
    }

    [Fact]
    public void BadOutcome_OneLine()
    {
        var r = Mca("sweep", "policy=xen,rfc2009", "--machines", "10", "--days", "5", "--quiet", "--outcome", "resets,reboots");
        Assert.Equal(2, r.Code);
        Assert.Contains("--outcome: expected outcomes among", r.Err, StringComparison.Ordinal);
    }
}
