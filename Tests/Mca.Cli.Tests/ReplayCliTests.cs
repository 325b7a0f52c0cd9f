using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mca.Cli.Commands;
using Mca.Replay;
using Mca.Systems.Events;
using Mca.Tests.Shared.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Tests;

/// <summary><c>mca replay ...</c> end to end through the real parser: outputs, JSON, exit codes 0, 1 and 2.</summary>
public sealed class ReplayCliTests : TempDirectoryTest
{
    private readonly string _file;
    private readonly CampaignResult _recorded;

    public ReplayCliTests()
    {
        _file = PathOf("a.mcar");
        _recorded = Fixtures.Record(_file, Fixtures.Spec());
    }

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        var root = new RootCommand("mca");
        root.Subcommands.Add(ReplayCommand.Create(Fixtures.Catalog));
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Invoke(root, ["replay", .. args], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static JsonElement Json(string text)
    {
        using var doc = JsonDocument.Parse(text);
        return doc.RootElement.Clone();
    }

    private static void AssertOneLineError((int Code, string Out, string Err) r, string contains)
    {
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: ", line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
    }

    private string Tampered(ReplayContents contents = ReplayContents.All)
    {
        string path = PathOf("tampered.mcar");
        int seen = 0;
        Fixtures.Record(path, Fixtures.Spec(), contents: contents, tamper: o =>
        {
            var events = (HandlerEvent[])o.Events!.Clone();
            for (int i = 0; i < events.Length; i++)
            {
                if (events[i].Kind == HandlerEventKind.GuestOutcome && seen++ == 0)
                {
                    events[i] = events[i] with { Arg = (long)GuestOutcomeKind.Panic };
                }
            }

            return o with { Events = events };
        });
        return path;
    }

    [Fact]
    public void Verify_Identical_Exit0()
    {
        var r = Mca("verify", _file, "--threads", "2");
        Assert.Equal(0, r.Code);
        Assert.Contains(": identical: ", r.Out, StringComparison.Ordinal);
        Assert.Equal("", r.Err);
    }

    [Fact]
    public void Verify_Json_Identical()
    {
        var r = Mca("verify", _file, "--json");
        Assert.Equal(0, r.Code);
        var j = Json(r.Out);
        Assert.True(j.GetProperty("identical").GetBoolean());
        Assert.Equal(JsonValueKind.Null, j.GetProperty("divergence").ValueKind);
        Assert.Equal("campaign", j.GetProperty("kind").GetString());
        Assert.True(j.GetProperty("events").GetInt64() > 1000);
    }

    [Fact]
    public void Verify_Tampered_Exit1WithMachineTimeExpectedActual()
    {
        string path = Tampered();
        var r = Mca("verify", path);
        Assert.Equal(1, r.Code);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@": diverges at machine \d+, \d+d \d\d:\d\d:\d\d\.\d{9} \(epoch \d+\), event \d+$", lines[0]);
        Assert.Contains("expected: GuestOutcome", lines[1], StringComparison.Ordinal);
        Assert.Contains("outcome=Panic", lines[1], StringComparison.Ordinal);
        Assert.Contains("actual:   GuestOutcome", lines[2], StringComparison.Ordinal);

        var j = Json(Mca("verify", path, "--json").Out);
        Assert.False(j.GetProperty("identical").GetBoolean());
        var d = j.GetProperty("divergence");
        Assert.Equal("event", d.GetProperty("what").GetString());
        Assert.Contains("outcome=Panic", d.GetProperty("expected").GetString(), StringComparison.Ordinal);
        Assert.True(d.GetProperty("machine").GetInt32() >= 0 && d.GetProperty("time_ns").GetInt64() > 0);
    }

    [Fact]
    public void Verify_TamperedHashOnlyFile_Exit1_NamesMachineAndEpoch_AndListsTheNewEnginesEvents()
    {
        string path = Tampered(ReplayContents.Hashes);
        var r = Mca("verify", path, "--threads", "2");
        Assert.Equal(1, r.Code);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@": diverges at machine \d+, \d+d \d\d:\d\d:\d\d\.\d{9} \(epoch \d+\), events$", lines[0]);
        Assert.Matches(@"expected: \d+ events, hash 0x[0-9a-f]{8}$", lines[1]);
        Assert.Matches(@"actual: +\d+ events, hash 0x[0-9a-f]{8}$", lines[2]);
        Assert.Contains(" events of machine ", lines[3], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.Contains("GuestOutcome", StringComparison.Ordinal));

