using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using static Mca.Systems.Tests.Pipeline.OneMachine;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>
/// Pipeline step 3 on one machine of the default shape (2 sockets x 8 CPUs, broadcast #MC): who enters the
/// #MC handler and in which order, and the serialized logout that follows, in the common handler of current
/// Xen (mce.c mcheck_cmn_handler) and in the RFC era's two rounds (Xen 32e8dd573b mce_intel.c intel_machine_check).
/// </summary>
public class RendezvousMceSystemTests
{
    private const int PackageBank = 8; // IMC, one instance per socket
    private const int ThreadBank = 0; // DCU, one instance per CPU
    private const ulong Addr = 0x180040;
    private const ulong Srar = 0xBD80000000000150; // VAL UC EN MISCV ADDRV S AR, MCACOD 0x150 instruction fetch

    private static (OneMachine Machine, RendezvousMceSystem System) Pending(HandlerPolicy policy, int target = 3, ulong seed = 1, int machineId = 0, MachineSpec? spec = null)
    {
        var m = new OneMachine(policy, spec, seed, machineId);
        m.PendMce(target);
        return (m, new RendezvousMceSystem(m.Batch));
    }

    private static int[] Run(RendezvousMceSystem system)
    {
        system.Run([0]);
        return system.Order.ToArray();
    }

    /// <summary>The entry latency the rendezvous draws for CPU <paramref name="cpu"/> in handler invocation <paramref name="eventSeq"/> (100..1099 ns).</summary>
    private static long Latency(ulong seed, int machineId, long eventSeq, int cpuCount, int cpu) =>
        100 + (long)(CounterRng.Create(seed, (ulong)machineId, RendezvousMceSystem.ArrivalPurpose).At(((ulong)eventSeq * (ulong)cpuCount) + (ulong)cpu) % 1000);

    [Fact]
    public void Broadcast_EveryOnlineCpuEnters_RankedByArrival()
    {
        var (m, system) = Pending(HandlerPolicy.Xen, target: 3);

        var order = Run(system);

        Assert.Equal(Enumerable.Range(0, 16), order.Order());
        var cpus = m.Batch.CpusOf(0).ToArray();
        for (int i = 0; i < order.Length; i++)
        {
            Assert.True(cpus[order[i]].InMce);
            Assert.Equal(i, cpus[order[i]].ArrivalRank);
        }

        var entered = Assert.Single(m.Events);
        Assert.Equal((HandlerEventKind.MceEntered, 3, false), (entered.Kind, (int)entered.Cpu, entered.IsLmce));
    }

    [Fact]
    public void Order_SortsCpusByTheirDrawnLatency_TiesByIndex()
    {
        const ulong Seed = 42;
        const int MachineId = 17;
        var (m, system) = Pending(HandlerPolicy.Xen, seed: Seed, machineId: MachineId);

        var order = Run(system);

        long seq = m.Batch.Machines[0].EventSeq;
        Assert.Equal(1, seq);
        var expected = Enumerable.Range(0, 16).OrderBy(c => Latency(Seed, MachineId, seq, 16, c)).ThenBy(c => c);
        Assert.Equal(expected, order);
        Assert.NotEqual(Enumerable.Range(0, 16), order);
    }

    [Fact]
    public void Order_IsDeterministicForASeedAndMachine_AndDiffersAcrossSeedsMachinesAndEvents()
    {
        int[] OrderOf(ulong seed, int machineId)
        {
            var (_, system) = Pending(HandlerPolicy.Xen, seed: seed, machineId: machineId);
            return Run(system);
        }

        var first = OrderOf(7, 3);
        Assert.Equal(first, OrderOf(7, 3));
        Assert.NotEqual(first, OrderOf(8, 3));
        Assert.NotEqual(first, OrderOf(7, 4));

        // A second #MC on the same machine draws afresh (one draw per event and CPU).
        var (again, system) = Pending(HandlerPolicy.Xen, seed: 7, machineId: 3);
        Assert.Equal(first, Run(system));
        again.PendMce(3);
        var second = Run(system);
        Assert.NotEqual(first, second);
        Assert.Equal(Enumerable.Range(0, 16).OrderBy(c => Latency(7, 3, 2, 16, c)).ThenBy(c => c), second);
    }

    [Fact]
    public void OfflineCpu_DoesNotEnter()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.Batch.CpuForWrite(0, 5).Online = false;

        var order = Run(system);

