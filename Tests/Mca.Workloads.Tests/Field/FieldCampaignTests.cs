using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Field;

namespace Mca.Workloads.Tests.Field;

/// <summary>docs/design.md determinism with the field workload in the whole engine: threads, batch size and polling mode change nothing.</summary>
public class FieldCampaignTests
{
    private static CampaignOptions Options(string policy, int machines = 96, int days = 60) => new()
    {
        Machine = MachineSpec.Default,
        Policy = HandlerPolicy.Parse(policy),
        Machines = machines,
        DurationNs = days * CampaignOptions.DayNs,
        Seed = 21,
        BatchSize = 16,
        Source = FieldErrorSource.Factory(MachineSpec.Default, FieldStressedConformanceTests.Stressed, 21),
    };

    [Theory]
    [InlineData("rfc2009")]
    [InlineData("xen")]
    public void ThreadsAndBatchSize_DoNotChangeTheDigest(string policy)
    {
        var o = Options(policy);
        var a = CampaignRunner.Run(o);
        var b = CampaignRunner.Run(o with { Threads = 2, BatchSize = 7 });
        var c = CampaignRunner.Run(o with { Threads = 3, BatchSize = 96, EpochNs = 5 * CampaignOptions.DayNs });
        Assert.Equal(a.Digest, b.Digest);
        Assert.Equal(a.Digest, c.Digest);
        Assert.Equal(a.Counts, c.Counts);
        Assert.Equal(a.DimmsWithCe, c.DimmsWithCe);
        Assert.True(a.Counts.ErrorArrivals > 1000 && a.Counts.MceEvents > 0 && a.Counts.Resets > 0, $"the stressed fleet exercises the handler ({a.Counts.ErrorArrivals} arrivals)");
    }

    [Fact]
    public void FastMode_EqualsLiteralPolling()
    {
        var o = Options("rfc2009", machines: 16, days: 8);
        var fast = CampaignRunner.Run(o);
        var literal = CampaignRunner.Run(o with { LiteralPolling = true });
        Assert.Equal(fast.Counts, literal.Counts);
        Assert.Equal(fast.Digest, literal.Digest);
    }
}
