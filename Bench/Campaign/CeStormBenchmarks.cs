using BenchmarkDotNet.Attributes;
using Mca.Bench.Columns;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Storm;

namespace Mca.Bench.Campaign;

/// <summary>
/// The CE storm of issue 19: 10^6 corrected errors a day on every machine (one storm lasting the whole run, the
/// storm workload's uncorrected errors on top), 1,000 default machines for 30 days, on 2 worker threads, taken in
/// closed-form runs. <c>PhysicalEvents/s</c> counts handler events as what they stand for (each CE arrival,
/// CMCI, logout find, commit, VIRQ and dom0 record), the work a literal simulation would step one by one.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(PhysicalEventsPerSecondConfig))]
public class CeStormBenchmarks : IThroughputBenchmark
{
    private const int Machines = 1_000;
    private const int Days = 30;

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    [Benchmark]
    public long CampaignRunner_CeStorm() => CampaignRunner.Run(Options()).Counts.HandlerEvents;

    public double UnitsPerOperation() => CampaignRunner.Run(Options()).Counts.HandlerEvents;

    internal static StormParameters CeStorm => new()
    {
        StormsPerMachineYear = 3_650,
        StormDurationMeanMinutes = 525_600,
        StormCePerSecond = 1e6 / 86_400,
    };

    private CampaignOptions Options() => new()
    {
        Machine = MachineSpec.Default,
        Policy = HandlerPolicy.Parse(Policy),
        Machines = Machines,
        DurationNs = Days * CampaignOptions.DayNs,
        Seed = 1,
        Threads = 2,
        Source = StormErrorSource.Factory(MachineSpec.Default, CeStorm, 1),
    };
}