        var d = Json(Mca("verify", path, "--json").Out).GetProperty("divergence");
        Assert.Equal("events", d.GetProperty("what").GetString());
        Assert.Contains(d.GetProperty("actual_items").EnumerateArray(), i => i.GetString()!.Contains("GuestOutcome", StringComparison.Ordinal));

        // show on the same file re-simulates, finds the mismatch and says so in one line, exit 1.
        int machine = d.GetProperty("machine").GetInt32();
        var show = Mca("show", path, "--machine", machine.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, show.Code);
        Assert.Single(show.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("stores only the hashes", show.Err, StringComparison.Ordinal);
        Assert.Equal(string.Empty, show.Out);
    }

    [Fact]
    public void Verify_Truncated_Exit2Truncated()
    {
        byte[] bytes = File.ReadAllBytes(_file);
        string cut = PathOf("cut.mcar");
        File.WriteAllBytes(cut, bytes[..(bytes.Length * 2 / 3)]);
        var r = Mca("verify", cut);
        AssertOneLineError(r, "truncated");
        Assert.Contains(cut + ": byte ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ForeignAndMissingFiles_Exit2()
    {
        string text = PathOf("notes.txt");
        File.WriteAllText(text, "not a replay");
        AssertOneLineError(Mca("verify", text), "byte 0: expected the replay magic");
        AssertOneLineError(Mca("verify", PathOf("missing.mcar")), "missing.mcar: expected a replay file, found no such file");
    }

    [Fact]
    public void Show_Totals_TextAndJson()
    {
        var r = Mca("show", _file);
        Assert.Equal(0, r.Code);
        Assert.Contains("bytes per event", r.Out, StringComparison.Ordinal);
        Assert.Contains("resets", r.Out, StringComparison.Ordinal);
        Assert.Matches(@" [0-9,]+ machines? with data\n", r.Out);
        var j = Json(Mca("show", _file, "--json").Out);
        using var reader = ReplayReader.Open(_file);
        Assert.Equal(reader.Index.Totals.Counts.Resets, j.GetProperty("counts").GetProperty("resets").GetInt64());
        Assert.Equal(reader.Index.Totals.Digest, j.GetProperty("digest").GetString());
        Assert.Equal(new FileInfo(_file).Length, j.GetProperty("bytes").GetInt64());
    }

    [Fact]
    public void Show_Machine_TimelineInRange()
    {
        var r = Mca("show", _file, "--machine", "5", "--from", "1d", "--to", "36h");
        Assert.Equal(0, r.Code);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("machine 5 (campaign, seed 7, policy rfc2009", lines[0], StringComparison.Ordinal);
        Assert.All(lines[1..^1], l => Assert.Matches(@"^1d (0\d|1[0-2]):\d\d:\d\d\.\d{9}  ", l));

        var j = Json(Mca("show", _file, "--machine", "5", "--json").Out);
        var timeline = j.GetProperty("timeline");
        Assert.True(timeline.GetArrayLength() > 0);
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("type").GetString() == "input");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("type").GetString() == "event");
        Assert.Contains(timeline.EnumerateArray(), e => e.GetProperty("type").GetString() == "state_hash");
    }

