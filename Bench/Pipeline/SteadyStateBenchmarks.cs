using BenchmarkDotNet.Attributes;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Bench.Pipeline;

/// <summary>
/// Steady state: a warmed batch of 1,000 machines under an unending mix (CMCI bursts, UCNA, SRAO with page
/// offline and vMCE on a bounded page set; mean gap 10 minutes), one simulated hour per operation, events
/// drained after it. The target is 0 bytes allocated per operation, hence per simulated step.
/// </summary>
[MemoryDiagnoser]
public class SteadyStateBenchmarks
{
    private const int MachineCount = 1000;
    private const long HourNs = 3600 * MachineSpec.NsPerSecond;

    private MachineBatch _batch = null!;
    private long _endNs;

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    [GlobalSetup]
    public void Setup()
    {
        _batch = MachineBatches.Create(MachineSpec.Default, HandlerPolicy.Parse(Policy), 0, MachineCount, seed: 1, new SteadyErrorSource(MachineCount, 600 * MachineSpec.NsPerSecond));
        // Two simulated days of warm-up: buffers, telemetry pools and page sets reach their working size.
        for (_endNs = HourNs; _endNs <= 48 * HourNs; _endNs += HourNs)
        {
            _batch.RunUntil(_endNs);
            _batch.Events.Clear();
        }
    }

    [Benchmark]
    public long MachineBatch_SteadyHour()
    {
        _batch.RunUntil(_endNs);
        _endNs += HourNs;
        long steps = _batch.Events.Count;
        _batch.Events.Clear();
        return steps;
    }
}
