using Mca.Systems.Hardware;

namespace Mca.Systems.Model;

/// <summary>
/// The shape of a machine: CPU topology and MCG_CAP, its banks and their scopes, its memory map and
/// domains, and the timing constants of its handler. Immutable; every machine of a fleet shares one.
/// </summary>
public sealed class MachineSpec
{
    /// <summary>Nanoseconds per second, the unit of simulated time.</summary>
    public const long NsPerSecond = 1_000_000_000;

    public required string Name { get; init; }
    public required int Family { get; init; }
    public required int Model { get; init; }
    public required int SocketCount { get; init; }
    public required int CoresPerSocket { get; init; }
    public required int ThreadsPerCore { get; init; }
    /// <summary>IA32_MCG_CAP; its count field must equal <see cref="Banks"/>.Count.</summary>
    public required ulong McgCap { get; init; }
    public required IReadOnlyList<BankSpec> Banks { get; init; }
    public required MemoryMap Memory { get; init; }
    public required IReadOnlyList<DomainSpec> Domains { get; init; }
    /// <summary>Broadcast #MC: Intel family 6 model &gt;= 0xE (Xen mce_intel.c mce_is_broadcast).</summary>
    public bool Broadcast => Family == 6 && Model >= 0xE;
    /// <summary>cmci-threshold boot option; 0 disables CMCI (Xen xen-command-line.pandoc).</summary>
    public int CmciThreshold { get; init; } = 2;
    /// <summary>Hardware maximum of the CTL2 threshold field (Intel SDM vol. 3B 15.3.2.5).</summary>
    public int CmciThresholdMax { get; init; } = 0x7FFF;
    /// <summary>Time from reset to domains running again.</summary>
    public long RebootDowntimeNs { get; init; } = 300 * NsPerSecond;
    /// <summary>Delay between VIRQ_MCA and dom0's fetch loop running.</summary>
    public long Dom0LogLatencyNs { get; init; } = 1_000_000;

    public int CpuCount => SocketCount * CoresPerSocket * ThreadsPerCore;
    public int BankCount => _bankCount ??= Banks.Count;

    /// <summary>vCPUs of all domains together.</summary>
    public int TotalVcpuCount => _totalVcpuCount ??= Domains.Sum(d => d.VcpuCount);

    private int? _totalVcpuCount;

    private int? _bankCount;
    public bool Ser => McgCapBits.Ser(McgCap);
    public bool CmciSupported => (McgCap & McgCapBits.CmciP) != 0 && CmciThreshold > 0;
    public bool LmceSupported => (McgCap & McgCapBits.LmceP) != 0;
    /// <summary>The bank-0 quirk: Intel family 6 models below 0x1A skip bank 0 (Xen mce.c mce_firstbank).</summary>
    public int FirstBank => Family == 6 && Model < 0x1A ? 1 : 0;

    public int SocketOf(int cpu) => cpu / (CoresPerSocket * ThreadsPerCore);
    public int CoreOf(int cpu) => cpu / ThreadsPerCore % CoresPerSocket;
    public int ThreadOf(int cpu) => cpu % ThreadsPerCore;
    /// <summary>
    /// APIC id: socket, core and thread packed as on Intel (thread bits lowest), each field as wide as its
    /// count needs; the package field starts at bit 4 at least, as on the default machine's 4-core parts.
    /// </summary>
    public int ApicIdOf(int cpu)
    {
        int threadBits = BitsFor(ThreadsPerCore);
        int packageShift = Math.Max(4, threadBits + BitsFor(CoresPerSocket));
        return (SocketOf(cpu) << packageShift) | (CoreOf(cpu) << threadBits) | ThreadOf(cpu);
    }

    private static int BitsFor(int count) => count <= 1 ? 0 : 32 - System.Numerics.BitOperations.LeadingZeroCount((uint)(count - 1));

