using BenchmarkDotNet.Attributes;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Bench.Pipeline;

/// <summary>
/// One #MC handled end to end on a one-machine batch (the default 16-CPU host): an SRAO memory-scrub error
/// in the socket-0 memory controller on a page of domU 1 arrives, every CPU rendezvouses, the error is graded
/// and recovered (rfc2009: a vmce_data item to dom0's recovery agent; xen: page offline and a broadcast vMCE
/// into domU 1, whose guest recovers), then dom0 fetches and logs it 1 ms later. Each operation is
/// <c>RunUntil</c> over those 10 ms of simulated time; the page's broken mark is cleared afterwards so the
/// next operation takes the same path.
/// </summary>
[MemoryDiagnoser]
public class SingleMceBenchmarks
{
    private const long WindowNs = 10_000_000;

    private readonly PushErrorSource _source = new();
    private MachineBatch _batch = null!;
    private long _nowNs;
    private ulong _addr;

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    [GlobalSetup]
    public void Setup()
    {
        var spec = MachineSpec.Default;
        _batch = new MachineBatch(spec, HandlerPolicy.Parse(Policy), 0, 1, seed: 1, _source);
        _addr = ((ulong)spec.Memory.MfnOf(1, 0x200) << 12) | 0x20;
        _nowNs = MachineSpec.NsPerSecond;
    }

    [Benchmark]
    public int MachineBatch_OneSrao()
    {
        long t = _nowNs + MachineSpec.NsPerSecond;
        _source.Push(new ErrorInjection
        {
            TimeNs = t,
            Cpu = 0,
            BankIndex = 8,
            Status = 0xBD000000004000C0,
            Addr = _addr,
            Misc = 0x86,
            McgStatus = McgStatusBits.Ripv,
            AutoSignal = true,
            Count = 1,
        });
        _batch.RunUntil(t + WindowNs);
        _nowNs = t + WindowNs;
        int events = _batch.Events.Count;
        _batch.Events.Clear();
        _batch.BrokenPages.Clear();
        return events;
    }
}
