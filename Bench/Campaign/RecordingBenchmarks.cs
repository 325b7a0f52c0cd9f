using BenchmarkDotNet.Attributes;
using Mca.Bench.Columns;
using Mca.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Bench.Campaign;

/// <summary>
/// What recording costs (issue 5): the default campaign (<c>mca campaign</c>: 10,000 machines for 365 days under the
/// field workload, rfc2009, weekly epochs, seed 1) on every core, plain (<c>CampaignRunner_Run</c>, the baseline) and
/// recorded to a temporary file (<c>ReplayWriter_Record</c>: the same run keeping events, logging inputs and hashing
/// state, encoding and compressing frames on the workers, writing, indexing, fsync and rename). Warm, in one process:
/// the <c>Ratio</c> is the recording's steady cost, without the compilation a cold <c>mca campaign --record</c> also
/// pays. <c>MachineYears/s</c> is simulated machine-years per wall-clock second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(MachineYearsPerSecondConfig))]
public class RecordingBenchmarks : IThroughputBenchmark
{
    private static readonly CampaignSpec Spec = new();

    private string _path = "";

    [GlobalSetup]
    public void GlobalSetup() =>
        _path = Path.Combine(Path.GetTempPath(), "mca-bench-recording-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".mcar");

    [GlobalCleanup]
    public void GlobalCleanup() => File.Delete(_path);

    [Benchmark(Baseline = true)]
    public long CampaignRunner_Run() => CampaignRunner.Run(Spec.ToOptions(Environment.ProcessorCount)).Counts.HandlerEvents;

    [Benchmark]
    public long ReplayWriter_Record() => ReplayWriter.Record(_path, Spec, Environment.ProcessorCount).Counts.HandlerEvents;

    public double UnitsPerOperation() => Spec.Machines * (Spec.Days / 365.0);
}
