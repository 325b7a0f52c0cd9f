using System.Text.Json;

namespace Mca.Cli.Tests;

/// <summary><c>mca campaign</c>: the JSON contract, determinism across threads, spec files, bad options.</summary>
public sealed class CampaignCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-campaign-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static JsonElement Json(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.Clone();
    }

    private void AssertRejected(string contains, params string[] args)
    {
        string json = PathOf("out.json");
        var r = Mca([.. args, "--json", json, "--quiet"]);
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: ", line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void PageOffline_BadPreset_OneLineNamingTheFlag() =>
        AssertRejected("--page-offline: expected one of default, off, mcelog, rasdaemon, found 'mcelogd'", "campaign", "--machines", "10", "--page-offline", "mcelogd");

    [Fact]
    public void PageOffline_Mcelog_ReportsTheDaemonInTableAndJson()
    {
        string json = PathOf("po.json");
        var r = Mca("campaign", "--machines", "200", "--days", "120", "--policy", "xen", "--page-offline", "mcelog", "--quiet", "--json", json);
        Assert.Equal(0, r.Code);
        Assert.Contains("page offline mcelog", r.Out, StringComparison.Ordinal);
        Assert.Contains("dom0 daemon: pages offlined", r.Out, StringComparison.Ordinal);
        var po = Json(json).GetProperty("page_offline");
        Assert.StartsWith("mcelog: mcelog, 2 CEs per page per 24 h, soft", po.GetProperty("daemon").GetString(), StringComparison.Ordinal);
        Assert.True(po.GetProperty("pages_offlined").GetInt64() + po.GetProperty("pages_pending").GetInt64() > 0);
        Assert.Equal(0, Mca("campaign", "--machines", "200", "--days", "120", "--policy", "xen", "--quiet", "--json", PathOf("off.json")).Code);
        var off = Json(PathOf("off.json"));
        Assert.Equal("off", off.GetProperty("page_offline").GetProperty("daemon").GetString());
        Assert.True(Json(json).GetProperty("errors").GetProperty("corrected").GetInt64() < off.GetProperty("errors").GetProperty("corrected").GetInt64());
    }

    [Fact]
    public void Json_HasTheContractKeys()
    {
        string json = PathOf("c.json");
        var r = Mca("campaign", "--machines", "300", "--days", "60", "--workload", "storm", "--threads", "2", "--quiet", "--json", json);
        Assert.Equal(0, r.Code);
        Assert.Equal("", r.Err);
        Assert.Contains("resets", r.Out, StringComparison.Ordinal);
        var root = Json(json);
        foreach (string key in new[]
        {
            "machines", "days", "seed", "policy", "workload", "digest", "errors", "mce_events", "cmci_events", "poll_finds", "resets",
            "machines_reset", "vmce_injected", "domains_crashed", "logs", "dimms", "dimms_with_ce", "machines_with_ue", "wall_seconds", "events_per_second",
        })
        {
            Assert.True(root.TryGetProperty(key, out _), key);
        }

        foreach (string key in new[] { "corrected", "ucna", "srao", "srar", "fatal" })
        {
            Assert.True(root.GetProperty("errors").TryGetProperty(key, out _), "errors." + key);
        }

        Assert.True(root.GetProperty("logs").TryGetProperty("delivered", out _));
        Assert.True(root.GetProperty("logs").TryGetProperty("lost", out _));
        Assert.Equal(300, root.GetProperty("machines").GetInt32());
        Assert.Equal(60, root.GetProperty("days").GetInt32());
        Assert.Equal("rfc2009", root.GetProperty("policy").GetString());
        Assert.Equal("storm", root.GetProperty("workload").GetString());
        Assert.Matches("^[0-9a-f]{32}$", root.GetProperty("digest").GetString()!);
        Assert.True(root.GetProperty("errors").GetProperty("corrected").GetInt64() > 0);
        Assert.True(root.GetProperty("mce_events").GetInt64() > 0);
        Assert.False(root.TryGetProperty("recording", out _), "recording, without --record");
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Intervals_StormCampaign_EveryOutcomeHasARateAndAShare()
    {
        string json = PathOf("iv.json");
        var r = Mca("campaign", "--machines", "100", "--days", "30", "--workload", "storm", "--quiet", "--json", json);
        Assert.Equal(0, r.Code);
        // The resets row: machines with a Wilson share, and the rate with its quasi-Poisson interval.
        Assert.Matches(@"resets\s+│\s+19 │\s+2\.31 \(1\.3\.\.3\.8\) │ 15 machines \(9\.3\.\.23\.3 %\)", r.Out);
        var intervals = Json(json).GetProperty("intervals");
        foreach (string key in new[]
        {
            "corrected", "ucna", "srao", "srar", "fatal", "uncorrected_arrivals", "mce_events", "cmci_events", "poll_finds", "resets", "vmce_injected",
            "guest_recovered", "guest_process_killed", "guest_panic", "domains_crashed", "pages_offlined", "logs_delivered", "logs_lost", "downtime_seconds", "handler_events",
        })
        {
            var o = intervals.GetProperty(key);
            double rate = o.GetProperty("rate_per_machine_year").GetDouble();
            Assert.InRange(rate, o.GetProperty("low").GetDouble(), o.GetProperty("high").GetDouble());
            Assert.Equal("quasi-poisson-garwood", o.GetProperty("method").GetString());
            var share = o.GetProperty("machines_with_any");
            Assert.InRange(share.GetProperty("share").GetDouble(), share.GetProperty("low").GetDouble(), share.GetProperty("high").GetDouble());
            Assert.Equal("wilson", share.GetProperty("method").GetString());
        }

        var resets = intervals.GetProperty("resets");
        Assert.Equal(15, resets.GetProperty("machines_with_any").GetProperty("machines").GetInt32());
        Assert.True(resets.GetProperty("high").GetDouble() > 1, "a rate per machine-year is not bounded by 1 like a proportion");
        Assert.Equal(resets.GetProperty("high").GetDouble(), Json(json).GetProperty("reset_rate_per_machine_year").GetProperty("wilson95_high").GetDouble());
    }

    [Theory]
    [InlineData("field")]
    [InlineData("storm")]
    public void Threads1And2_SameDigest(string workload)
    {
        string[] common = ["campaign", "--machines", "600", "--days", "90", "--workload", workload, "--seed", "11", "--quiet"];
        Assert.Equal(0, Mca([.. common, "--threads", "1", "--batch-size", "64", "--json", PathOf("t1.json")]).Code);
        Assert.Equal(0, Mca([.. common, "--threads", "2", "--batch-size", "64", "--json", PathOf("t2.json")]).Code);
        Assert.Equal(0, Mca([.. common, "--threads", "2", "--batch-size", "100", "--json", PathOf("t3.json")]).Code);
        string d1 = Json(PathOf("t1.json")).GetProperty("digest").GetString()!;
        Assert.Equal(d1, Json(PathOf("t2.json")).GetProperty("digest").GetString());
        Assert.Equal(d1, Json(PathOf("t3.json")).GetProperty("digest").GetString());
        Assert.NotEqual(0, Json(PathOf("t1.json")).GetProperty("errors").GetProperty("corrected").GetInt64());
    }

    [Fact]
    public void EpochLength_ChangesNothingInTheResults()
    {
        string[] common = ["campaign", "--machines", "300", "--days", "60", "--workload", "field", "--seed", "5", "--quiet", "--threads", "2"];
        Assert.Equal(0, Mca([.. common, "--epoch-days", "1", "--json", PathOf("e1.json")]).Code);
        Assert.Equal(0, Mca([.. common, "--json", PathOf("e7.json")]).Code);
        Assert.Equal(0, Mca([.. common, "--epoch-days", "45", "--json", PathOf("e45.json")]).Code);
        var daily = Json(PathOf("e1.json"));
        foreach (string other in new[] { "e7.json", "e45.json" })
        {
            var o = Json(PathOf(other));
            Assert.Equal(daily.GetProperty("digest").GetString(), o.GetProperty("digest").GetString());
            Assert.Equal(daily.GetProperty("handler_events").GetInt64(), o.GetProperty("handler_events").GetInt64());
        }

        Assert.True(daily.GetProperty("handler_events").GetInt64() > 0);
    }

    [Fact]
    public void ZeroEpochDays_Rejected() => AssertRejected("--epoch-days: expected days per epoch from 1 to 36,500, found 0", "campaign", "--epoch-days", "0");

    [Fact]
    public void SpecFile_IsReadAndFlagsOverrideIt()
    {
        string spec = PathOf("fleet.yaml");
        File.WriteAllText(spec, "machines: 40\ndays: 20\nseed: 3\npolicy: xen\nworkload: storm\n");
        Assert.Equal(0, Mca("campaign", "--workload", spec, "--days", "10", "--quiet", "--json", PathOf("s.json")).Code);
        var root = Json(PathOf("s.json"));
        Assert.Equal(40, root.GetProperty("machines").GetInt32());
        Assert.Equal(10, root.GetProperty("days").GetInt32());
        Assert.Equal(3UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal("xen", root.GetProperty("policy").GetString());
        Assert.Equal("storm", root.GetProperty("workload").GetString());
    }

    [Fact]
    public void ExampleSpec_Runs()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "examples", "fleet.yaml")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        string spec = Path.Combine(dir.FullName, "examples", "fleet.yaml");
        Assert.Equal(0, Mca("campaign", "--workload", spec, "--machines", "50", "--days", "30", "--quiet", "--json", PathOf("e.json")).Code);
        var root = Json(PathOf("e.json"));
        Assert.Equal("xen", root.GetProperty("policy").GetString());
        Assert.Equal(42UL, root.GetProperty("seed").GetUInt64());
        Assert.Equal(200, root.GetProperty("dimms").GetInt64());
    }

    [Fact]
    public void PrintSpec_GivesAFileThatRunsTheSameCampaign()
    {
        var printed = Mca("campaign", "--print-spec", "--machines", "50", "--days", "30", "--workload", "field", "--seed", "9");
        Assert.Equal(0, printed.Code);
        Assert.Contains("field:\n", printed.Out, StringComparison.Ordinal);
        string spec = PathOf("printed.yaml");
        File.WriteAllText(spec, printed.Out);
        Assert.Equal(0, Mca("campaign", "--workload", spec, "--quiet", "--json", PathOf("a.json")).Code);
        Assert.Equal(0, Mca("campaign", "--machines", "50", "--days", "30", "--workload", "field", "--seed", "9", "--quiet", "--json", PathOf("b.json")).Code);
        Assert.Equal(Json(PathOf("a.json")).GetProperty("digest").GetString(), Json(PathOf("b.json")).GetProperty("digest").GetString());
    }

    [Fact]
    public void Plot_WritesAPngAndAnSvg()
    {
        string png = PathOf("c.png");
        string svg = PathOf("c.svg");
        Assert.Equal(0, Mca("campaign", "--machines", "100", "--days", "30", "--workload", "storm", "--quiet", "--plot", png).Code);
        Assert.Equal(0, Mca("campaign", "--machines", "100", "--days", "30", "--workload", "storm", "--quiet", "--plot", svg).Code);
        byte[] head = File.ReadAllBytes(png)[..8];
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
        Assert.Contains("<svg", File.ReadAllText(svg), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    [Fact]
    public void Plot_OtherExtension_Rejected() => AssertRejected("--plot: expected a FILE.png or FILE.svg", "campaign", "--workload", "none", "--plot", Path.Combine(Path.GetTempPath(), "x.gif"));

    [Fact]
    public void Record_ThenVerifyExtractRunDiff()
    {
        string replay = PathOf("c.mcar");
        var r = Mca("campaign", "--machines", "300", "--days", "120", "--workload", "storm", "--seed", "5", "--record", replay, "--json", PathOf("c.json"));
        Assert.Equal(0, r.Code);
        Assert.Contains("bytes per recorded event", r.Err, StringComparison.Ordinal);
        Assert.True(File.Exists(replay));
        var summary = Json(PathOf("c.json"));
        var recording = summary.GetProperty("recording");
        // The file holds events as emitted (a CorrectedRun is one) and a CE run as one input; the summary counts what they stand for.
        Assert.InRange(recording.GetProperty("events").GetInt64(), 1, summary.GetProperty("handler_events").GetInt64());
        Assert.InRange(recording.GetProperty("inputs").GetInt64(), 1, summary.GetProperty("error_arrivals").GetInt64());
        Assert.Equal(Path.GetFullPath(replay), Path.GetFullPath(recording.GetProperty("path").GetString()!));
        Assert.Equal(new FileInfo(replay).Length, recording.GetProperty("bytes").GetInt64());
        long items = recording.GetProperty("events").GetInt64() + recording.GetProperty("inputs").GetInt64();
        Assert.True(recording.GetProperty("events").GetInt64() > 0 && recording.GetProperty("inputs").GetInt64() > 0 && recording.GetProperty("frames").GetInt64() > 0);
        Assert.Equal((double)new FileInfo(replay).Length / items, recording.GetProperty("bytes_per_recorded_event").GetDouble(), 9);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));

        Assert.Equal(0, Mca("replay", "verify", replay, "--quiet").Code);
        string one = PathOf("one.mcar");
        Assert.Equal(0, Mca("replay", "extract", replay, "--machine", "7", "-o", one).Code);
        Assert.Equal(0, Mca("replay", "verify", one, "--quiet").Code);

        var rerun = Mca("replay", "run", replay, "--policy", "xen", "--json", "--quiet");
        Assert.Equal(0, rerun.Code);
        Assert.Contains("resets", rerun.Out, StringComparison.Ordinal);

        // The same campaign recorded with another thread count is the same file, byte for byte.
        string again = PathOf("again.mcar");
        Assert.Equal(0, Mca("campaign", "--machines", "300", "--days", "120", "--workload", "storm", "--seed", "5", "--threads", "1", "--quiet", "--record", again).Code);
        Assert.Equal(File.ReadAllBytes(replay), File.ReadAllBytes(again));
        Assert.Equal(0, Mca("replay", "diff", replay, again).Code);
    }

    [Fact]
    public void IdleFleet_HasNoEvents()
    {
        var r = Mca("campaign", "--machines", "100", "--days", "3650", "--workload", "none", "--quiet", "--json", PathOf("idle.json"));
        Assert.Equal(0, r.Code);
        var root = Json(PathOf("idle.json"));
        Assert.Equal(0, root.GetProperty("mce_events").GetInt64());
        Assert.Equal(0, root.GetProperty("resets").GetInt64());
    }

    [Fact]
    public void Progress_PlainLinesWhenRedirected()
    {
        var r = Mca("campaign", "--machines", "20", "--days", "5", "--workload", "none");
        Assert.Equal(0, r.Code);
        Assert.Contains("campaign: 100 %  0.27/0.27 machine-years, 20/20 machines", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bias_WeightedEstimatesInTheJson()
    {
        string json = PathOf("bias.json");
        var r = Mca("campaign", "--machines", "300", "--days", "90", "--policy", "xen", "--bias", "fatal=20", "--quiet", "--json", json);
        Assert.Equal(0, r.Code);
        Assert.Contains("importance sampling: the counts above are of the biased run (fatal x 20)", r.Out, StringComparison.Ordinal);
        var imp = Json(json).GetProperty("importance_sampling");
        Assert.Equal("fatal", imp.GetProperty("classes")[0].GetProperty("class").GetString());
        Assert.Equal(20, imp.GetProperty("classes")[0].GetProperty("factor").GetDouble());
        var resets = imp.GetProperty("estimates").GetProperty("resets");
        Assert.True(resets.GetProperty("standard_error").GetDouble() >= 0);
        string plain = PathOf("plain.json");
        Assert.Equal(0, Mca("campaign", "--machines", "30", "--days", "30", "--quiet", "--json", plain).Code);
        Assert.False(Json(plain).TryGetProperty("importance_sampling", out _), "a plain run has no weighted estimates");
    }

    [Fact]
    public void TargetRelError_StopsWhenReached_AndIsThePlainCampaignOfThatSize()
    {
        string json = PathOf("target.json");
        var r = Mca("campaign", "--machines", "1000", "--policy", "xen", "--bias", "fatal=20", "--target-rel-error", "0.12", "--target", "resets,fatal", "--max-machines", "20000", "--json", json);
        Assert.Equal(0, r.Code);
        var root = Json(json);
        int machines = root.GetProperty("machines").GetInt32();
        Assert.InRange(machines, 1000, 19000);
        Assert.Equal(0, machines % 1000);
        var est = root.GetProperty("importance_sampling").GetProperty("estimates");
        Assert.True(est.GetProperty("resets").GetProperty("relative_error").GetDouble() < 0.12);
        Assert.True(est.GetProperty("fatal").GetProperty("relative_error").GetDouble() < 0.12);
        Assert.Contains("worst relative error", r.Err, StringComparison.Ordinal);

        string plain = PathOf("plain-target.json");
        Assert.Equal(0, Mca("campaign", "--machines", machines.ToString(System.Globalization.CultureInfo.InvariantCulture), "--policy", "xen", "--bias", "fatal=20", "--quiet", "--json", plain).Code);
        Assert.Equal(Json(plain).GetProperty("digest").GetString(), root.GetProperty("digest").GetString());
    }

    [Theory]
    [InlineData(new[] { "--target-rel-error", "2" }, "--target-rel-error: expected a relative error between 0 and 1 (e.g. 0.1), found 2")]
    [InlineData(new[] { "--target-rel-error", "0.1", "--target", "reboots" }, "--target: expected outcomes among")]
    [InlineData(new[] { "--max-machines", "100" }, "--max-machines: expected --target-rel-error with it")]
    [InlineData(new[] { "--target-rel-error", "0.1", "--max-machines", "5" }, "--max-machines: expected from --machines (10) to 10,000,000, found 5")]
    public void TargetRelError_Bad_OneLine(string[] args, string message) => AssertRejected(message, ["campaign", "--machines", "10", .. args]);

    [Theory]
    [InlineData(new[] { "--bias", "fatal" }, "--bias: expected CLASS=K[,CLASS=K] (a class among cpu_corrected, llc_ucna, llc_srao, fatal, each once, at K times its rate, K from 0 to 1,000,000), found 'fatal'")]
    [InlineData(new[] { "--bias", "ue=4" }, "--bias: expected CLASS=K")]
    [InlineData(new[] { "--bias", "fatal=-2" }, "--bias: expected CLASS=K")]
    [InlineData(new[] { "--bias", "fatal=2,fatal=3" }, "--bias: expected CLASS=K")]
    [InlineData(new[] { "--bias", "fatal=4", "--workload", "storm" }, "--bias: expected the field workload (its CPU error classes are Poisson streams), found workload storm")]
    public void Bias_Bad_OneLine(string[] args, string message) => AssertRejected(message, ["campaign", "--machines", "10", .. args]);

    [Fact]
    public void ZeroMachines_Rejected() => AssertRejected("--machines: expected a number of machines from 1 to 10,000,000, found 0", "campaign", "--machines", "0");

    [Fact]
    public void NegativeDays_Rejected() => AssertRejected("--days: expected a number of days from 1 to 36,500, found -3", "campaign", "--days", "-3");

    [Fact]
    public void UnknownPolicy_Rejected() => AssertRejected("--policy: expected one of rfc2009, rfc2009-impacted, xen, found 'linux'", "campaign", "--policy", "linux");

    [Fact]
    public void UnknownWorkload_Rejected() => AssertRejected("--workload: expected one of", "campaign", "--workload", "meteor");

    [Fact]
    public void ZeroThreads_Rejected() => AssertRejected("--threads: expected a thread count from 1 to 1024, found 0", "campaign", "--threads", "0", "--workload", "none");

    [Fact]
    public void NotANumber_Rejected() => AssertRejected("--machines", "campaign", "--machines", "many");

    [Fact]
    public void MalformedYaml_RejectedWithLineAndColumn()
    {
        string spec = PathOf("bad.yaml");
        File.WriteAllText(spec, "machines: 10\ndays: [1,\n");
        AssertRejectedKeepingSpec(spec, spec + ":", "expected well-formed YAML");
    }

    [Fact]
    public void BadValueInYaml_RejectedWithLineAndColumn()
    {
        string spec = PathOf("bad.yaml");
        File.WriteAllText(spec, "workload: storm\nmachines: 10\ndays: -1\n");
        AssertRejectedKeepingSpec(spec, spec + ":3:7: days: expected a number of days from 1 to 36,500, found -1");
    }

    [Fact]
    public void MissingSpecFile_Rejected() => AssertRejected("nope.yaml: expected a campaign spec file, found no such file", "campaign", "--workload", Path.Combine(Path.GetTempPath(), "nope.yaml"));

    [Fact]
    public void JsonInMissingDirectory_RejectedBeforeRunning()
    {
        var r = Mca("campaign", "--workload", "none", "--machines", "5", "--days", "1", "--quiet", "--json", Path.Combine(_dir, "no", "such", "dir", "x.json"));
        Assert.Equal(2, r.Code);
        Assert.Contains("--json: expected a file in an existing directory", r.Err, StringComparison.Ordinal);
        Assert.Equal("", r.Out);
    }

    private void AssertRejectedKeepingSpec(string spec, params string[] contains)
    {
        string json = PathOf("out.json");
        var r = Mca("campaign", "--workload", spec, "--json", json, "--quiet");
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (string c in contains)
        {
            Assert.Contains(c, line, StringComparison.Ordinal);
        }

        Assert.False(File.Exists(json));
    }
}
