using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Workloads.Field;

/// <summary>
/// The MCA records the error workloads write: MCi_STATUS per error class (Intel SDM vol. 3B 15.6.3) with the
/// compound MCACODs of SDM 15.9.2, MISC in physical mode, and the banks of a machine looked up by unit name.
/// </summary>
internal sealed class ErrorRecords
{
    /// <summary>Memory controller, read, channel in bits 3:0: 0000 0000 1MMM CCCC with MMM = 001 (Intel SDM vol. 3B 15.9.2.6).</summary>
    public const ulong McacodMemRead = 0x0090;
    /// <summary>SRAO memory scrubbing 0x00C0-0x00CF (Intel SDM vol. 3B 15.9.3, Xen INTEL_SRAO_MEM_SCRUB).</summary>
    public const ulong McacodMemScrub = 0x00C0;
    /// <summary>SRAR data load 0x0134 (Intel SDM vol. 3B 15.9.3, Xen INTEL_SRAR_DATA_LOAD); also the DCU's corrected data-read code.</summary>
    public const ulong McacodDataLoad = 0x0134;
    /// <summary>Instruction cache, instruction fetch, level 0 (0001 0101 00 00).</summary>
    public const ulong McacodInstructionFetch = 0x0150;
    /// <summary>Data TLB, level 0 (0000 0001 01 00).</summary>
    public const ulong McacodDataTlb = 0x0014;
    /// <summary>Data cache, data read, level 1 (the MLC).</summary>
    public const ulong McacodMlcDataRead = 0x0135;
    /// <summary>Data cache, data read, level 2 (the LLC): UCNA.</summary>
    public const ulong McacodLlcDataRead = 0x0136;
    /// <summary>SRAO L3 explicit writeback 0x017A (Intel SDM vol. 3B 15.9.3, Xen INTEL_SRAO_L3_EWB).</summary>
    public const ulong McacodLlcWriteback = 0x017A;
    /// <summary>Internal timer 0x0400 (Intel SDM vol. 3B 15.9.1 simple codes).</summary>
    public const ulong McacodInternalTimer = 0x0400;

    /// <summary>MISC: address LSB 6 (a 64-byte line), physical mode (Intel SDM vol. 3B 15.3.2.4; xen-mceinj.c's 0x86).</summary>
    public const ulong MiscPhysicalLine = 6 | MciMiscBits.ModePhysical;

    public const ulong Corrected = MciStatusBits.Val | MciStatusBits.En;
    public const ulong CorrectedWithAddress = Corrected | MciStatusBits.MiscV | MciStatusBits.AddrV;
    /// <summary>UCNA: UC with S = AR = PCC = 0 (SDM 15.6.3).</summary>
    public const ulong Ucna = MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En | MciStatusBits.MiscV | MciStatusBits.AddrV;
    /// <summary>SRAO: UC, S, AR = 0, PCC = 0 (SDM 15.6.3).</summary>
    public const ulong Srao = Ucna | MciStatusBits.S;
    /// <summary>SRAR: UC, S, AR, PCC = 0 (SDM 15.6.3).</summary>
    public const ulong Srar = Srao | MciStatusBits.Ar;
    /// <summary>Fatal: UC with PCC (SDM 15.6.3).</summary>
    public const ulong Fatal = MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En | MciStatusBits.Pcc;

    /// <summary>Without MCG_SER_P there are no UCR classes (Intel SDM vol. 3B 15.6.3): S and AR read as 0, an uncorrected error is just UC.</summary>
    private readonly ulong _ucrMask;

    public ErrorRecords(MachineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        _ucrMask = spec.Ser ? ulong.MaxValue : ~(MciStatusBits.S | MciStatusBits.Ar);
        Dcu = BankNamed(spec, "DCU");
        Ifu = BankNamed(spec, "IFU");
        Dtlb = BankNamed(spec, "DTLB");
        Mlc = BankNamed(spec, "MLC");
        Pcu = BankNamed(spec, "PCU");
        Llc = BankNamed(spec, "LLC");
        Imc = BankNamed(spec, "IMC");
        CpusPerSocket = spec.CoresPerSocket * spec.ThreadsPerCore;
        CoreCount = spec.SocketCount * spec.CoresPerSocket;
    }

    public MachineSpec Spec { get; }
    public int Dcu { get; }
    public int Ifu { get; }
    public int Dtlb { get; }
    public int Mlc { get; }
    public int Pcu { get; }
    public int Llc { get; }
    public int Imc { get; }
    public int CpusPerSocket { get; }
    public int CoreCount { get; }

    public int FirstCpuOfSocket(int socket) => socket * CpusPerSocket;

    /// <summary>The CPU of thread <paramref name="thread"/> of global core <paramref name="core"/> (socket x cores + core).</summary>
    public int CpuOfCore(int core, int thread) => (core * Spec.ThreadsPerCore) + thread;

    /// <summary>
    /// A bank-8 corrected memory error at <paramref name="address"/> folded <paramref name="count"/> times: a demand
    /// read (0x0090 | channel) or, with <paramref name="scrub"/>, found by the patrol scrubber (0x00C0 | channel).
    /// </summary>
    public ErrorInjection MemoryCorrected(long timeNs, int socket, int channel, ulong address, long count, bool scrub = false) => new()
    {
        TimeNs = timeNs,
        Cpu = FirstCpuOfSocket(socket),
        BankIndex = Imc,
        Status = CorrectedWithAddress | (scrub ? McacodMemScrub : McacodMemRead) | (uint)channel,
        Addr = address,
        Misc = MiscPhysicalLine,
        AutoSignal = true,
        Count = count,
    };

