using System.Diagnostics;
using System.Text.Json;

namespace Mca.Cli.Tests;

/// <summary>
/// <c>mca campaign --checkpoint DIR</c> (README "Resumable runs"): killed with SIGKILL right after journaling batch k
/// (a test hook, not timing), the same command resumes from DIR and ends with exactly an uninterrupted run's JSON,
/// per-machine results included; a journal of another spec is refused with one line.
/// </summary>
public sealed class CheckpointTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(120);

    private readonly string _dir = Directory.CreateTempSubdirectory("mca-checkpoint-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static readonly string[] Campaign = ["campaign", "--machines", "600", "--days", "60", "--workload", "storm", "--seed", "9", "--batch-size", "32", "--threads", "2", "--quiet"];

    private static (int Code, string Out, string Err) Run(string[] args, int? killAfterBatch = null)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(typeof(Program).Assembly.Location);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        if (killAfterBatch is { } k)
        {
            info.Environment["MCA_TEST_KILL_AFTER_BATCH"] = k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(Bound))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException("mca did not finish within " + Bound);
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    private static Dictionary<string, string> Fields(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.EnumerateObject()
            .Where(p => p.Name is not ("wall_seconds" or "events_per_second" or "provenance"))
            .Concat(doc.RootElement.GetProperty("provenance").EnumerateObject().Where(p => p.Name is "spec" or "machine" or "version" or "commit").Select(p => p))
            .ToDictionary(p => p.Name, p => p.Value.GetRawText());
    }

    [Fact]
    public void KilledAtSeveralPoints_ResumesToTheUninterruptedResult()
    {
        string whole = PathOf("whole.json");
        string wholeTable = PathOf("whole.parquet");
        Assert.Equal(0, Run([.. Campaign, "--json", whole, "--per-machine", wholeTable]).Code);
        // 600 machines in batches of 32: 19 batches; kill after the 1st, in the middle, and after the last.
        foreach (int k in new[] { 1, 9, 19 })
        {
            string dir = PathOf("ck" + k);
            string json = PathOf($"r{k}.json");
            string table = PathOf($"r{k}.parquet");
            var killed = Run([.. Campaign, "--checkpoint", dir, "--json", json, "--per-machine", table], killAfterBatch: k);
            Assert.Equal(137, killed.Code);
            Assert.False(File.Exists(json), "nothing under a final name after kill -9");
            Assert.True(File.Exists(Path.Combine(dir, "journal.mcaj")));
            var resumed = Run([.. Campaign, "--checkpoint", dir, "--json", json, "--per-machine", table]);
            Assert.True(resumed.Code == 0, resumed.Err);
            Assert.Equal(Fields(whole), Fields(json));
            Assert.Equal(File.ReadAllBytes(wholeTable), File.ReadAllBytes(table));
        }
    }

    [Fact]
    public void Recorded_KilledAndResumed_WritesTheUninterruptedReplay()
    {
        string whole = PathOf("whole.mcar");
        Assert.Equal(0, Run([.. Campaign, "--record", whole]).Code);
        foreach (int k in new[] { 3, 12 })
        {
            string dir = PathOf("rec" + k);
            string replay = PathOf($"r{k}.mcar");
            Assert.Equal(137, Run([.. Campaign, "--checkpoint", dir, "--record", replay], killAfterBatch: k).Code);
            Assert.False(File.Exists(replay));
            var resumed = Run([.. Campaign, "--checkpoint", dir, "--record", replay]);
            Assert.True(resumed.Code == 0, resumed.Err);
            Assert.Equal(File.ReadAllBytes(whole), File.ReadAllBytes(replay));
        }

        // A journal written without recording cannot resume a recorded run (it has no frames).
        string plain = PathOf("plain");
        Assert.Equal(137, Run([.. Campaign, "--checkpoint", plain], killAfterBatch: 2).Code);
        var refused = Run([.. Campaign, "--checkpoint", plain, "--record", PathOf("x.mcar")]);
        Assert.Equal(2, refused.Code);
        Assert.Contains("found one of a run that recorded nothing (this run records a replay)", refused.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void TornJournal_ResumesFromTheLastWholeBatch()
    {
        string whole = PathOf("whole.json");
        Assert.Equal(0, Run([.. Campaign, "--json", whole]).Code);
        string dir = PathOf("torn");
        Assert.Equal(137, Run([.. Campaign, "--checkpoint", dir, "--json", PathOf("x.json")], killAfterBatch: 6).Code);
        string journal = Path.Combine(dir, "journal.mcaj");
        // A kill in the middle of a write: the last frame is cut short.
        using (var f = new FileStream(journal, FileMode.Open))
        {
            f.SetLength(f.Length - 100);
        }

        string json = PathOf("t.json");
        var resumed = Run([.. Campaign, "--checkpoint", dir, "--json", json]);
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(Fields(whole), Fields(json));
    }

    [Fact]
    public void JournalOfAnotherSpec_RefusedWithOneLine()
    {
        string dir = PathOf("other");
        Assert.Equal(137, Run([.. Campaign, "--checkpoint", dir], killAfterBatch: 2).Code);
        string[] otherSeed = [.. Campaign.Select(a => a == "9" ? "10" : a)];
        var r = Run([.. otherSeed, "--checkpoint", dir, "--json", PathOf("o.json")]);
        Assert.Equal(2, r.Code);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: --checkpoint: ", line, StringComparison.Ordinal);
        Assert.Contains("expected a journal of this campaign: delete the directory to start afresh, found one of another spec", line, StringComparison.Ordinal);
        Assert.False(File.Exists(PathOf("o.json")));
    }
}