    /// <summary>Physical core id as Xen's global record prints it (mc_coreid, Xen mce.c x86_mcinfo_dump).</summary>
    public int CoreIdOf(int cpu) => CoreOf(cpu);

    /// <summary>
    /// The physical bank instance CPU <paramref name="cpu"/> sees as bank <paramref name="bankIndex"/>:
    /// banks are laid out per scope instance, so two CPUs share a bank exactly when this is equal.
    /// </summary>
    public int BankInstanceOf(int cpu, int bankIndex) => InstanceTable[(cpu * BankCount) + bankIndex];

    /// <summary>[cpu * BankCount + bank] = bank instance row, computed once (the hot lookup of every logout).</summary>
    private int[] InstanceTable => _instanceTable ??= BuildInstanceTable();

    private int[]? _instanceTable;

    private int[] BuildInstanceTable()
    {
        var table = new int[CpuCount * Banks.Count];
        for (int cpu = 0; cpu < CpuCount; cpu++)
        {
            for (int b = 0; b < Banks.Count; b++)
            {
                int instance = Banks[b].Scope switch
                {
                    BankScope.Thread => cpu,
                    BankScope.Core => cpu / ThreadsPerCore,
                    _ => SocketOf(cpu),
                };
                table[(cpu * Banks.Count) + b] = BankInstanceBase(b) + instance;
            }
        }

        return table;
    }

    /// <summary>Number of physical bank instances of the machine (thread banks once per CPU, and so on).</summary>
    public int BankInstanceCount => _bankInstanceCount ??= BankInstanceBase(Banks.Count);

    private int? _bankInstanceCount;

    /// <summary>The bank index a physical instance implements.</summary>
    public int BankIndexOfInstance(int instance)
    {
        return ByInstance(_bankOfInstance ??= BuildBankOfInstanceTable(), instance);
    }

    private int[]? _bankOfInstance;

    /// <summary>A per-instance table's entry; an instance the machine does not have is an argument error.</summary>
    private int ByInstance(int[] table, int instance)
    {
        if ((uint)instance >= (uint)table.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(instance), instance, $"expected a bank instance below {BankInstanceCount}");
        }

