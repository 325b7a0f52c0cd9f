using System.Text.Json;

namespace Mca.Cli.Tests;

/// <summary>
/// <c>mca campaign --shard I/N --shard-out</c> and <c>mca merge</c> (README "More than one machine"): the merged
/// results are the unsharded run's, field for field; a damaged, truncated, missing, repeated or foreign shard is one
/// line and exit 2, and nothing is written.
/// </summary>
public sealed class ShardCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-shard-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    /// <summary>The JSON without the wall-clock fields and the command line (the only ones a merge cannot reproduce); the provenance's spec, machine and version stay.</summary>
    private static Dictionary<string, string> Fields(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateObject()
            .Where(p => p.Name is not ("wall_seconds" or "events_per_second" or "provenance"))
            .Concat(doc.RootElement.GetProperty("provenance").EnumerateObject().Where(p => p.Name is "spec" or "machine" or "version" or "commit").Select(p => p))
            .ToDictionary(p => p.Name, p => p.Name == "spec" ? WithoutBatchSize(p.Value) : p.Value.GetRawText());
    }

    /// <summary>The spec without its batch size, which shards may choose freely (it never changes results).</summary>
    private static string WithoutBatchSize(JsonElement spec)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(spec.GetRawText())!.AsObject();
        node.Remove("batch_size");
        return node.ToJsonString();
    }

    private string[] Shards(int n, string[] campaign, int batchSize = 32, string prefix = "s")
    {
        var files = new string[n];
        for (int i = 0; i < n; i++)
        {
            files[i] = PathOf($"{prefix}{n}-{i}.mcashard");
            var r = Mca([.. campaign, "--batch-size", batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture), "--shard", $"{i}/{n}", "--shard-out", files[i]]);
            Assert.True(r.Code == 0, r.Err);
            Assert.Contains($"shard {i}/{n}: machines", r.Out, StringComparison.Ordinal);
        }

        return files;
    }

    private void AssertRejected(string contains, params string[] args)
    {
        var before = Directory.GetFiles(_dir).Length;
        var r = Mca(args);
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: ", line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
        Assert.Equal(before, Directory.GetFiles(_dir).Length);
    }

    public static TheoryData<int, int, string, string> Cases => new()
    {
        { 3, 400, "rfc2009", "field" },
        { 4, 300, "xen", "storm" },
        { 1, 120, "xen", "field" },
        { 7, 50, "rfc2009-impacted", "storm" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Merge_EqualsTheUnshardedRun_FieldForField(int n, int machines, string policy, string workload)
    {
        string[] campaign = ["campaign", "--machines", machines.ToString(System.Globalization.CultureInfo.InvariantCulture), "--days", "60", "--seed", "5", "--policy", policy, "--workload", workload, "--quiet", "--threads", "2"];
        string whole = PathOf("whole.json");
        Assert.Equal(0, Mca([.. campaign, "--json", whole]).Code);
        var files = Shards(n, campaign);
        string merged = PathOf("merged.json");
        // In any order: the merge sorts by shard index.
        var r = Mca(["merge", .. files.Reverse(), "--json", merged]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(Fields(whole), Fields(merged));
        Assert.Contains("digest", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void PerMachine_MergedTableIsTheUnshardedOne_AndQueriesMatchTheJson()
    {
        string[] campaign = ["campaign", "--machines", "300", "--days", "60", "--workload", "storm", "--seed", "4", "--policy", "xen", "--quiet"];
        string whole = PathOf("whole.parquet"), wholeJson = PathOf("whole.json");
        Assert.Equal(0, Mca([.. campaign, "--per-machine", whole, "--json", wholeJson]).Code);
        var files = Shards(3, campaign, batchSize: 50);
        string merged = PathOf("merged.parquet");
        var r = Mca(["merge", .. files, "--per-machine", merged]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(merged));

        // A query's answer is the JSON's figure.
        var q = Mca("query", merged, "select count(*) as n, sum(resets) as resets, sum(corrected) as corrected, sum((resets > 0)::int) as machines_reset from machines", "--json");
        Assert.True(q.Code == 0, q.Err);
        using var rows = JsonDocument.Parse(q.Out);
        var row = rows.RootElement[0];
        using var json = JsonDocument.Parse(File.ReadAllText(wholeJson));
        var root = json.RootElement;
        Assert.Equal(300, row.GetProperty("n").GetInt64());
        Assert.Equal(root.GetProperty("resets").GetInt64(), row.GetProperty("resets").GetInt64());
        Assert.Equal(root.GetProperty("errors").GetProperty("corrected").GetInt64(), row.GetProperty("corrected").GetInt64());
        Assert.Equal(root.GetProperty("machines_reset").GetInt64(), row.GetProperty("machines_reset").GetInt64());
    }

    [Fact]
    public void Merge_OfABiasedRun_GivesTheSameWeightedEstimates()
    {
        string[] campaign = ["campaign", "--machines", "400", "--days", "90", "--policy", "xen", "--bias", "fatal=20,llc_srao=10", "--seed", "6", "--quiet", "--threads", "2"];
        string whole = PathOf("whole.json");
        Assert.Equal(0, Mca([.. campaign, "--json", whole]).Code);
        var files = Shards(3, campaign, batchSize: 64, prefix: "bias");
        string merged = PathOf("merged.json");
        var r = Mca(["merge", .. files, "--json", merged]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(Fields(whole), Fields(merged));
        Assert.Contains("importance_sampling", Fields(merged).Keys);
        Assert.Contains("importance sampling: the counts above are of the biased run (fatal x 20, llc_srao x 10)", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardFile_SameBytesForAnyThreadCountAndBatchSize()
    {
        string[] campaign = ["campaign", "--machines", "200", "--days", "40", "--workload", "storm", "--quiet", "--shard", "1/2"];
        string a = PathOf("a.mcashard"), b = PathOf("b.mcashard");
        Assert.Equal(0, Mca([.. campaign, "--threads", "1", "--shard-out", a]).Code);
        Assert.Equal(0, Mca([.. campaign, "--threads", "2", "--shard-out", b]).Code);
        Assert.Equal(File.ReadAllBytes(a), File.ReadAllBytes(b));
    }

    [Fact]
    public void Merge_ShardsOfDifferentBatchSizes_StillTheUnshardedRun()
    {
        string[] campaign = ["campaign", "--machines", "150", "--days", "30", "--workload", "storm", "--quiet"];
        string whole = PathOf("whole.json");
        Assert.Equal(0, Mca([.. campaign, "--json", whole]).Code);
        string s0 = PathOf("x0.mcashard"), s1 = PathOf("x1.mcashard");
        Assert.Equal(0, Mca([.. campaign, "--batch-size", "7", "--shard", "0/2", "--shard-out", s0]).Code);
        Assert.Equal(0, Mca([.. campaign, "--batch-size", "64", "--shard", "1/2", "--shard-out", s1]).Code);
        // Batch boundaries never change results: shards run with different batch sizes are one campaign.
        string merged = PathOf("m.json");
        Assert.Equal(0, Mca("merge", s0, s1, "--json", merged).Code);
        Assert.Equal(Fields(whole), Fields(merged));
    }

    [Fact]
    public void Merge_MissingShard_OneLine()
    {
        var files = Shards(3, ["campaign", "--machines", "60", "--days", "10", "--quiet"]);
        AssertRejected("expected all 3 shards of the campaign, found 2: missing shard 1", "merge", files[0], files[2], "--json", PathOf("m.json"));
    }

    [Fact]
    public void Merge_RepeatedShard_OneLine()
    {
        var files = Shards(2, ["campaign", "--machines", "60", "--days", "10", "--quiet"]);
        AssertRejected("found shard 0/2 again", "merge", files[0], files[1], files[0], "--json", PathOf("m.json"));
    }

    [Fact]
    public void Merge_ForeignShard_OneLine()
    {
        var a = Shards(2, ["campaign", "--machines", "60", "--days", "10", "--quiet", "--seed", "1"]);
        var b = Shards(2, ["campaign", "--machines", "60", "--days", "10", "--quiet", "--seed", "2"], prefix: "b");
        AssertRejected("expected a shard of the same campaign as", "merge", a[0], b[1], "--json", PathOf("m.json"));
    }

    [Fact]
    public void Merge_DamagedShard_OneLineNamingFileAndByte()
    {
        var files = Shards(2, ["campaign", "--machines", "200", "--days", "30", "--workload", "storm", "--quiet"]);
        var bytes = File.ReadAllBytes(files[1]);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(files[1], bytes);
        AssertRejected(files[1] + ": byte ", "merge", files[0], files[1], "--json", PathOf("m.json"));
        var r = Mca("merge", files[0], files[1]);
        Assert.Contains("expected a frame whose checksum matches its bytes", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_TruncatedShard_OneLine()
    {
        var files = Shards(2, ["campaign", "--machines", "200", "--days", "30", "--workload", "storm", "--quiet"]);
        var bytes = File.ReadAllBytes(files[0]);
        File.WriteAllBytes(files[0], bytes[..^5]);
        AssertRejected("the file is truncated", "merge", files[0], files[1], "--json", PathOf("m.json"));
    }

    [Fact]
    public void Merge_NotAShardFile_OneLine()
    {
        string other = PathOf("other.json");
        File.WriteAllText(other, "{}");
        AssertRejected("expected a shard file (written by mca campaign --shard-out), found another kind of file", "merge", other);
        AssertRejected("no such file", "merge", PathOf("absent.mcashard"));
    }

    [Theory]
    [InlineData("3/3", "--shard: expected I from 0 to N-1 and N at least 1, found '3/3'")]
    [InlineData("1-4", "--shard: expected I/N (shard I of N, 0-based, e.g. 0/4), found '1-4'")]
    [InlineData("0/0", "--shard: expected I from 0 to N-1")]
    [InlineData("0/61", "--shard: expected at most one shard per machine (60 machines), found 61 shards")]
    public void Shard_BadValue_OneLine(string value, string message) =>
        AssertRejected(message, "campaign", "--machines", "60", "--days", "10", "--quiet", "--shard", value, "--shard-out", PathOf("s.mcashard"));

    [Fact]
    public void Shard_WithoutShardOut_OrWithJson_OneLine()
    {
        AssertRejected("--shard: expected --shard-out FILE with it", "campaign", "--machines", "60", "--quiet", "--shard", "0/2");
        AssertRejected("--shard-out: expected --shard I/N with it", "campaign", "--machines", "60", "--quiet", "--shard-out", PathOf("s.mcashard"));
        AssertRejected("--json: not with --shard", "campaign", "--machines", "60", "--quiet", "--shard", "0/2", "--shard-out", PathOf("s.mcashard"), "--json", PathOf("x.json"));
    }
}
