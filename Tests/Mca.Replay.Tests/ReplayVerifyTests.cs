using Mca.Systems.Events;
using Mca.Tests.Shared.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Tests;

/// <summary>Verify, extract, re-run under another policy and diff.</summary>
public sealed class ReplayVerifyTests : TempDirectoryTest
{
    private string Recorded(string name = "a.mcar", string policy = "rfc2009", Func<EpochOutput, EpochOutput>? tamper = null)
    {
        string path = PathOf(name);
        Fixtures.Record(path, Fixtures.Spec(policy: policy), tamper: tamper);
        return path;
    }

    [Theory]
    [InlineData("rfc2009")]
    [InlineData("xen")]
    public void Verify_UntouchedRecording_Identical(string policy)
    {
        var report = ReplayVerifier.Verify(Recorded(policy: policy), threads: 2, catalog: Fixtures.Catalog);
        Assert.Null(report.Divergence);
        Assert.True(report.Identical && report.SameEngine);
        Assert.True(report.Events > 1000);
    }

    [Fact]
    public void Verify_ChangedEvent_ReportsMachineTimeExpectedActual()
    {
        HandlerEvent? original = null;
        string path = Recorded(tamper: Fixtures.ChangeEvent(HandlerEventKind.Reset, 2, e =>
        {
            original = e;
            return e with { Arg = (long)ResetReason.McipShutdown };
        }));
        var d = ReplayVerifier.Verify(path, catalog: Fixtures.Catalog).Divergence;
        Assert.NotNull(d);
        Assert.NotNull(original);
        Assert.Equal(("event", original.Value.Machine, original.Value.TimeNs), (d.What, d.Machine, d.TimeNs));
        Assert.Contains("reason=McipShutdown", d.Expected, StringComparison.Ordinal);
        Assert.Equal(ReplayText.Event(original.Value), d.Actual);
    }

