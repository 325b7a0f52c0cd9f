using Mca.Replay.Recording;
using Mca.Systems.Events;
using Mca.Tests.Shared.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Tests;

/// <summary>
/// Format 4's default: frames keep the counts and hashes of every machine's inputs and events, and every command
/// that needs them re-simulates (ReplayContent). Each test compares a hash-only file with one that stores
/// everything, recorded from the same spec: what a command shows must not depend on what the file stores.
/// </summary>
public sealed class HashedReplayTests : TempDirectoryTest
{
    private string Recorded(ReplayContents contents, string name, string policy = "rfc2009", Func<EpochOutput, EpochOutput>? tamper = null)
    {
        string path = PathOf(name);
        Fixtures.Record(path, Fixtures.Spec(policy: policy), contents: contents, tamper: tamper);
        return path;
    }

    [Fact]
    public void HashOnlySections_CarryTheCountsAndHashesOfTheStoredItems_AndTheSameStateHashes()
    {
        string all = Recorded(ReplayContents.All, "all.mcar");
        string hashes = Recorded(ReplayContents.Hashes, "hashes.mcar");
        using var a = ReplayReader.Open(all);
        using var h = ReplayReader.Open(hashes);
        Assert.Equal(ReplayContents.Hashes, h.Header.Contents);
        Assert.True(a.Header.StoresAll);
        Assert.Equal(a.Index.MachineIds, h.Index.MachineIds);
        Assert.Equal(a.Index.Totals, h.Index.Totals);
        var fa = a.ReadFrames().SelectMany(f => f.Machines).ToList();
        var fh = h.ReadFrames().SelectMany(f => f.Machines).ToList();
        Assert.Equal(fa.Count, fh.Count);
        Assert.True(fa.Sum(s => s.EventCount) > 1000);
        for (int i = 0; i < fa.Count; i++)
        {
            Assert.False(fh[i].InputsStored || fh[i].EventsStored);
            Assert.Empty(fh[i].Events);
            Assert.Equal((fa[i].Machine, fa[i].StateHash), (fh[i].Machine, fh[i].StateHash));
            Assert.Equal((fa[i].InputCount, fa[i].InputHash, fa[i].EventCount, fa[i].EventHash), (fh[i].InputCount, fh[i].InputHash, fh[i].EventCount, fh[i].EventHash));
        }

        Assert.True(new FileInfo(hashes).Length * 3 < new FileInfo(all).Length, "hashes only is a fraction of the full file");
    }

    [Fact]
    public void SectionHash_OfNothing_IsTheDocumentedConstant()
    {
        // docs/replay-format.md "Section hashes": the low half of XXH3-64 of no bytes.
        Assert.Equal(0x38d394c2u, SectionHash.Events([]));
        Assert.Equal(0x38d394c2u, SectionHash.Inputs([]));
    }

    [Fact]
    public void Show_Machine_RederivedTimeline_EqualsTheStoredOne()
    {
        string all = Recorded(ReplayContents.All, "all.mcar");
        string hashes = Recorded(ReplayContents.Hashes, "hashes.mcar");
        using var reader = ReplayReader.Open(all);
        foreach (int m in reader.Index.MachineIds.Take(6))
        {
            var stored = ReplayShow.Machine(all, m, catalog: Fixtures.Catalog);
            var derived = ReplayShow.Machine(hashes, m, catalog: Fixtures.Catalog);
            Assert.NotEmpty(derived.Entries);
            Assert.Equal(stored.Entries, derived.Entries);
            Assert.Equal(stored.Tally, derived.Tally);
        }
    }

    [Fact]
    public void Show_WithAndTimeRanges_OverTheFleet_EqualTheStoredOnes()
    {
        string all = Recorded(ReplayContents.All, "all.mcar");
        string hashes = Recorded(ReplayContents.Inputs, "inputs.mcar");
        var a = ReplayShow.With(all, ReplayShow.AnyOutcome, catalog: Fixtures.Catalog);
        var h = ReplayShow.With(hashes, ReplayShow.AnyOutcome, catalog: Fixtures.Catalog, threads: 2);
        Assert.NotEmpty(a.Machines);
        Assert.Equal(a.Machines, h.Machines);
        long to = (3 * CampaignOptions.DayNs) - 1;
        Assert.Equal(ReplayShow.Totals(all, 0, to, Fixtures.Catalog).Counts, ReplayShow.Totals(hashes, 0, to, Fixtures.Catalog).Counts);
    }