        Assert.Equal(Enumerable.Range(0, 16).Where(c => c != 5), order.Order());
        Assert.False(m.Batch.CpusOf(0)[5].InMce);
    }

    [Fact]
    public void Lmce_OnlyTheTargetEnters()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.PendMce(6, lmce: true);

        Assert.Equal([6], Run(system));
        Assert.Equal([6], Enumerable.Range(0, 16).Where(c => m.Batch.CpusOf(0)[c].InMce));
        Assert.True(Assert.Single(m.Events).IsLmce);
    }

    [Fact]
    public void NonBroadcastHost_OnlyTheTargetEnters()
    {
        // Family 6 model 0xD: no broadcast #MC (Xen mce_intel.c mce_is_broadcast).
        var (_, system) = Pending(HandlerPolicy.Xen, target: 9, spec: DefaultWithModel(0xD));

        Assert.Equal([9], Run(system));
    }

    [Fact]
    public void NothingPending_OrMachineDown_NothingHappens()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.Batch.Machines[0].McePending = false;
        system.Run([0]);
        m.PendMce(3);
        m.Batch.Machines[0].Phase = MachinePhase.Down;
        system.Run([0]);

        Assert.Empty(m.Events);
        Assert.Equal(0, system.OrderCount);
        Assert.Equal(0, m.Batch.Machines[0].EventSeq);
    }

    [Fact]
    public void PreviousMcesScratch_IsReset()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        ref var stale = ref m.Batch.CpuForWrite(0, 11);
        stale.FoundError = true;
        stale.Fatal = true;
        stale.PendingCookie = 7;
        stale.Severity = 3;
        m.Batch.Machines[0].SeverityCpu = 11;

        Run(system);

        var c = m.Batch.CpusOf(0)[11];
        Assert.Equal((false, false, -1, 0), (c.FoundError, c.Fatal, c.PendingCookie, (int)c.Severity));
        Assert.Equal(-1, (int)m.Batch.Machines[0].SeverityCpu);
    }

    [Fact]
    public void Common_SharedSrao_OwnedByTheFirstArrivingCpuOfItsSocket_LoggedOnce()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.Write(3, PackageBank, Srao, Addr);

        var order = Run(system);

        int owner = order.First(c => m.Spec.SocketOf(c) == 0);
        var owned = Assert.Single(m.Of(HandlerEventKind.BankOwned));
        Assert.Equal(owner, (int)owned.Cpu);
        Assert.Equal(0UL, m.Bank(0, PackageBank).Status);
        var cpus = m.Batch.CpusOf(0).ToArray();
        Assert.True(cpus[owner].FoundError);
        Assert.True(cpus[owner].PendingCookie >= 0, "UC telemetry is deferred on the owner");
        Assert.Equal(2, (int)cpus[owner].Severity);
        Assert.False(cpus[owner].Fatal);
        Assert.Equal([owner], Enumerable.Range(0, 16).Where(c => cpus[c].FoundError));
        Assert.Equal(owner, (int)m.Batch.Machines[0].SeverityCpu);
    }

    [Fact]
    public void Common_Pcc_EveryCpuOfTheSocketLogsItInArrivalOrder_AllFatal()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.Write(3, PackageBank, Fatal, Addr);

        var order = Run(system);

        var socket0 = order.Where(c => m.Spec.SocketOf(c) == 0).ToArray();
        Assert.Equal(socket0, m.Of(HandlerEventKind.BankOwned).Select(e => (int)e.Cpu));
        var cpus = m.Batch.CpusOf(0).ToArray();
        Assert.All(socket0, c => Assert.True(cpus[c].Fatal && cpus[c].Severity == 3 && cpus[c].PendingCookie >= 0));
        Assert.Equal(8, socket0.Select(c => cpus[c].PendingCookie).Distinct().Count());
        Assert.DoesNotContain(Enumerable.Range(8, 8), c => cpus[c].FoundError);
        // The last CPU through the lock with errors becomes severity_cpu.
        Assert.Equal(socket0[^1], (int)m.Batch.Machines[0].SeverityCpu);
        Assert.Equal(Fatal, m.Bank(0, PackageBank).Status);
    }

    [Fact]
    public void Common_CorrectedOnly_CommittedUrgentAtOnce()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.Write(4, ThreadBank, Corrected, Addr);

        Run(system);

        var cpu = m.Batch.CpusOf(0)[4];
        Assert.Equal((true, -2, 1), (cpu.FoundError, cpu.PendingCookie, (int)cpu.Severity));
        var committed = Assert.Single(m.Of(HandlerEventKind.TelemetryCommitted));
        Assert.Equal((4, true), ((int)committed.Cpu, committed.IsUrgent));
        // MCE_SCAN leaves a corrected bank for the poller or CMCI.
        Assert.Equal(Corrected, m.Bank(4, ThreadBank).Status);
    }

    [Fact]
    public void Common_TwoSockets_SeverityCpuIsTheLaterOwner()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.Write(0, PackageBank, Srao, Addr);
        m.Write(8, PackageBank, Srao, Addr + 0x1000);

        var order = Run(system);

        int first0 = order.First(c => c < 8);
        int first1 = order.First(c => c >= 8);
        var owners = m.Of(HandlerEventKind.BankOwned).Select(e => (int)e.Cpu).ToArray();
        Assert.Equal(order.Where(c => c == first0 || c == first1), owners);
        Assert.Equal(owners[^1], (int)m.Batch.Machines[0].SeverityCpu);
    }

    [Fact]
    public void TwoRound_Pcc_Round1PanicsBeforeAnyLogout_BankStaysSticky()
    {
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.Write(3, PackageBank, Fatal, Addr);

        var order = Run(system);

        ref readonly var s = ref m.Batch.Machines[0];
        Assert.True(s.ResetPending);
        Assert.Equal((byte)ResetReason.Fatal, s.ResetReason);
        Assert.Equal("Fatal machine check: pcc = 1, cpu unable to continue", m.Batch.Handler.PanicMessages[0]);
        int first = order.First(c => m.Spec.SocketOf(c) == 0);
        Assert.Equal([first], Enumerable.Range(0, 16).Where(c => m.Batch.CpusOf(0)[c].Fatal));
        Assert.Empty(m.Of(HandlerEventKind.BankOwned));
        Assert.Equal(Fatal, m.Bank(3, PackageBank).Status);
    }

    [Fact]
    public void TwoRound_Round2ClearsEveryBank_WorstCpuWins()
    {
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.Write(9, ThreadBank, Corrected, Addr);
        m.Write(3, PackageBank, Srao, Addr);

        var order = Run(system);

        int owner = order.First(c => m.Spec.SocketOf(c) == 0);
        var cpus = m.Batch.CpusOf(0).ToArray();
        Assert.Equal((1, 2), ((int)cpus[9].Severity, (int)cpus[owner].Severity));
        Assert.Equal(owner, (int)m.Batch.Machines[0].SeverityCpu);
        Assert.Equal(2, m.Batch.Machines[0].WorstSeverity);
        Assert.Equal(0UL, m.Bank(9, ThreadBank).Status);
        Assert.Equal(0UL, m.Bank(owner, PackageBank).Status);
        Assert.False(m.Batch.Machines[0].ResetPending);
    }

    [Fact]
    public void TwoRound_Tie_EarliestArrivalIsTheMostOffendingCpu()
    {
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.Write(0, PackageBank, Srao, Addr);
        m.Write(8, PackageBank, Srao, Addr + 0x1000);

        var order = Run(system);

        var owners = m.Of(HandlerEventKind.BankOwned).Select(e => (int)e.Cpu).ToArray();
        Assert.Equal(2, owners.Length);
        Assert.True(Array.IndexOf(order, owners[0]) < Array.IndexOf(order, owners[1]));
        Assert.Equal(owners[0], (int)m.Batch.Machines[0].SeverityCpu);
    }

    [Fact]
    public void TwoRound_UcWithoutRecoveryMethod_Round1Resets_BanksStaySticky()
    {
        // SRAR on an instruction fetch whose MISC is not a physical address: no recovery method, so the RFC resets (its
        // implementation note 1), in round 1 like a PCC, before any logout, so the banks stay for the poll after the reboot.
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.Write(5, ThreadBank, Srar, Addr, misc: 0x06);
        m.Write(12, ThreadBank, Srao, Addr);

        Run(system);

        ref readonly var s = ref m.Batch.Machines[0];
        Assert.True(s.ResetPending);
        Assert.Equal((byte)ResetReason.Unrecoverable, s.ResetReason);
        Assert.Equal("Fatal machine check: UC error without a recovery method, reset to keep the banks for logging", m.Batch.Handler.PanicMessages[0]);
        Assert.True(m.Batch.CpusOf(0)[5].Fatal);
        Assert.Empty(m.Of(HandlerEventKind.BankOwned));
        Assert.Equal((Srar, Srao), (m.Bank(5, ThreadBank).Status, m.Bank(12, ThreadBank).Status));
    }

    [Fact]
    public void TwoRound_InterposedUcWithoutRecoveryMethod_Round2GradesThree()
    {
        // Round 1 skips interposed values, so an injected one is graded in round 2: 3 (no recovery method), the worst CPU.
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.Interpose(5, ThreadBank, Srar, Addr, misc: 0x06);
        m.Write(12, ThreadBank, Srao, Addr);

        Run(system);

        var cpus = m.Batch.CpusOf(0).ToArray();
        Assert.False(m.Batch.Machines[0].ResetPending);
        Assert.Equal((3, 2), ((int)cpus[5].Severity, (int)cpus[12].Severity));
        Assert.Equal(5, (int)m.Batch.Machines[0].SeverityCpu);
        Assert.Equal(3, m.Batch.Machines[0].WorstSeverity);
    }

    [Fact]
    public void TargetOnly_OnlyTheTargetEnters()
    {
        var (m, system) = Pending(HandlerPolicy.Xen);
        m.PendMce(6, targetOnly: true);

        Assert.Equal([6], Run(system));
        Assert.False(Assert.Single(m.Events).IsLmce);
    }

    [Fact]
    public void TwoRound_TargetOnly_WaitsForeverAtRound1()
    {
        // Round 1 ends in a spin until cpus_weight(scanned_cpus) == num_online_cpus(), with no timeout (Xen 32e8dd573b mce_intel.c intel_machine_check).
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.PendMce(3, targetOnly: true);
        m.Interpose(3, PackageBank, Srao, Addr);

        Run(system);

        ref readonly var s = ref m.Batch.Machines[0];
        Assert.Equal(MachinePhase.Hung, s.Phase);
        Assert.False(s.ResetPending);
        var hung = Assert.Single(m.Of(HandlerEventKind.MceHung));
        Assert.Equal((3, 1L, 16L), ((int)hung.Cpu, hung.Arg, hung.Arg2));
        Assert.Empty(m.Of(HandlerEventKind.BankOwned));
        Assert.Equal(Srao, m.Bank(3, PackageBank).InterposedStatus);
        Assert.Equal(-1, (int)s.SeverityCpu);
    }

    [Fact]
    public void TwoRound_TargetOnly_EveryOtherCpuOffline_PassesTheBarrier()
    {
        // With one CPU online the barrier counts one: round 2 logs out as for a broadcast.
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        for (int c = 0; c < 16; c++)
        {
            m.Batch.CpuForWrite(0, c).Online = c == 3;
        }

        m.PendMce(3, targetOnly: true);
        m.Interpose(3, PackageBank, Srao, Addr);

        Run(system);

        Assert.Equal(MachinePhase.Up, m.Batch.Machines[0].Phase);
        Assert.Empty(m.Of(HandlerEventKind.MceHung));
        Assert.Equal(3, (int)Assert.Single(m.Of(HandlerEventKind.BankOwned)).Cpu);
        Assert.Equal(3, (int)m.Batch.Machines[0].SeverityCpu);
    }

    [Fact]
    public void TwoRound_NonBroadcastHost_Hangs()
    {
        // The 2009 handler's barriers count every online CPU whoever the #MC reached (Xen 32e8dd573b mce_intel.c intel_machine_check).
        var (m, system) = Pending(HandlerPolicy.Rfc2009, target: 9, spec: DefaultWithModel(0xD));
        m.Write(9, ThreadBank, Srao, Addr);

        Assert.Equal([9], Run(system));
        Assert.Equal(MachinePhase.Hung, m.Batch.Machines[0].Phase);
    }

    [Fact]
    public void TwoRound_TargetOnly_RealPccOnTarget_PanicsBeforeTheBarrier()
    {
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.PendMce(3, targetOnly: true);
        m.Write(3, ThreadBank, Fatal, Addr);

        Run(system);

        Assert.True(m.Batch.Machines[0].ResetPending);
        Assert.Equal(MachinePhase.Up, m.Batch.Machines[0].Phase);
        Assert.Equal("Fatal machine check: pcc = 1, cpu unable to continue", m.Batch.Handler.PanicMessages[0]);
        Assert.Empty(m.Of(HandlerEventKind.MceHung));
    }

    [Fact]
    public void TwoRound_InterposedPcc_NoRound1Panic_Round2GradesThree()
    {
        // "If this was an injected error, keep going, since the interposed value will be lost at reboot" (Xen mce_intel.c severity_scan, 2009).
        var (m, system) = Pending(HandlerPolicy.Rfc2009);
        m.Interpose(3, ThreadBank, Fatal, Addr);

        Run(system);

        ref readonly var s = ref m.Batch.Machines[0];
        Assert.False(s.ResetPending);
        Assert.Null(m.Batch.Handler.PanicMessages[0]);
        Assert.Equal(3, (int)m.Batch.CpusOf(0)[3].Severity);
        Assert.Equal((3, 3), ((int)s.SeverityCpu, s.WorstSeverity));
    }
}