    [Fact]
    public void Verify_RemovedInput_ReportsTheInput()
    {
        bool done = false;
        string path = Recorded(tamper: o =>
        {
            if (done || o.Epoch < 3 || o.Inputs!.Length == 0)
            {
                return o;
            }

            done = true;
            return o with { Inputs = o.Inputs[1..] };
        });
        var d = ReplayVerifier.Verify(path, catalog: Fixtures.Catalog).Divergence;
        Assert.NotNull(d);
        Assert.Equal(3, d.Epoch);
        Assert.Equal("input", d.What);
        Assert.StartsWith("inject ", d.Actual, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_ChangedStateHash_ReportsTheHashAtTheEpochsEnd()
    {
        bool done = false;
        string path = Recorded(tamper: o =>
        {
            if (done || o.Epoch < 5 || o.StateHashes!.Length == 0)
            {
                return o;
            }

            done = true;
            var hashes = (MachineStateHash[])o.StateHashes.Clone();
            hashes[0] = hashes[0] with { Hash = hashes[0].Hash ^ 1 };
            return o with { StateHashes = hashes };
        });
        var d = ReplayVerifier.Verify(path, catalog: Fixtures.Catalog).Divergence;
        Assert.NotNull(d);
        Assert.Equal(("state hash", 5, 6 * CampaignOptions.DayNs), (d.What, d.Epoch, d.TimeNs));
    }

    [Fact]
    public void Verify_OtherSpecSameWorkload_Diverges()
    {
        // A header that claims seed 8 over frames recorded with seed 7: re-simulation disagrees at once.
        string seven = PathOf("seven.mcar");
        string eight = PathOf("eight.mcar");
        Fixtures.Record(seven, Fixtures.Spec(seed: 7));
        Fixtures.Record(eight, Fixtures.Spec(seed: 8));
        var diff = ReplayDiff.Compare(seven, eight);
        Assert.NotNull(diff.Divergence);
        Assert.Contains("seed: 7 vs 8", diff.HeaderDifferences);
    }

    [Fact]
    public void Extract_ThenVerify_IdenticalOnItsOwn()
    {
        string path = Recorded();
        string one = PathOf("m17.mcar");
        var report = ReplayExtractor.Extract(path, 17, one, Fixtures.Catalog);
        Assert.Null(report.Divergence);
        Assert.True(report.Events > 0 && report.Bytes == new FileInfo(one).Length);

        using (var reader = ReplayReader.Open(one))
        {
            Assert.Equal((ReplayKind.Extract, 17, 1), (reader.Header.Kind, reader.Header.FirstMachineId, reader.Header.MachineCount));
        }

        var verify = ReplayVerifier.Verify(one, catalog: Fixtures.Catalog);
        Assert.Null(verify.Divergence);

        // The extract holds exactly machine 17's part of the campaign.
        var diff = ReplayDiff.Compare(path, one);
        Assert.Null(diff.Divergence);
        Assert.Equal((17, 18), (diff.FirstMachine, diff.EndMachine));
        var fromCampaign = ReplayShow.Machine(path, 17).Entries;
        var fromExtract = ReplayShow.Machine(one, 17).Entries;
        Assert.Equal(fromCampaign.Count, fromExtract.Count);
    }

    [Fact]
    public void Extract_ThenVerify_TwiceSameBytes()
    {
        string path = Recorded();
        ReplayExtractor.Extract(path, 5, PathOf("x1.mcar"), Fixtures.Catalog);
        ReplayExtractor.Extract(path, 5, PathOf("x2.mcar"), Fixtures.Catalog);
        Assert.Equal(File.ReadAllBytes(PathOf("x1.mcar")), File.ReadAllBytes(PathOf("x2.mcar")));
    }

    [Fact]
    public void Extract_TamperedMachine_RefusesAndWritesNothing()
    {
        HandlerEvent? changed = null;
        string path = Recorded(tamper: Fixtures.ChangeEvent(HandlerEventKind.Dom0Logged, 0, e =>
        {
            changed = e;
            return e with { Status = e.Status ^ 0x10 };
        }));
        string output = PathOf("bad.mcar");
        var report = ReplayExtractor.Extract(path, changed!.Value.Machine, output, Fixtures.Catalog);
        Assert.NotNull(report.Divergence);
        Assert.Null(report.Output);
        Assert.False(File.Exists(output));
        Assert.False(File.Exists(output + ".tmp"));
    }

    [Fact]
    public void Rerun_SamePolicy_ChangesNothing()
    {
        string path = Recorded();
        var report = ReplayRerun.Run(path, "rfc2009", threads: 2, catalog: Fixtures.Catalog);
        Assert.Empty(report.Changes);
        Assert.Null(report.FirstDivergence);
        Assert.Equal(report.Recorded, report.Replayed);
    }

    [Fact]
    public void Rerun_RecordedInputsReproduceTheDigest()
    {
        string path = Recorded();
        var r = ReplayRerun.Run(path, "rfc2009", catalog: Fixtures.Catalog);
        using var reader = ReplayReader.Open(path);
        Assert.Equal(reader.Index.Totals.Counts, r.Replayed);
    }

    [Fact]
    public void Rerun_OtherPolicy_ReportsTheChanges()
    {
        string path = Recorded();
        var report = ReplayRerun.Run(path, "xen", catalog: Fixtures.Catalog);
        Assert.Equal("xen", report.Policy);
        Assert.NotEmpty(report.Changes);
        Assert.NotNull(report.FirstDivergence);
        Assert.NotEqual(report.Recorded, report.Replayed);
        Assert.Equal(report.Recorded.ErrorArrivals, report.Replayed.ErrorArrivals);

        // The inputs were the recorded ones: the campaign under xen from the same seed gives the same totals.
        string xen = Recorded("xen.mcar", policy: "xen");
        using var reader = ReplayReader.Open(xen);
        Assert.Equal(reader.Index.Totals.Counts, report.Replayed);
    }

    [Fact]
    public void Rerun_OneMachine_MatchesItsPartOfTheFleetRerun()
    {
        string path = Recorded();
        var fleet = ReplayRerun.Run(path, "xen", catalog: Fixtures.Catalog);
        var change = fleet.Changes[0];
        var one = ReplayRerun.Run(path, "xen", machine: change.Machine, catalog: Fixtures.Catalog);
        Assert.Equal((change.Machine, 1), (one.FirstMachine, one.MachineCount));
        Assert.Equal(change, Assert.Single(one.Changes));
    }

    [Fact]
    public void Diff_SameCampaign_Identical_OtherPolicy_FirstDivergence()
    {
        string a = Recorded("a.mcar");
        string b = Recorded("b.mcar");
        string xen = Recorded("xen.mcar", policy: "xen");
        var same = ReplayDiff.Compare(a, b);
        Assert.True(same.Identical);
        Assert.Empty(same.HeaderDifferences);

        var other = ReplayDiff.Compare(a, xen);
        Assert.NotNull(other.Divergence);
        Assert.Contains("policy: rfc2009 vs xen", other.HeaderDifferences);
        var rerun = ReplayRerun.Run(a, "xen", catalog: Fixtures.Catalog);
        Assert.Equal(rerun.FirstDivergence, other.Divergence);
    }

    [Fact]
    public void Show_MachineTimeline_InTimeOrderWithinRange()
    {
        string path = Recorded();
        var all = ReplayShow.Machine(path, 3);
        Assert.NotEmpty(all.Entries);
        Assert.Contains(all.Entries, e => e.Input is not null);
        Assert.Contains(all.Entries, e => e.StateHash is not null);
        long from = 2 * CampaignOptions.DayNs, to = 4 * CampaignOptions.DayNs;
        var part = ReplayShow.Machine(path, 3, from, to);
        Assert.All(part.Entries, e => Assert.InRange(e.TimeNs, from, to));
        Assert.Equal(all.Entries.Count(e => e.TimeNs >= from && e.TimeNs <= to), part.Entries.Count);
    }

    [Fact]
    public void Show_Totals_WholeRunIsTheRecordedTotals_RangesAddUp()
    {
        string path = Recorded();
        var whole = ReplayShow.Totals(path, catalog: Fixtures.Catalog);
        Assert.Equal(whole.Totals.Counts, whole.Counts);
        var first = ReplayShow.Totals(path, 0, (4 * CampaignOptions.DayNs) - 1, Fixtures.Catalog);
        var second = ReplayShow.Totals(path, 4 * CampaignOptions.DayNs, (8 * CampaignOptions.DayNs) - 1, Fixtures.Catalog);
        Assert.Equal(whole.Counts.HandlerEvents, first.Counts.HandlerEvents + second.Counts.HandlerEvents);
    }

    [Fact]
    public void Diff_OtherBatchSize_SameDataDifferentFrames()
    {
        // Frames follow the batches, but inputs, events and state hashes do not depend on them.
        string a = PathOf("b16.mcar");
        string b = PathOf("b5.mcar");
        Fixtures.Record(a, Fixtures.Spec(batchSize: 16));
        Fixtures.Record(b, Fixtures.Spec(batchSize: 5));
        Assert.NotEqual(File.ReadAllBytes(a), File.ReadAllBytes(b));
        var diff = ReplayDiff.Compare(a, b);
        Assert.Null(diff.Divergence);
        Assert.Equal(["spec batch_size: 16 vs 5"], diff.HeaderDifferences);
    }
}