        return table[instance];
    }

    private int[] BuildBankOfInstanceTable()
    {
        var table = new int[BankInstanceCount];
        for (int b = 0, i = 0; b < Banks.Count; b++)
        {
            for (int k = InstancesOf(Banks[b].Scope); k > 0; k--)
            {
                table[i++] = b;
            }
        }

        return table;
    }

    /// <summary>How many CPUs see a bank instance (1 thread, a core's threads, or a package's CPUs), numbered from <see cref="FirstCpuOfInstance"/>.</summary>
    public int CpusSharingInstance(int instance) => Banks[BankIndexOfInstance(instance)].Scope switch
    {
        BankScope.Thread => 1,
        BankScope.Core => ThreadsPerCore,
        _ => CoresPerSocket * ThreadsPerCore,
    };

    /// <summary>The lowest-numbered CPU that sees a bank instance (its CMCI owner after discovery, Xen mce_intel.c cmci_discover).</summary>
    public int FirstCpuOfInstance(int instance)
    {
        return ByInstance(_firstCpuTable ??= BuildFirstCpuTable(), instance);
    }

    private int[]? _firstCpuTable;

    private int[] BuildFirstCpuTable()
    {
        var table = new int[BankInstanceCount];
        for (int i = 0; i < table.Length; i++)
        {
            table[i] = ComputeFirstCpuOfInstance(i);
        }

        return table;
    }

    private int ComputeFirstCpuOfInstance(int instance)
    {
        int b = BankIndexOfInstance(instance);
        int local = instance - BankInstanceBase(b);
        return Banks[b].Scope switch
        {
            BankScope.Thread => local,
            BankScope.Core => local * ThreadsPerCore,
            _ => local * CoresPerSocket * ThreadsPerCore,
        };
    }

    public DomainSpec? DomainById(int domId)
    {
        // An index loop: foreach over the IReadOnlyList would allocate an enumerator on every call.
        for (int i = 0; i < Domains.Count; i++)
        {
            if (Domains[i].DomId == domId)
            {
                return Domains[i];
            }
        }

        return null;
    }

    public int InstancesOf(BankScope scope) => scope switch
    {
        BankScope.Thread => CpuCount,
        BankScope.Core => SocketCount * CoresPerSocket,
        _ => SocketCount,
    };

    private int BankInstanceBase(int bankIndexLimit)
    {
        int total = 0;
        for (int b = 0; b < bankIndexLimit; b++)
        {
            total += InstancesOf(Banks[b].Scope);
        }

        return total;
    }

    /// <summary>
    /// The documented default machine (README): an Intel host (family 6 model 0x55) with SER_P,
    /// CMCI_P, TES_P, LMCE_P and broadcast #MC; 2 sockets x 4 cores x 2 threads; 10 banks, 0-1 per
    /// thread, 2-3 per core, 4-9 per package (7-9 package-scoped as on Xen's test host); 16 GiB of
    /// RAM: Xen-fixed frames 0x0-0xff, Xen heap 0x100-0x17f, frame 0x180 free (xen-mceinj's default
    /// host address 0x180020), dom0 (PV, 4 vCPUs, VIRQ_MCA bound, #MC trap callback) at 0x1000 for
    /// 4 GiB and domU 1 (HVM with HAP, 2 vCPUs) at 0x101000 for 2 GiB, so guest address 0x180020 is
    /// mapped in both.
    /// </summary>
    public static MachineSpec Default { get; } = CreateDefault(ser: true);

    /// <summary>The default machine without MCG_SER_P (<c>mca run --no-ser</c>).</summary>
    public static MachineSpec DefaultNoSer { get; } = CreateDefault(ser: false);

    private static MachineSpec CreateDefault(bool ser)
    {
        const long FramesPerGiB = 1L << (30 - MemoryMap.PageShift);
        DomainSpec[] domains =
        [
            new(DomId: 0, DomainKind.Pv, VcpuCount: 4, MfnBase: 0x1000, FrameCount: 4 * FramesPerGiB, VirqMcaBound: true, TrapCallbackRegistered: true),
            new(DomId: 1, DomainKind.Hvm, VcpuCount: 2, MfnBase: 0x1000 + (4 * FramesPerGiB), FrameCount: 2 * FramesPerGiB, VirqMcaBound: false, TrapCallbackRegistered: false),
        ];
        BankSpec[] banks =
        [
            new(0, BankScope.Thread, CmciCapable: true, "DCU"),
            new(1, BankScope.Thread, CmciCapable: true, "IFU"),
            new(2, BankScope.Core, CmciCapable: true, "DTLB"),
            new(3, BankScope.Core, CmciCapable: true, "MLC"),
            new(4, BankScope.Package, CmciCapable: false, "PCU"),
            new(5, BankScope.Package, CmciCapable: true, "QPI0"),
            new(6, BankScope.Package, CmciCapable: true, "QPI1"),
            new(7, BankScope.Package, CmciCapable: true, "LLC"),
            new(8, BankScope.Package, CmciCapable: true, "IMC"),
            new(9, BankScope.Package, CmciCapable: true, "CBO"),
        ];
        ulong cap = (ulong)banks.Length | McgCapBits.CmciP | McgCapBits.TesP | McgCapBits.LmceP;
        if (ser)
        {
            cap |= McgCapBits.SerP;
        }

        return new MachineSpec
        {
            Name = ser ? "default" : "default-noser",
            Family = 6,
            Model = 0x55,
            SocketCount = 2,
            CoresPerSocket = 4,
            ThreadsPerCore = 2,
            McgCap = cap,
            Banks = banks,
            Memory = new MemoryMap(totalFrames: 16 * FramesPerGiB, xenFixedFrames: 0x100, xenHeapFrames: 0x80, domains),
            Domains = domains,
        };
    }
}
