using BenchmarkDotNet.Attributes;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Xen;

namespace Mca.Bench.Systems;

/// <summary>
/// vMCE injection of the current model: fill_vmsr_data + inject_vmce broadcast into a 4-vCPU HVM domain,
/// then the guest's end of handling (clear bank 1 and MCIP), so each operation starts from idle vCPUs.
/// <c>VmceFillInject_Broadcast</c> calls the Xen kernels on a vCPU array; <c>VmceInjector_CurrentModel</c>
/// is the pipeline's injector (vCPU choice from the telemetry, events) on a one-machine batch.
/// </summary>
[MemoryDiagnoser]
public class VmceBenchmarks
{
    private static readonly bool[] Initialised = [true, true, true, true];
    private static readonly bool[] Callbacks = [false, false, false, false];

    private readonly VcpuMca[] _vcpus = new VcpuMca[4];
    private McBankRecord _bank;
    private MachineBatch _batch = null!;
    private VmceInjector _injector = null!;
    private int _cookie;
    private int _domU;

    [GlobalSetup]
    public void Setup()
    {
        for (int v = 0; v < _vcpus.Length; v++)
        {
            _vcpus[v] = VcpuMca.Create(hostIntel: true);
        }

        _bank = McBankRecord.FromRegisters(8, 0xBD000000004000C0, 0x200020, 0x86);
        _bank.DomId = 1;

        _batch = MachineBatches.Create(MachineSpec.Default, HandlerPolicy.Xen, 0, 1, seed: 1, NoErrors.Instance);
        _injector = new VmceInjector(_batch);
        _domU = _batch.DomainIndexOf(1);
        _cookie = _batch.Telemetry.Reserve(0, urgent: true);
        _batch.Telemetry.SetGlobal(0, _cookie, 0, McgStatusBits.Ripv | McgStatusBits.Mcip, in _batch.CpusOf(0)[0]);
    }

    [Benchmark]
    public bool VmceFillInject_Broadcast()
    {
        var vcpus = _vcpus.AsSpan();
        bool ok = VmceFill.Fill(vcpus, in _bank, McgStatusBits.Ripv | McgStatusBits.Mcip, VmceFill.Broadcast) == VmceFillResult.Ok
            && VmceInject.Inject(vcpus, 1, hvm: true, Initialised, Callbacks, VmceFill.Broadcast, out _) == VmceInjectResult.Ok;
        GuestClears(vcpus);
        return ok;
    }

    [Benchmark]
    public bool VmceInjector_CurrentModel()
    {
        bool ok = _injector.InjectCurrentModel(0, _domU, 0, _cookie, in _bank);
        GuestClears(_batch.VcpusOf(0, _domU));
        _batch.Events.Clear();
        return ok;
    }

    private static void GuestClears(Span<VcpuMca> vcpus)
    {
        for (int v = 0; v < vcpus.Length; v++)
        {
            VmceMsrs.Write(ref vcpus[v], McaMsr.Status(1), hostIntel: true, 0);
            VmceMsrs.Write(ref vcpus[v], McaMsr.McgStatus, hostIntel: true, 0);
            vcpus[v].McePending = false;
        }
    }
}
