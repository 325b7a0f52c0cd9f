using BenchmarkDotNet.Attributes;
using Mca.Bench.Columns;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Bench.Pipeline;

/// <summary>
/// An error storm on 1,000 machines (4 batches of 256, one thread): the heavy synthetic mix at a mean gap of
/// 10 minutes per machine for one simulated day (about 144 errors per machine: CMCI bursts, UCNA, SRAO and
/// SRAR #MCs, PCC resets and reboots), from a fresh fleet each operation, events drained every simulated
/// hour as a campaign does. <c>Invocations/s</c> counts pipeline runs (one machine at one instant with work).
/// Allocations include the fleet's warm-up (event buffers, telemetry pools), not its construction.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InvocationsPerSecondConfig))]
public class StormBenchmarks : IThroughputBenchmark
{
    private const int MachineCount = 1000;
    private const int BatchSize = 256;
    private const long HourNs = 3600 * MachineSpec.NsPerSecond;
    private const long HorizonNs = 24 * HourNs;
    private const long MeanGapNs = 600 * MachineSpec.NsPerSecond;

    private List<MachineBatch> _batches = [];

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    [IterationSetup]
    public void Setup() => _batches = Build(HandlerPolicy.Parse(Policy));

    [Benchmark]
    [InvocationCount(1)]
    public long MachineBatch_StormDay() => Run(_batches);

    public double UnitsPerOperation()
    {
        var batches = Build(HandlerPolicy.Parse(Policy));
        Run(batches);
        return batches.Sum(b => b.HandlerInvocations);
    }

    private static List<MachineBatch> Build(HandlerPolicy policy)
    {
        var spec = MachineSpec.Default;
        var batches = new List<MachineBatch>();
        for (int first = 0; first < MachineCount; first += BatchSize)
        {
            int n = Math.Min(BatchSize, MachineCount - first);
            batches.Add(MachineBatches.Create(spec, policy, first, n, seed: 1, new SyntheticErrorSource(spec, 1, first, n, HorizonNs, MeanGapNs)));
        }

        return batches;
    }

    private static long Run(List<MachineBatch> batches)
    {
        long events = 0;
        for (long end = HourNs; end <= HorizonNs; end += HourNs)
        {
            foreach (var batch in batches)
            {
                batch.RunUntil(end);
                events += batch.Events.Count;
                batch.Events.Clear();
            }
        }

        return events;
    }
}
