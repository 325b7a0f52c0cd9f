using BenchmarkDotNet.Attributes;
using Mca.Bench.Columns;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Bench.Baselines;

/// <summary>
/// The ECS pipeline against the object-oriented baseline (<see cref="ObjectFleet"/>, <c>Baseline = true</c>)
/// on 10,000 machines, one thread: the heavy synthetic mix at a mean gap of one hour per machine for three
/// simulated days (about 1.4 million handler invocations), from a fresh fleet each operation, events drained
/// every simulated day. Both produce the same events (Mca.Bench.Tests checks it), so <c>Invocations/s</c>
/// (pipeline runs for one machine at one instant) compares like with like. The ECS runs as a 1-thread
/// campaign does: batches of 256 machines, each stepped to the end of the day in turn.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InvocationsPerSecondConfig))]
public class HandlerThroughputBenchmarks : IThroughputBenchmark
{
    private const int MachineCount = 10_000;
    private const int BatchSize = 256;
    private const int Days = 3;
    private const long DayNs = 86_400 * MachineSpec.NsPerSecond;
    private const long MeanGapNs = 3600 * MachineSpec.NsPerSecond;

    private List<MachineBatch> _batches = [];
    private ObjectFleet? _fleet;

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    private static MachineSpec Spec => MachineSpec.Default;

    [IterationSetup(Target = nameof(ObjectBaseline_Run))]
    public void SetupBaseline() => _fleet = BuildFleet(HandlerPolicy.Parse(Policy));

    [IterationSetup(Target = nameof(EcsBatches_Run))]
    public void SetupEcs() => _batches = BuildBatches(HandlerPolicy.Parse(Policy));

    [Benchmark(Baseline = true)]
    [InvocationCount(1)]
    public long ObjectBaseline_Run() => RunFleet(_fleet!);

    [Benchmark]
    [InvocationCount(1)]
    public long EcsBatches_Run() => RunBatches(_batches);

    public double UnitsPerOperation()
    {
        var batches = BuildBatches(HandlerPolicy.Parse(Policy));
        RunBatches(batches);
        return batches.Sum(b => b.HandlerInvocations);
    }

    private static ObjectFleet BuildFleet(HandlerPolicy policy) =>
        new(Spec, policy, 0, MachineCount, seed: 1, new SyntheticErrorSource(Spec, 1, 0, MachineCount, Days * DayNs, MeanGapNs));

    private static List<MachineBatch> BuildBatches(HandlerPolicy policy)
    {
        var batches = new List<MachineBatch>();
        for (int first = 0; first < MachineCount; first += BatchSize)
        {
            int n = Math.Min(BatchSize, MachineCount - first);
            batches.Add(MachineBatches.Create(Spec, policy, first, n, seed: 1, new SyntheticErrorSource(Spec, 1, first, n, Days * DayNs, MeanGapNs)));
        }

        return batches;
    }

    private static long RunFleet(ObjectFleet fleet)
    {
        long events = 0;
        for (int d = 1; d <= Days; d++)
        {
            fleet.RunUntil(d * DayNs);
            events += fleet.Events.Count;
            fleet.Events.Clear();
        }

        return events;
    }

    private static long RunBatches(List<MachineBatch> batches)
    {
        long events = 0;
        for (int d = 1; d <= Days; d++)
        {
            foreach (var batch in batches)
            {
                batch.RunUntil(d * DayNs);
                events += batch.Events.Count;
                batch.Events.Clear();
            }
        }

        return events;
    }
}