    /// <summary>A UE found by the patrol scrubber: SRAO 0x00C0|channel in bank 8, MCG_STATUS RIPV|MCIP.</summary>
    public ErrorInjection MemoryScrubSrao(long timeNs, int socket, int channel, ulong address) => new()
    {
        TimeNs = timeNs,
        Cpu = FirstCpuOfSocket(socket),
        BankIndex = Imc,
        Status = (Srao & _ucrMask) | McacodMemScrub | (uint)channel,
        Addr = address,
        Misc = MiscPhysicalLine,
        McgStatus = McgStatusBits.Ripv | McgStatusBits.Mcip,
        AutoSignal = true,
        Count = 1,
    };

    /// <summary>
    /// A UE consumed by a load on <paramref name="cpu"/>: SRAR 0x0134 in bank 0, MCG_STATUS EIPV (RIPV = 0),
    /// with what the CPU was running: a vCPU (drawn from <paramref name="rng"/>) of the frame's owner if a
    /// domain owns it, else Xen.
    /// </summary>
    public ErrorInjection MemoryLoadSrar(long timeNs, int cpu, ulong address, bool userMode, ref CounterRng rng)
    {
        var owner = Spec.Memory.OwnerOf((long)(address >> MemoryMap.PageShift));
        var e = new ErrorInjection
        {
            TimeNs = timeNs,
            Cpu = cpu,
            BankIndex = Dcu,
            Status = (Srar & _ucrMask) | McacodDataLoad,
            Addr = address,
            Misc = MiscPhysicalLine,
            McgStatus = McgStatusBits.Eipv,
            AutoSignal = true,
            Count = 1,
            Context = GuestContext.Kernel,
            RunningDomain = -1,
            RunningVcpu = -1,
        };
        if (owner.Kind == FrameOwnerKind.Domain && DomainById(owner.DomId) is { } dom)
        {
            e.InGuest = true;
            e.RunningDomain = (short)dom.DomId;
            e.RunningVcpu = (short)rng.NextInt(Math.Max(1, dom.VcpuCount));
            e.Context = userMode ? GuestContext.User : GuestContext.Kernel;
        }

        return e;
    }

    /// <summary>A corrected core error in one of banks 0-3 (DCU and MLC with a physical address).</summary>
    public ErrorInjection CoreCorrected(long timeNs, int cpu, int bank, ulong address, long count)
    {
        var e = new ErrorInjection { TimeNs = timeNs, Cpu = cpu, BankIndex = bank, AutoSignal = true, Count = count };
        if (bank == Dcu || bank == Mlc)
        {
            e.Status = CorrectedWithAddress | (bank == Dcu ? McacodDataLoad : McacodMlcDataRead);
            e.Addr = address;
            e.Misc = MiscPhysicalLine;
        }
        else
        {
            e.Status = Corrected | (bank == Ifu ? McacodInstructionFetch : McacodDataTlb);
        }

        return e;
    }

    /// <summary>An LLC UCNA (bank 7, 0x0136, S = AR = 0): signalled by CMCI or found by the poller.</summary>
    public ErrorInjection LlcUcna(long timeNs, int cpu, ulong address) => new()
    {
        TimeNs = timeNs,
        Cpu = cpu,
        BankIndex = Llc,
        Status = Ucna | McacodLlcDataRead,
        Addr = address,
        Misc = MiscPhysicalLine,
        AutoSignal = true,
        Count = 1,
    };

    /// <summary>An LLC explicit-writeback SRAO (bank 7, 0x017A), MCG_STATUS RIPV|MCIP.</summary>
    public ErrorInjection LlcSrao(long timeNs, int cpu, ulong address) => new()
    {
        TimeNs = timeNs,
        Cpu = cpu,
        BankIndex = Llc,
        Status = (Srao & _ucrMask) | McacodLlcWriteback,
        Addr = address,
        Misc = MiscPhysicalLine,
        McgStatus = McgStatusBits.Ripv | McgStatusBits.Mcip,
        AutoSignal = true,
        Count = 1,
    };

    /// <summary>A fatal CPU error: PCU internal timer (bank 4, 0x0400) or MLC (bank 3), PCC = 1, RIPV = EIPV = 0.</summary>
    public ErrorInjection CpuFatal(long timeNs, int cpu, bool internalTimer) => new()
    {
        TimeNs = timeNs,
        Cpu = cpu,
        BankIndex = internalTimer ? Pcu : Mlc,
        Status = Fatal | (internalTimer ? McacodInternalTimer : McacodMlcDataRead),
        McgStatus = McgStatusBits.Mcip,
        AutoSignal = true,
        Count = 1,
    };

    /// <summary>MachineSpec.DomainById without the interface enumerator it allocates (Take must allocate nothing).</summary>
    private DomainSpec? DomainById(int domId)
    {
        var domains = Spec.Domains;
        for (int k = 0; k < domains.Count; k++)
        {
            if (domains[k].DomId == domId)
            {
                return domains[k];
            }
        }

        return null;
    }

    private static int BankNamed(MachineSpec spec, string unit)
    {
        foreach (var b in spec.Banks)
        {
            if (string.Equals(b.Unit, unit, StringComparison.Ordinal))
            {
                return b.BankIndex;
            }
        }

        throw new ArgumentException($"machine '{spec.Name}' has no {unit} bank: expected banks named DCU, IFU, DTLB, MLC, PCU, LLC and IMC");
    }
}