    [Fact]
    public void Verify_ChangedEvent_InAHashOnlyFile_NamesTheMachineAndEpoch_AndPrintsTheNewEnginesEvents()
    {
        HandlerEvent? original = null;
        string path = Recorded(ReplayContents.Hashes, "tampered.mcar", tamper: Fixtures.ChangeEvent(HandlerEventKind.Reset, 1, e =>
        {
            original = e;
            return e with { Arg = (long)ResetReason.McipShutdown };
        }));
        var d = ReplayVerifier.Verify(path, threads: 2, catalog: Fixtures.Catalog).Divergence;
        Assert.NotNull(d);
        Assert.NotNull(original);
        Assert.Equal(("events", original.Value.Machine, (int)(original.Value.TimeNs / CampaignOptions.DayNs)), (d.What, d.Machine, d.Epoch));
        Assert.Equal(d.Expected.Split(',')[0], d.Actual.Split(',')[0]);
        Assert.NotEqual(d.Expected, d.Actual);
        // The new engine's events of that machine and epoch, among them the one the file's hash was taken over a change of.
        Assert.Contains(d.ActualItems, line => line.EndsWith(ReplayText.Event(original.Value), StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_RemovedInput_InAHashOnlyFile_IsAnInputsDivergence()
    {
        bool done = false;
        string path = Recorded(ReplayContents.Hashes, "noinput.mcar", tamper: o =>
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
        Assert.Equal(("inputs", 3), (d.What, d.Epoch));
        Assert.Contains(d.ActualItems, line => line.Contains("inject ", StringComparison.Ordinal));
    }

    [Fact]
    public void Show_TamperedHashOnlyFile_RefusesWithOneLine_NamingMachineEpochAndEngines()
    {
        HandlerEvent? original = null;
        string path = Recorded(ReplayContents.Hashes, "tampered.mcar", tamper: Fixtures.ChangeEvent(HandlerEventKind.Reset, 0, e =>
        {
            original = e;
            return e with { Arg = (long)ResetReason.McipShutdown };
        }));
        Assert.NotNull(original);
        int m = original.Value.Machine;
        var e = Assert.Throws<ReplayMismatchException>(() => ReplayShow.Machine(path, m, catalog: Fixtures.Catalog));
        Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
        Assert.StartsWith(path + ": stores only the hashes", e.Message, StringComparison.Ordinal);
        Assert.Contains(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"machine {m}, epoch {original.Value.TimeNs / CampaignOptions.DayNs}"), e.Message, StringComparison.Ordinal);
        Assert.Contains(ReplayFormat.EngineVersion, e.Message, StringComparison.Ordinal);
        // The fleet-wide readers stop the same way, and nothing past the bad epoch is handed out.
        Assert.Throws<ReplayMismatchException>(() => ReplayShow.With(path, "resets", catalog: Fixtures.Catalog));
    }

    [Fact]
    public void Diff_HashOnlyFiles_NamesTheFirstDifferingEvent_AsForStoredFiles()
    {
        var stored = ReplayDiff.Compare(Recorded(ReplayContents.All, "a.mcar"), Recorded(ReplayContents.All, "xen.mcar", policy: "xen"), Fixtures.Catalog);
        var hashed = ReplayDiff.Compare(Recorded(ReplayContents.Hashes, "ha.mcar"), Recorded(ReplayContents.Hashes, "hxen.mcar", policy: "xen"), Fixtures.Catalog);
        Assert.NotNull(stored.Divergence);
        Assert.Equal(stored.Divergence, hashed.Divergence);
        Assert.True(ReplayDiff.Compare(Recorded(ReplayContents.Hashes, "hb.mcar"), PathOf("ha.mcar"), Fixtures.Catalog).Identical);
    }

    [Fact]
    public void Rerun_OtherPolicy_OnAHashOnlyFile_SameReportAsOnAStoredOne()
    {
        string all = Recorded(ReplayContents.All, "all.mcar");
        string hashes = Recorded(ReplayContents.Hashes, "hashes.mcar");
        var a = ReplayRerun.Run(all, "xen", threads: 2, catalog: Fixtures.Catalog);
        var h = ReplayRerun.Run(hashes, "xen", threads: 2, catalog: Fixtures.Catalog);
        Assert.NotEmpty(a.Changes);
        Assert.Equal((a.Recorded, a.Replayed, a.FirstDivergence), (h.Recorded, h.Replayed, h.FirstDivergence));
        Assert.Equal(a.Changes, h.Changes);
        int m = a.Changes[0].Machine;
        Assert.Equal(ReplayRerun.Run(all, "xen", machine: m, catalog: Fixtures.Catalog).Changes, ReplayRerun.Run(hashes, "xen", machine: m, catalog: Fixtures.Catalog).Changes);
    }

    [Fact]
    public void Extract_OfAHashOnlyFile_StoresEverything_AndVerifiesOnItsOwn()
    {
        string hashes = Recorded(ReplayContents.Hashes, "hashes.mcar");
        using var reader = ReplayReader.Open(hashes);
        int m = reader.Index.MachineIds[1];
        string one = PathOf("one.mcar");
        var report = ReplayExtractor.Extract(hashes, m, one, Fixtures.Catalog);
        Assert.Null(report.Divergence);
        using (var x = ReplayReader.Open(one))
        {
            Assert.True(x.Header.StoresAll);
            Assert.True(report.Events > 0);
        }

        Assert.True(ReplayVerifier.Verify(one, catalog: Fixtures.Catalog).Identical);
        Assert.Equal(ReplayShow.Machine(hashes, m, catalog: Fixtures.Catalog).Entries, ReplayShow.Machine(one, m).Entries);
    }
}
