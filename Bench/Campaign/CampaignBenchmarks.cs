using BenchmarkDotNet.Attributes;
using Mca.Bench.Columns;
using Mca.Bench.Workloads;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Bench.Campaign;

/// <summary>
/// A whole campaign through <see cref="CampaignRunner.Run"/> (batches of 256, day epochs, ordered merge,
/// digest): 1,000 or 10,000 default machines for 30 simulated days under the xen policy, with the heavy
/// synthetic mix at a mean gap of 12 hours per machine (about 60 errors per machine), on 1 or 2 worker
/// threads. <c>MachineYears/s</c> is simulated machine-years per wall-clock second. The synthetic source
/// stands in for the field workload until that lands.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(MachineYearsPerSecondConfig))]
public class CampaignBenchmarks : IThroughputBenchmark
{
    private const int Days = 30;
    private const long MeanGapNs = 12 * 3600 * MachineSpec.NsPerSecond;

    [Params(1_000, 10_000)]
    public int Machines { get; set; } = 1_000;

    [Params(1, 2)]
    public int Threads { get; set; } = 1;

    [Benchmark]
    public long CampaignRunner_Run()
    {
        var result = CampaignRunner.Run(Options());
        return result.Counts.HandlerEvents;
    }

    public double UnitsPerOperation() => Machines * (Days / 365.0);

    private CampaignOptions Options() => new()
    {
        Machine = MachineSpec.Default,
        Policy = HandlerPolicy.Xen,
        Machines = Machines,
        DurationNs = Days * CampaignOptions.DayNs,
        Seed = 1,
        Threads = Threads,
        Source = SyntheticErrorSource.Factory(MachineSpec.Default, 1, MeanGapNs),
    };
}