    [Fact]
    public void Show_With_ListsTheMachinesWithAnOutcome()
    {
        using (var reader = ReplayReader.Open(_file))
        {
            var totals = reader.Index.Totals;
            Assert.True(totals.MachinesReset > 0, "the fixture should have a reset to find");
            var resets = Json(Mca("show", _file, "--with", "resets", "--json").Out);
            Assert.Equal(totals.MachinesReset, resets.GetProperty("count").GetInt32());
            var listed = resets.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("machine").GetInt32()).ToList();
            Assert.Equal(listed.Order(), listed);
            foreach (var m in resets.GetProperty("machines").EnumerateArray())
            {
                // Every outcome as the machine's own timeline counts it.
                var tally = ReplayShow.Machine(_file, m.GetProperty("machine").GetInt32()).Tally;
                Assert.All(tally.Fields(), f => Assert.Equal(f.Value, m.GetProperty(f.Name).GetInt64()));
                Assert.True(tally.Get("resets") > 0);
            }

            Assert.Equal(totals.MachinesWithVmce, Json(Mca("show", _file, "--with", "vmce-injected", "--json").Out).GetProperty("count").GetInt32());
            var any = Json(Mca("show", _file, "--with", "any", "--json").Out).GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("machine").GetInt32()).ToHashSet();
            Assert.Superset(listed.ToHashSet(), any);
        }

        // A time range counts only the outcomes inside it: two ranges that split the run add up to the whole.
        long Resets(params string[] range) =>
            Json(Mca(["show", _file, "--with", "resets", "--json", .. range]).Out).GetProperty("machines").EnumerateArray().Sum(m => m.GetProperty("resets").GetInt64());
        long total = Resets();
        Assert.Equal(total, Resets("--to", "4d") + Resets("--from", "345600000000001"));
        Assert.InRange(Resets("--to", "4d"), 1, total - 1);

        var text = Mca("show", _file, "--with", "resets");
        Assert.Equal(0, text.Code);
        Assert.Contains("machines with resets", text.Out, StringComparison.Ordinal);
        Assert.Contains("one machine's timeline: mca replay show ", text.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus", "", "--with: expected any or one of mce_events, resets")]
    [InlineData("resets", "3", "--with: expected no --machine beside it")]
    public void Show_With_BadUse_Exit2(string outcome, string machine, string contains) =>
        AssertOneLineError(machine == "" ? Mca("show", _file, "--with", outcome) : Mca("show", _file, "--with", outcome, "--machine", machine), contains);

    [Fact]
    public void Show_Kind_KeepsOnlyThoseEntries()
    {
        int m = Json(Mca("show", _file, "--with", "resets", "--json").Out).GetProperty("machines")[0].GetProperty("machine").GetInt32();
        var all = Json(Mca("show", _file, "--machine", m.ToString(CultureInfo.InvariantCulture), "--json").Out).GetProperty("timeline").EnumerateArray().ToList();
        var some = Json(Mca("show", _file, "--machine", m.ToString(CultureInfo.InvariantCulture), "--kind", "reset, input,vmce-injected", "--json").Out).GetProperty("timeline").EnumerateArray().ToList();
        static bool Kept(JsonElement e) => e.GetProperty("type").GetString() == "input"
            || (e.GetProperty("type").GetString() == "event" && e.GetProperty("kind").GetString() is "Reset" or "VmceInjected");
        Assert.Equal(all.Where(Kept).Select(e => e.GetRawText()), some.Select(e => e.GetRawText()));
        Assert.Contains(some, e => e.GetProperty("type").GetString() == "event");
        Assert.True(some.Count < all.Count);

        var hashes = Json(Mca("show", _file, "--machine", m.ToString(CultureInfo.InvariantCulture), "--kind", "state-hash", "--json").Out).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Equal(all.Count(e => e.GetProperty("type").GetString() == "state_hash"), hashes.Count);
        Assert.NotEmpty(hashes);
    }

    [Theory]
    [InlineData("Resett", "3", "--kind: expected input, state-hash or an event kind such as Reset or VmceInjected, found 'Resett'")]
    [InlineData("7", "3", "--kind: expected input, state-hash or an event kind")]
    [InlineData("+5", "3", "--kind: expected input, state-hash or an event kind")]
    [InlineData("Reset,", "3", "--kind: expected input, state-hash or an event kind")]
    [InlineData("None", "3", "--kind: expected input, state-hash or an event kind")]
    [InlineData("Reset", "", "--kind: expected --machine beside it")]
    public void Show_Kind_BadUse_Exit2(string kind, string machine, string contains) =>
        AssertOneLineError(machine == "" ? Mca("show", _file, "--kind", kind) : Mca("show", _file, "--kind", kind, "--machine", machine), contains);

    [Fact]
    public void Extract_ThenVerify_Exit0()
    {
        string one = PathOf("m9.mcar");
        var r = Mca("extract", _file, "--machine", "9", "-o", one);
        Assert.Equal(0, r.Code);
        Assert.StartsWith(one + ": machine 9 of ", r.Out, StringComparison.Ordinal);
        var v = Mca("verify", one, "--json");
        Assert.Equal(0, v.Code);
        var j = Json(v.Out);
        Assert.Equal("extract", j.GetProperty("kind").GetString());
        Assert.Equal(9, j.GetProperty("first_machine").GetInt32());

        var json = Json(Mca("extract", _file, "--machine", "9", "-o", PathOf("m9b.mcar"), "--json").Out);
        Assert.Equal(JsonValueKind.Null, json.GetProperty("divergence").ValueKind);
        Assert.Equal(File.ReadAllBytes(one), File.ReadAllBytes(PathOf("m9b.mcar")));
    }

    [Fact]
    public void Extract_BadMachineOrMissingOutput_Exit2()
    {
        AssertOneLineError(Mca("extract", _file, "--machine", "480", "-o", PathOf("x.mcar")), "--machine: expected a machine the replay holds");
        AssertOneLineError(Mca("extract", _file, "--machine", "1"), "--output");
        AssertOneLineError(Mca("extract", _file, "--machine", "1", "-o", PathOf("no/such/dir/x.mcar")), "--output: expected a file in an existing directory");
    }

    [Fact]
    public void Run_OtherPolicy_ShowsWhatChanged()
    {
        var r = Mca("run", _file, "--policy", "xen");
        Assert.Equal(0, r.Code);
        Assert.Contains("replayed under xen (recorded under rfc2009)", r.Out, StringComparison.Ordinal);
        Assert.Contains("machines whose outcomes changed: ", r.Out, StringComparison.Ordinal);
        Assert.Contains("first handling decision that differs at machine ", r.Out, StringComparison.Ordinal);

        var j = Json(Mca("run", _file, "--policy", "xen", "--json").Out);
        Assert.Equal("rfc2009", j.GetProperty("recorded_policy").GetString());
        Assert.Equal("xen", j.GetProperty("policy").GetString());
        Assert.True(j.GetProperty("machines_changed").GetInt32() > 0);
        var resets = j.GetProperty("totals").GetProperty("resets");
        long recordedResets = resets.GetProperty("recorded").GetInt64();
        long replayedResets = resets.GetProperty("replayed").GetInt64();
        // The recorded total is the recorded campaign's; the replayed one is what the same campaign gives under xen,
        // and it differs from the recorded one by the sum of the changed machines' differences.
        Assert.Equal(_recorded.Counts.Resets, recordedResets);
        Assert.True(recordedResets > 0, "the random mix resets machines under rfc2009");
        Assert.Equal(CampaignRunner.Run(Fixtures.Spec(policy: "xen").ToOptions(threads: 2, catalog: Fixtures.Catalog)).Counts.Resets, replayedResets);
        long changedBy = j.GetProperty("changes").EnumerateArray().Sum(c => c.TryGetProperty("resets", out var p) ? p[1].GetInt64() - p[0].GetInt64() : 0);
        Assert.Equal(recordedResets + changedBy, replayedResets);
        var first = j.GetProperty("changes")[0];
        Assert.True(first.EnumerateObject().Count() >= 2);

        // The paired comparison counts, per outcome, the changed machines that went up and down.
        Assert.Contains("exact two-sided sign test", r.Out, StringComparison.Ordinal);
        var paired = j.GetProperty("paired");
        Assert.Equal(10, paired.EnumerateObject().Count());
        int moved = 0;
        foreach (var outcome in paired.EnumerateObject())
        {
            int more = 0, fewer = 0;
            foreach (var c in j.GetProperty("changes").EnumerateArray())
            {
                if (c.TryGetProperty(outcome.Name, out var pair))
                {
                    more += pair[1].GetInt64() > pair[0].GetInt64() ? 1 : 0;
                    fewer += pair[1].GetInt64() < pair[0].GetInt64() ? 1 : 0;
                }
            }

            Assert.Equal(more, outcome.Value.GetProperty("more").GetInt32());
            Assert.Equal(fewer, outcome.Value.GetProperty("fewer").GetInt32());
            Assert.Equal(global::Mca.Workloads.Statistics.SignTest.TwoSidedP(more, fewer), outcome.Value.GetProperty("p").GetDouble());
            moved += more + fewer;
        }

        Assert.True(moved >= j.GetProperty("machines_changed").GetInt32());
    }

    [Fact]
    public void Run_SamePolicyOneMachine_NothingChanged()
    {
        var r = Mca("run", _file, "--policy", "rfc2009", "--machine", "3", "--json");
        Assert.Equal(0, r.Code);
        var j = Json(r.Out);
        Assert.Equal(0, j.GetProperty("machines_changed").GetInt32());
        Assert.All(j.GetProperty("paired").EnumerateObject(), o => Assert.Equal(1, o.Value.GetProperty("p").GetDouble()));
        Assert.DoesNotContain("sign test", Mca("run", _file, "--policy", "rfc2009", "--machine", "3").Out, StringComparison.Ordinal);
        // One machine that changes under the other policy: its change line, no sign test of one pair.
        int changed = Json(Mca("run", _file, "--policy", "xen", "--json").Out).GetProperty("changes")[0].GetProperty("machine").GetInt32();
        var one = Mca("run", _file, "--policy", "xen", "--machine", changed.ToString(CultureInfo.InvariantCulture));
        Assert.Contains($"machine {changed}: ", one.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("sign test", one.Out, StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, j.GetProperty("first_divergence").ValueKind);
        Assert.Equal(1, j.GetProperty("machines").GetInt32());
    }

    [Fact]
    public void Run_BadPolicy_Exit2()
    {
        AssertOneLineError(Mca("run", _file, "--policy", "linux"), "--policy: ");
        AssertOneLineError(Mca("run", _file), "--policy");
    }

    [Fact]
    public void Diff_IdenticalExit0_OtherPolicyExit1()
    {
        string b = PathOf("b.mcar");
        File.Copy(_file, b);
        var same = Mca("diff", _file, b);
        Assert.Equal(0, same.Code);
        Assert.Contains("identical inputs, handling decisions and state hashes for machines 0 to 47", same.Out, StringComparison.Ordinal);

        string xen = PathOf("xen.mcar");
        Fixtures.Record(xen, Fixtures.Spec(policy: "xen"));
        var other = Mca("diff", _file, xen);
        Assert.Equal(1, other.Code);
        Assert.Contains("header: policy: rfc2009 vs xen", other.Out, StringComparison.Ordinal);
        Assert.Contains(" diverge at machine ", other.Out, StringComparison.Ordinal);

        var j = Json(Mca("diff", _file, xen, "--json").Out);
        Assert.False(j.GetProperty("identical").GetBoolean());
        Assert.Equal("policy: rfc2009 vs xen", j.GetProperty("header_differences")[0].GetString());
    }

    [Fact]
    public void Diff_Truncated_Exit2()
    {
        byte[] bytes = File.ReadAllBytes(_file);
        string cut = PathOf("cut.mcar");
        File.WriteAllBytes(cut, bytes[..^1]);
        AssertOneLineError(Mca("diff", _file, cut), "truncated");
    }

    [Theory]
    [InlineData("yesterday", "--from: expected a time such as 36h")]
    [InlineData("-5s", "--from: expected a time such as 36h")]
    public void Show_BadTime_Exit2(string time, string contains) => AssertOneLineError(Mca("show", _file, "--from", time), contains);

    [Theory]
    [InlineData(1.0, "1")]
    [InlineData(0.03125, "0.0313")]
    [InlineData(0.0005, "0.0005")]
    [InlineData(1.52587890625e-5, "1.5e-05")]
    [InlineData(0.0, "<1e-300")]
    public void PValue_Readable(double p, string text) => Assert.Equal(text, global::Mca.Cli.Output.Replay.ReplayPrinter.PValue(p));

    [Fact]
    public void Show_ToBeforeFrom_Exit2NamesBothTimes() =>
        AssertOneLineError(Mca("show", _file, "--machine", "5", "--from", "2d", "--to", "36h"),
            "--to: expected a time at or after --from (2d 00:00:00.000000000), found 1d 12:00:00.000000000");

    [Theory]
    [InlineData("90", 90L)]
    [InlineData("1.5us", 1_500L)]
    [InlineData("250ms", 250_000_000L)]
    [InlineData("90s", 90_000_000_000L)]
    [InlineData("2m", 120_000_000_000L)]
    [InlineData("36h", 129_600_000_000_000L)]
    [InlineData("2.5d", 216_000_000_000_000L)]
    public void ParseTime_Units(string text, long ns) => Assert.Equal(ns, ReplayCommand.ParseTime(text, "--from"));
}
