using BenchmarkDotNet.Attributes;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Bench.Pipeline;

/// <summary>
/// One #MC handled end to end on a one-machine batch (the default 16-CPU host): an SRAO memory-scrub error
/// in the socket-0 memory controller on a page of domU 1 arrives, every CPU rendezvouses, the error is graded
/// and recovered (rfc2009: a vmce_data item to dom0's recovery agent; xen: page offline and a broadcast vMCE
/// into domU 1, whose guest recovers), then dom0 fetches and logs it 1 ms later. The error recurs every
/// simulated second; each operation is <c>RunUntil</c> the next one has been handled and logged (10 ms after
/// it), and the page's broken mark is cleared afterwards so the next operation takes the same path.
/// </summary>
[MemoryDiagnoser]
public class SingleMceBenchmarks
{
    private const long WindowNs = 10_000_000;

    private MachineBatch _batch = null!;
    private long _nextNs;

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    [GlobalSetup]
    public void Setup()
    {
        var spec = MachineSpec.Default;
        var srao = new ErrorInjection
        {
            Cpu = 0,
            BankIndex = 8,
            Status = 0xBD000000004000C0,
            Addr = ((ulong)spec.Memory.MfnOf(1, 0x200) << 12) | 0x20,
            Misc = 0x86,
            McgStatus = McgStatusBits.Ripv,
            AutoSignal = true,
            Count = 1,
        };
        _batch = MachineBatches.Create(spec, HandlerPolicy.Parse(Policy), 0, 1, seed: 1, new PeriodicErrorSource(srao, MachineSpec.NsPerSecond, 1));
        _nextNs = MachineSpec.NsPerSecond;
    }

    [Benchmark]
    public int MachineBatch_OneSrao()
    {
        _batch.RunUntil(_nextNs + WindowNs);
        _nextNs += MachineSpec.NsPerSecond;
        int events = _batch.Events.Count;
        _batch.Events.Clear();
        _batch.Handler.ForgetBrokenPages(0);
        return events;
    }
}
