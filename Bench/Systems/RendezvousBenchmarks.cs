using BenchmarkDotNet.Attributes;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Bench.Systems;

/// <summary>
/// One broadcast MCE# rendezvous (pipeline step 3) on a machine of 16, 64 or 256 CPUs: an SRAO in the
/// socket-0 memory-controller bank, every CPU enters in its drawn arrival order and logs out all 10 banks
/// (the first through owns the shared bank). Each operation re-arms the bank and MCIP and afterwards frees
/// the telemetry the logouts reserved, so every operation does the same work.
/// </summary>
[MemoryDiagnoser]
public class RendezvousBenchmarks
{
    private const ulong Srao = 0xBD000000004000C0;

    private readonly int[] _machine = [0];
    private MachineBatch _batch = null!;
    private RendezvousMceSystem _rendezvous = null!;
    private int _bankRow;

    [Params(16, 64, 256)]
    public int CpuCount { get; set; }

    [Params("rfc2009", "xen")]
    public string Policy { get; set; } = "xen";

    [GlobalSetup]
    public void Setup()
    {
        var spec = BenchMachines.WithCpus(CpuCount);
        _batch = MachineBatches.Create(spec, HandlerPolicy.Parse(Policy), 0, 1, seed: 1, NoErrors.Instance);
        _rendezvous = new RendezvousMceSystem(_batch);
        _bankRow = spec.BankInstanceOf(0, 8);
    }

    [Benchmark]
    public int RendezvousMceSystem_Run()
    {
        ref var bank = ref _batch.BankForWrite(0, _bankRow);
        bank.Status = Srao;
        bank.Addr = 0x180020;
        bank.Misc = 0x86;
        foreach (ref var cpu in _batch.CpusForWrite(0))
        {
            cpu.McgStatus = McgStatusBits.Mcip | McgStatusBits.Ripv;
        }

        ref var m = ref _batch.Machines[0];
        m.McePending = true;
        m.MceLmce = false;
        m.MceTargetCpu = 0;
        _rendezvous.Run(_machine);

        int owned = _batch.Events.Count;
        m.McePending = false;
        _batch.Telemetry.LoseAll(0, LossCause.ResetBeforeFetch);
        _batch.Events.Clear();
        return owned;
    }
}
