using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Workloads.Tests.Campaign;

public class MemoryEstimateTests
{
    [Fact]
    public void DefaultMachine_CountsItsRows()
    {
        // 16 CPUs; banks 0-1 per thread (32), 2-3 per core (16), 4-9 per package (12); the domains and their vCPUs.
        var m = MachineSpec.Default;
        Assert.Equal(16 + 32 + 16 + 12 + m.Domains.Count + m.TotalVcpuCount, MemoryEstimate.EntitiesPerMachine(m));
    }

    [Fact]
    public void LockstepEstimate_GrowsWithTheFleet_AsMeasured()
    {
        // A lockstep run keeps every batch. Measured peak RSS: 224 MB at 10,000 default machines, 1.66 GB at 100,000; the estimate is within 15 %.
        double at10k = MemoryEstimate.BytesFor(new CampaignSpec { Machines = 10_000 });
        double at100k = MemoryEstimate.BytesFor(new CampaignSpec { Machines = 100_000 });
        Assert.InRange(at10k / 224e6, 0.85, 1.15);
        Assert.InRange(at100k / 1.66e9, 0.85, 1.15);
    }

    [Fact]
    public void StreamingEstimate_DoesNotDependOnTheFleet()
    {
        Assert.Equal(MemoryEstimate.BytesFor(new CampaignSpec { Machines = 100_000 }, threads: 2), MemoryEstimate.BytesFor(new CampaignSpec { Machines = 10_000_000 }, threads: 2));
        Assert.True(MemoryEstimate.BytesFor(new CampaignSpec { Machines = 10_000_000 }, threads: 2) < 1L << 30);
        MemoryEstimate.Require(new CampaignSpec { Machines = CampaignSpec.MachinesMax }, 1L << 30, threads: 2, lockstep: false);
    }

    [Fact]
    public void Require_Streaming_RefusesOnBatchSize()
    {
        var spec = new CampaignSpec { Machines = 1_000_000, BatchSize = 65_536 };
        var e = Assert.Throws<CampaignSpecException>(() => MemoryEstimate.Require(spec, 4L << 30, threads: 64, lockstep: false));
        Assert.Equal("batch_size", e.Key);
        Assert.StartsWith("batches that fit in memory on 64 threads", e.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void Require_RefusesOnMachines_WithTheEstimateAndWhatFits()
    {
        var spec = new CampaignSpec { Machines = 1_000_000 };
        MemoryEstimate.Require(spec, 32L << 30);
        var e = Assert.Throws<CampaignSpecException>(() => MemoryEstimate.Require(spec, 4L << 30));
        Assert.Equal("machines", e.Key);
        Assert.Equal("1,000,000 machines needing about 16.4 GB with 4.3 GB available", e.Found);
        Assert.StartsWith("a fleet that fits in memory with every batch kept (about 15.9 KB per machine of this shape: at most 259,", e.Expected, StringComparison.Ordinal);
    }
}
