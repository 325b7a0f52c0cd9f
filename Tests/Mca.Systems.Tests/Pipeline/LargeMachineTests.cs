using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Scenario;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>Machines with more than 64 CPUs or more than 8 cores per socket.</summary>
public class LargeMachineTests
{
    private static MachineSpec Shape(int sockets, int cores, int threads)
    {
        var d = MachineSpec.Default;
        return new MachineSpec
        {
            Name = $"{sockets}x{cores}x{threads}",
            Family = d.Family,
            Model = d.Model,
            SocketCount = sockets,
            CoresPerSocket = cores,
            ThreadsPerCore = threads,
            McgCap = d.McgCap,
            Banks = d.Banks,
            Memory = d.Memory,
            Domains = d.Domains,
        };
    }

    [Theory]
    [InlineData(2, 4, 2)]
    [InlineData(3, 16, 2)]
    [InlineData(8, 16, 2)]
    [InlineData(2, 12, 1)]
    [InlineData(4, 28, 2)]
    public void ApicIds_AreUnique(int sockets, int cores, int threads)
    {
        var spec = Shape(sockets, cores, threads);
        var ids = Enumerable.Range(0, spec.CpuCount).Select(spec.ApicIdOf).ToList();
        Assert.Equal(spec.CpuCount, ids.Distinct().Count());
    }

    [Fact]
    public void DefaultMachine_ApicIdsUnchanged()
    {
        // Socket at bit 4, core at bit 1, thread at bit 0 (the console and mcelog lines of the xen-mceinj cases rely on it).
        Assert.Equal(0x11, MachineSpec.Default.ApicIdOf(9));
        Assert.Equal(0x13, MachineSpec.Default.ApicIdOf(11));
        Assert.Equal(0x07, MachineSpec.Default.ApicIdOf(7));
    }

    [Fact]
    public void FatalOnCpu64_MaskNamesCpu64()
    {
        // 3 sockets x 16 cores x 2 threads = 96 CPUs; a PCC error in socket 2's package bank 8, seen by CPU 64 first.
        var spec = Shape(3, 16, 2);
        var error = new ErrorInjection
        {
            TimeNs = MachineSpec.NsPerSecond,
            Cpu = 64,
            BankIndex = 8,
            Status = 0xBE00000000000400,
            Addr = 0x180020,
            Misc = 0x86,
            McgStatus = McgStatusBits.Ripv,
            AutoSignal = true,
            Count = 1,
        };
        var r = ScenarioRunner.Run(spec, HandlerPolicy.Xen, [error]);
        Assert.NotNull(r.Panic);
        // Xen's %*pb: 32-bit chunks, most significant first. Every CPU of socket 2 (64-95) sees the PCC
        // package bank and is fatal: the third chunk. (A 64-bit mask wrapped this onto CPUs 0-31.)
        Assert.Contains("CPUs ffffffff,00000000,00000000", r.Panic, StringComparison.Ordinal);
    }
}
