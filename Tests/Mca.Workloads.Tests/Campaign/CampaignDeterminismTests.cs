using Mca.Tests.Shared;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Workloads.Tests.Campaign;

/// <summary>docs/design.md determinism: same seed, same digest, for any thread count, batch size or mode.</summary>
public class CampaignDeterminismTests
{
    private static CampaignOptions Options(HandlerPolicy policy, int machines = 96, int days = 20, ulong seed = 7, long meanGapNs = 6 * 3600 * MachineSpec.NsPerSecond) => new()
    {
        Machine = MachineSpec.Default,
        Policy = policy,
        Machines = machines,
        DurationNs = days * CampaignOptions.DayNs,
        Seed = seed,
        BatchSize = 16,
        Source = (first, count, horizon) => new RandomErrorSource(MachineSpec.Default, seed, first, count, horizon, meanGapNs),
    };

    public static TheoryData<string> Policies => ["rfc2009", "xen", "rfc2009-impacted"];

    [Theory]
    [MemberData(nameof(Policies))]
    public void SameSeedTwice_SameDigestAndCounts(string policy)
    {
        var o = Options(HandlerPolicy.Parse(policy));
        var a = CampaignRunner.Run(o);
        var b = CampaignRunner.Run(o);
        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal(a.Counts, b.Counts);
        Assert.True(a.Counts.ErrorArrivals > 500, $"the random mix exercises the handler ({a.Counts.ErrorArrivals} arrivals)");
        Assert.True(a.Counts.Resets > 0 && a.Counts.LogsDelivered > 0 && a.Counts.MceEvents > 0);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void ThreadCount_DoesNotChangeDigest(string policy)
    {
        var o = Options(HandlerPolicy.Parse(policy));
        var one = CampaignRunner.Run(o with { Threads = 1 });
        var two = CampaignRunner.Run(o with { Threads = 2 });
        var three = CampaignRunner.Run(o with { Threads = 3 });
        Assert.Equal(one.Digest, two.Digest);
        Assert.Equal(one.Digest, three.Digest);
        Assert.Equal(one.Counts, three.Counts);
    }

    [Fact]
    public void BatchSizeAndEpoch_DoNotChangeDigest()
    {
        var o = Options(HandlerPolicy.Xen);
        var a = CampaignRunner.Run(o with { BatchSize = 16 });
        var b = CampaignRunner.Run(o with { BatchSize = 5 });
        var c = CampaignRunner.Run(o with { BatchSize = 96, EpochNs = 3 * CampaignOptions.DayNs });
        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal(a.Digest, c.Digest);
    }

    [Fact]
    public void DifferentSeed_DifferentDigest()
    {
        Assert.NotEqual(CampaignRunner.Run(Options(HandlerPolicy.Xen, seed: 1)).Digest, CampaignRunner.Run(Options(HandlerPolicy.Xen, seed: 2)).Digest);
    }

    [Theory]
    [MemberData(nameof(Policies))]
    public void FastMode_EqualsLiteralPolling(string policy)
    {
        var o = Options(HandlerPolicy.Parse(policy), machines: 24, days: 6, meanGapNs: 3 * 3600 * MachineSpec.NsPerSecond);
        var fast = CampaignRunner.Run(o);
        var literal = CampaignRunner.Run(o with { LiteralPolling = true });
        Assert.Equal(fast.Counts, literal.Counts);
        Assert.Equal(fast.Digest, literal.Digest);
    }

    [Fact]
    public void EpochTotals_AddUpToTheResult()
    {
        var o = Options(HandlerPolicy.Rfc2009);
        var sum = default(CampaignCounts);
        var result = CampaignRunner.Run(o, record: e => sum.Add(e.Counts));
        Assert.Equal(result.Counts, sum);
    }

    [Fact]
    public void Progress_ReportedOncePerBatchInOrder()
    {
        // 96 machines in batches of 16: six batches, each reported once it is merged, in order.
        var seen = new List<long>();
        var o = Options(HandlerPolicy.Xen, days: 5) with { Threads = 3 };
        CampaignRunner.Run(o, progress: p =>
        {
            Assert.Equal(p.MachinesDone * o.EpochCount, p.MachineEpochsDone);
            Assert.Equal(96L * o.EpochCount, p.MachineEpochs);
            seen.Add(p.MachinesDone);
        });
        Assert.Equal([16L, 32, 48, 64, 80, 96], seen);
    }

    [Fact]
    public void Streaming_SameResultAsLockstep()
    {
        // With a recorder attached the batches run in lockstep (every batch alive, epoch by epoch); without, they
        // stream (each batch to its end, then dropped). The two orders give the same result, epoch counts included.
        var o = Options(HandlerPolicy.Xen) with { Threads = 2, EpochNs = 3 * CampaignOptions.DayNs };
        var streamed = CampaignRunner.Run(o);
        var lockstep = CampaignRunner.Run(o with { Recorder = _ => new NullRecorder(), Lockstep = true });
        Assert.Equal(lockstep.Digest, streamed.Digest);
        Assert.Equal(lockstep.Counts, streamed.Counts);
        Assert.Equal(lockstep.EpochCounts, streamed.EpochCounts);
        Assert.Equal(lockstep.Outcomes, streamed.Outcomes);
        Assert.True(streamed.Counts.HandlerEvents > 0);
    }

    [Fact]
    public void MachineCounts_SumToTheTotals()
    {
        // Each machine's own counts (the per-machine table's columns) add up to the campaign's totals.
        var o = Options(HandlerPolicy.Rfc2009) with { Threads = 2 };
        var sum = default(CampaignCounts);
        long resets = 0;
        int withFirstReset = 0;
        var sink = new CollectingSink();
        var r = CampaignRunner.Run(o, sink: sink);
        foreach (var b in sink.Batches)
        {
            foreach (var m in b.Machines)
            {
                sum.Add(in m.Counts);
                resets += m.Resets;
                if (m.Resets > 0)
                {
                    // A reset at the very start cannot happen: errors arrive after time 0.
                    Assert.InRange(m.FirstResetNs, 1, o.DurationNs - 1);
                    withFirstReset++;
                }
            }
        }

        Assert.Equal(r.MachinesReset, withFirstReset);
        Assert.True(withFirstReset > 0, "the run has resets, so the first-reset times are checked");

        Assert.Equal(r.Counts, sum);
        Assert.Equal(r.Counts.Resets, resets);
        Assert.Equal(Enumerable.Range(0, 6), sink.Batches.Select(b => b.Batch));
    }

    private sealed class CollectingSink : IBatchSink
    {
        public List<BatchResult> Batches { get; } = [];

        public void Done(BatchResult result, bool resumed) => Batches.Add(result);
    }

    private sealed class NullRecorder : IBatchRecorder
    {
        public ReadOnlySpan<Systems.Engine.RecordedInput> Inputs => [];

        public ulong StateHash(int machine) => 0;

        public void EpochDone()
        {
        }
    }

    [Fact]
    public void NoErrors_NothingHappens()
    {
        var o = Options(HandlerPolicy.Xen) with { Source = (_, _, _) => Systems.Engine.NoErrors.Instance, DurationNs = 3650 * CampaignOptions.DayNs };
        var r = CampaignRunner.Run(o);
        Assert.Equal(0, r.Counts.HandlerEvents);
        Assert.Equal(0, r.MachinesReset);
    }
}
