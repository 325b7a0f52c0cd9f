using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>
/// A booted one-machine batch with no error source, for driving one pipeline step by hand: bank values are
/// written straight into the rows (as ArriveErrorsSystem would), and the boot's events are cleared.
/// </summary>
internal sealed class OneMachine
{
    public const ulong Srao = 0xBD000000004000C0; // VAL UC EN MISCV ADDRV S, MCACOD 0xC0 scrub (Intel SDM vol. 3B 15.9.3)
    public const ulong Fatal = 0xBE00000000000400; // VAL UC EN MISCV ADDRV PCC, internal timer
    public const ulong Corrected = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.MiscV | MciStatusBits.AddrV | 0x9F;
    public const ulong PhysicalMisc = 0x86; // MISC mode 010 (physical), LSB 6

    public OneMachine(HandlerPolicy policy, MachineSpec? spec = null, ulong seed = 1, int machineId = 0, HandlerTrace? trace = null)
    {
        Spec = spec ?? MachineSpec.Default;
        Batch = MachineBatches.Create(Spec, policy, machineId, 1, seed, NoErrors.Instance, trace);
        Batch.Events.Clear();
    }

    public MachineSpec Spec { get; }

    public MachineBatch Batch { get; }

    public ulong AllBanks => (1UL << Spec.BankCount) - 1;

    public IReadOnlyList<HandlerEvent> Events => Batch.Events.Events.ToArray();

    public IEnumerable<HandlerEvent> Of(HandlerEventKind kind) => Events.Where(e => e.Kind == kind);

    /// <summary>The bank row CPU <paramref name="cpu"/> sees as bank <paramref name="bank"/>.</summary>
    public ref readonly BankState Bank(int cpu, int bank) => ref Batch.BanksOf(0)[Spec.BankInstanceOf(cpu, bank)];

    /// <summary>Writes the real registers of the bank CPU <paramref name="cpu"/> sees as <paramref name="bank"/>.</summary>
    public void Write(int cpu, int bank, ulong status, ulong addr, ulong misc = PhysicalMisc)
    {
        ref var b = ref Batch.BankForWrite(0, Spec.BankInstanceOf(cpu, bank));
        b.Status = status;
        b.Addr = addr;
        b.Misc = misc;
    }

    /// <summary>Interposes values for CPU <paramref name="cpu"/> only (XEN_MC_msrinject with INTERPOSE).</summary>
    public void Interpose(int cpu, int bank, ulong status, ulong addr, ulong misc = PhysicalMisc)
    {
        ref var b = ref Batch.BankForWrite(0, Spec.BankInstanceOf(cpu, bank));
        b.InterposedCpu = (short)cpu;
        b.InterposedStatus = status;
        b.InterposedAddr = addr;
        b.InterposedMisc = misc;
    }

    /// <summary>
    /// A broadcast (or, with <paramref name="lmce"/>, local; with <paramref name="targetOnly"/>, injected on the target alone) #MC
    /// consumed on <paramref name="cpu"/> is pending.
    /// </summary>
    public void PendMce(int cpu, bool lmce = false, bool targetOnly = false)
    {
        ref var m = ref Batch.Machines[0];
        m.McePending = true;
        m.MceLmce = lmce;
        m.MceTargetOnly = targetOnly;
        m.MceTargetCpu = (short)cpu;
    }

    /// <summary>The default machine's shape with another model number (below 0xE: no broadcast #MC; below 0x1A: no bank 0).</summary>
    public static MachineSpec DefaultWithModel(int model)
    {
        var d = MachineSpec.Default;
        return new MachineSpec
        {
            Name = $"default-model-{model:x}",
            Family = d.Family,
            Model = model,
            SocketCount = d.SocketCount,
            CoresPerSocket = d.CoresPerSocket,
            ThreadsPerCore = d.ThreadsPerCore,
            McgCap = d.McgCap,
            Banks = d.Banks,
            Memory = d.Memory,
            Domains = d.Domains,
        };
    }
}
