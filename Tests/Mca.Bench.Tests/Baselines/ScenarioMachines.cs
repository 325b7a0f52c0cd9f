using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Bench.Tests.Baselines;

/// <summary>Machine shapes the equivalence scenarios run on: the default host and variants that reach other paths.</summary>
internal static class ScenarioMachines
{
    private const long FramesPerGiB = 1L << (30 - MemoryMap.PageShift);

    public static readonly DomainSpec Dom0 = new(DomId: 0, DomainKind.Pv, VcpuCount: 4, MfnBase: 0x1000, FrameCount: 4 * FramesPerGiB, VirqMcaBound: true, TrapCallbackRegistered: true);
    public static readonly DomainSpec Dom1 = new(DomId: 1, DomainKind.Hvm, VcpuCount: 2, MfnBase: 0x1000 + (4 * FramesPerGiB), FrameCount: 2 * FramesPerGiB, VirqMcaBound: false, TrapCallbackRegistered: false);

    /// <summary>Every shape, each reaching paths the others do not.</summary>
    public static IReadOnlyList<MachineSpec> All { get; } =
    [
        MachineSpec.Default,
        MachineSpec.DefaultNoSer,
        // PV domU without a #MC trap callback: the RFC skips the injection, Xen fails the unmap.
        Create("pv-domu", domains: [Dom0, Dom1 with { Kind = DomainKind.Pv }]),
        // dom0 without a #MC trap callback: the RFC skips the injection, Xen crashes dom0 (NoHandler).
        Create("dom0-no-callback", domains: [Dom0 with { TrapCallbackRegistered = false }, Dom1]),
        // PV domU with a callback, and 3 vCPUs.
        Create("pv-domu-callback", domains: [Dom0, Dom1 with { Kind = DomainKind.Pv, TrapCallbackRegistered = true, VcpuCount = 3 }]),
        // Shadow-mode HVM: unmap fails.
        Create("hvm-shadow", domains: [Dom0, Dom1 with { Shadow = true }]),
        // dom0 never binds VIRQ_MCA: poll and CMCI records are lost, nothing is fetched.
        Create("deaf-dom0", domains: [Dom0 with { VirqMcaBound = false }, Dom1]),
        // Penryn-era host: broadcast #MC, bank 0 skipped.
        Create("penryn", model: 0x17),
        // Pre-broadcast host: #MC reaches the target CPU only; bank 0 skipped.
        Create("no-broadcast", model: 0x0D),
        // cmci-threshold=0: every bank is polled.
        Create("no-cmci", cmciThreshold: 0),
        // CMCI at every corrected error, on a one-socket host without LMCE.
        Create("small", sockets: 1, cores: 2, threads: 1, cmciThreshold: 1, lmce: false),
        // Four sockets of 8 cores x 2 threads: 64 CPUs.
        Create("big", sockets: 4, cores: 8, threads: 2, cmciThreshold: 5),
    ];

    public static MachineSpec Create(
        string name, int sockets = 2, int cores = 4, int threads = 2, int model = 0x55, bool ser = true, bool lmce = true,
        int cmciThreshold = 2, IReadOnlyList<DomainSpec>? domains = null)
    {
        domains ??= [Dom0, Dom1];
        var banks = MachineSpec.Default.Banks;
        ulong cap = (ulong)banks.Count | McgCapBits.CmciP | McgCapBits.TesP | (lmce ? McgCapBits.LmceP : 0) | (ser ? McgCapBits.SerP : 0);
        return new MachineSpec
        {
            Name = name,
            Family = 6,
            Model = model,
            SocketCount = sockets,
            CoresPerSocket = cores,
            ThreadsPerCore = threads,
            McgCap = cap,
            Banks = banks,
            Memory = new MemoryMap(totalFrames: 16 * FramesPerGiB, xenFixedFrames: 0x100, xenHeapFrames: 0x80, domains),
            Domains = domains,
            CmciThreshold = cmciThreshold,
        };
    }
}
