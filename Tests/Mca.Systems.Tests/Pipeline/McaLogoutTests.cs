using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Xen;
using static Mca.Systems.Tests.Pipeline.OneMachine;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>
/// mcheck_mca_logout (Xen mce.c) on one CPU of the default machine: what it reads (mca_rdmsr, interposed values
/// first), what the telemetry record holds (mca_init_global, mca_init_bank), and which banks it clears
/// (need_clearbank_scan; MCE_SCAN clears only after the logout, the poller at once).
/// </summary>
public class McaLogoutTests
{
    private const int PackageBank = 8; // IMC, one instance per socket: CPUs 0-7 share socket 0's
    private const int ThreadBank = 0; // DCU, one instance per CPU
    private const ulong Addr = 0x180040;

    [Fact]
    public void Poller_RecordCarriesTheBanksStatusAddrMisc_AndClearsTheBank()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(3, PackageBank, Corrected, Addr, PhysicalMisc);
        m.Batch.BankForWrite(0, m.Spec.BankInstanceOf(3, PackageBank)).CorrectedSinceLogout = 5;
        m.Batch.CpuForWrite(0, 3).McgStatus = McgStatusBits.Ripv;

        var s = McaLogout.Run(m.Batch, 0, 3, LogoutSource.Poller, 1UL << PackageBank);

        Assert.Equal(1, s.Found);
        Assert.True(s.Cookie >= 0, "the first valid bank reserves telemetry");
        Assert.False(s.Uc);
        Assert.False(s.Pcc);
        Assert.Equal(0UL, s.ClearMask);

        var found = Assert.Single(m.Events);
        Assert.Equal(HandlerEventKind.PollFound, found.Kind);
        Assert.Equal((3, PackageBank, Corrected, Addr, PhysicalMisc, (long)LogoutSource.Poller), ((int)found.Cpu, (int)found.Bank, found.Status, found.Addr, found.Misc, found.Arg));

        var info = m.Batch.Telemetry.Data(0, s.Cookie);
        Assert.Equal(1, info.BankCount);
        ref var record = ref info.Bank(0);
        Assert.Equal((PackageBank, Corrected, Addr, PhysicalMisc), ((int)record.Bank, record.Status, record.Addr, record.Misc));
        Assert.Equal(3, info.Global.Cpu);
        Assert.Equal(McgStatusBits.Ripv, info.Global.McgStatus);
        Assert.Equal(McFlags.Polled | McFlags.Correctable, info.Global.Flags);

        // The poller always clears (intel_need_clearbank_scan); the bank's CE count goes with the record.
        ref readonly var bank = ref m.Bank(3, PackageBank);
        Assert.Equal((0UL, 0UL, 0UL, 0L), (bank.Status, bank.Addr, bank.Misc, bank.CorrectedSinceLogout));
    }

    [Fact]
    public void SharedBank_FirstCpuToReadAndClearOwnsIt_ACpuAfterFindsNothing()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(0, PackageBank, Corrected, Addr);

        var first = McaLogout.Run(m.Batch, 0, 5, LogoutSource.Poller, 1UL << PackageBank);
        var second = McaLogout.Run(m.Batch, 0, 2, LogoutSource.Poller, 1UL << PackageBank);

        Assert.Equal(1, first.Found);
        Assert.Equal(0, second.Found);
        Assert.Equal(-1, second.Cookie);
        var found = Assert.Single(m.Events);
        Assert.Equal(5, (int)found.Cpu);
    }

    [Fact]
    public void OtherSocketsInstance_IsNotTheSameBank()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(0, PackageBank, Corrected, Addr);
        m.Write(0, ThreadBank, Corrected, Addr);

        Assert.Equal(0, McaLogout.Run(m.Batch, 0, 8, LogoutSource.Poller, m.AllBanks).Found);
        Assert.Equal(0, McaLogout.Run(m.Batch, 0, 1, LogoutSource.Poller, 1UL << ThreadBank).Found);
        Assert.Empty(m.Events);
        Assert.Equal(Corrected, m.Bank(0, PackageBank).Status);
        Assert.Equal(Corrected, m.Bank(0, ThreadBank).Status);
    }

    [Fact]
    public void MceScan_Srao_MarkedForClearing_ClearedByClearMarked_NotLoggedTwice()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(0, PackageBank, Srao, Addr);

        var s = McaLogout.Run(m.Batch, 0, 4, LogoutSource.MceScan, m.AllBanks);

        Assert.Equal(1, s.Found);
        Assert.True(s.Uc);
        Assert.False(s.Pcc);
        Assert.True(s.Recoverable, "SRAO: UC, S, EN, no PCC (intel_recoverable_scan)");
        Assert.Equal(1UL << PackageBank, s.ClearMask);
        // mcheck_cmn_handler clears the marked banks after the logout, not during it.
        Assert.Equal(Srao, m.Bank(4, PackageBank).Status);
        Assert.Equal(McFlags.Mce | McFlags.Recoverable, m.Batch.Telemetry.Data(0, s.Cookie).Global.Flags);

        McaLogout.ClearMarked(m.Batch, 0, 4, s.ClearMask);
        Assert.Equal(0UL, m.Bank(4, PackageBank).Status);
        Assert.Equal(0, McaLogout.Run(m.Batch, 0, 6, LogoutSource.MceScan, m.AllBanks).Found);

        var owned = Assert.Single(m.Events);
        Assert.Equal((HandlerEventKind.BankOwned, 4, PackageBank, Srao), (owned.Kind, (int)owned.Cpu, (int)owned.Bank, owned.Status));
    }

    [Fact]
    public void MceScan_Pcc_StaysSticky_SoEveryCpuSeeingItLogsIt()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(0, PackageBank, Fatal, Addr);

        var a = McaLogout.Run(m.Batch, 0, 0, LogoutSource.MceScan, m.AllBanks);
        McaLogout.ClearMarked(m.Batch, 0, 0, a.ClearMask);
        var b = McaLogout.Run(m.Batch, 0, 1, LogoutSource.MceScan, m.AllBanks);

        Assert.Equal(0UL, a.ClearMask);
        Assert.True(a.Pcc);
        Assert.False(a.Recoverable);
        Assert.Equal(1, b.Found);
        Assert.NotEqual(a.Cookie, b.Cookie);
        Assert.Equal(Fatal, m.Bank(0, PackageBank).Status);
        Assert.Equal(McFlags.Mce | McFlags.Uncorrectable, m.Batch.Telemetry.Data(0, a.Cookie).Global.Flags);
        Assert.Equal([0, 1], m.Of(HandlerEventKind.BankOwned).Select(e => (int)e.Cpu));
    }

    [Fact]
    public void MceScan_ClearAll_ClearsAtOnce()
    {
        // Era (A) round 2 clears every valid bank during the logout, even a corrected one MCE_SCAN would leave.
        var m = new OneMachine(HandlerPolicy.Rfc2009);
        m.Write(2, ThreadBank, Corrected, Addr);
        m.Write(2, PackageBank, Srao, Addr);

        var s = McaLogout.Run(m.Batch, 0, 2, LogoutSource.MceScan, m.AllBanks, clearAll: true);

        Assert.Equal(2, s.Found);
        Assert.Equal(0UL, s.ClearMask);
        Assert.Equal(0UL, m.Bank(2, ThreadBank).Status);
        Assert.Equal(0UL, m.Bank(2, PackageBank).Status);
    }

    [Fact]
    public void MceScan_CorrectedLeftForThePoller_SraoCleared_OneRecordInBankOrder()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(2, PackageBank, Srao, Addr);
        m.Write(2, 4, Corrected, 0x200000);

        var s = McaLogout.Run(m.Batch, 0, 2, LogoutSource.MceScan, m.AllBanks);

        Assert.Equal(2, s.Found);
        Assert.Equal(1UL << PackageBank, s.ClearMask);
        var info = m.Batch.Telemetry.Data(0, s.Cookie);
        Assert.Equal([4, PackageBank], info.Banks.ToArray().Select(b => (int)b.Bank));
        Assert.Equal([4, PackageBank], m.Of(HandlerEventKind.BankOwned).Select(e => (int)e.Bank));
        Assert.Equal(McFlags.Mce | McFlags.Recoverable, info.Global.Flags);
    }

    [Fact]
    public void BanksOutsideTheMask_AreNotRead()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(0, 4, Corrected, Addr);
        m.Write(0, PackageBank, Corrected, Addr);

        var s = McaLogout.Run(m.Batch, 0, 0, LogoutSource.Poller, 1UL << 4);

        Assert.Equal(1, s.Found);
        Assert.Equal(4, (int)Assert.Single(m.Events).Bank);
        Assert.Equal(Corrected, m.Bank(0, PackageBank).Status);
    }

    [Fact]
    public void Interposed_SeenByItsCpuOnly_ClearingDeletesItAndTheRealRegisterShowsThrough()
    {
        const ulong InjectedAddr = 0x300000;
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Write(2, PackageBank, Corrected, Addr);
        m.Interpose(2, PackageBank, Srao, InjectedAddr);

        var injected = McaLogout.Run(m.Batch, 0, 2, LogoutSource.Poller, 1UL << PackageBank);
        Assert.True(injected.Uc, "CPU 2 reads the interposed SRAO");
        ref readonly var bank = ref m.Bank(2, PackageBank);
        Assert.Equal(-1, (int)bank.InterposedCpu);
        Assert.Equal(Corrected, bank.Status);

        var real = McaLogout.Run(m.Batch, 0, 2, LogoutSource.Poller, 1UL << PackageBank);
        Assert.False(real.Uc);
        Assert.Equal([(Srao, InjectedAddr), (Corrected, Addr)], m.Events.Select(e => (e.Status, e.Addr)));
        Assert.Equal(0UL, m.Bank(2, PackageBank).Status);
    }

    [Fact]
    public void Interposed_OtherCpuOfTheSocketReadsTheRealRegister()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        m.Interpose(2, PackageBank, Srao, Addr);

        Assert.Equal(0, McaLogout.Run(m.Batch, 0, 3, LogoutSource.Poller, 1UL << PackageBank).Found);
        Assert.Equal(2, (int)m.Bank(2, PackageBank).InterposedCpu);
    }

    [Theory]
    [InlineData(LogoutSource.Poller, PhysicalMisc, 1)]
    [InlineData(LogoutSource.Cmci, PhysicalMisc, 1)]
    [InlineData(LogoutSource.MceScan, PhysicalMisc, XenIds.DomIdInvalid)]
    [InlineData(LogoutSource.Poller, 0x06UL, XenIds.DomIdInvalid)] // MISC mode 000: segment offset, not physical
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void BankRecordDomain_IsThePageOwnerForPollerAndCmciOnPhysicalAddresses(LogoutSource who, ulong misc, int domId)
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        ulong domUFrame = (ulong)m.Spec.Domains.Single(d => d.DomId == 1).MfnBase + 0x10;
        m.Write(0, PackageBank, Corrected, (domUFrame << MemoryMap.PageShift) | 0x40, misc);

        var s = McaLogout.Run(m.Batch, 0, 0, who, 1UL << PackageBank);

        Assert.Equal(domId, (int)m.Batch.Telemetry.Data(0, s.Cookie).Bank(0).DomId);
    }

    [Fact]
    public void PoolExhausted_BankStillOwned_RecordCountedLost()
    {
        var m = new OneMachine(HandlerPolicy.Xen);
        int reserved = 0;
        while (m.Batch.Telemetry.Reserve(0, urgent: true) >= 0)
        {
            Assert.True(++reserved < 100, "the urgent class runs out");
        }

        m.Write(0, PackageBank, Srao, Addr);
        var s = McaLogout.Run(m.Batch, 0, 0, LogoutSource.MceScan, m.AllBanks);

        Assert.Equal(1, s.Found);
        Assert.Equal(-1, s.Cookie);
        Assert.Equal(1UL << PackageBank, s.ClearMask);
        Assert.Equal([HandlerEventKind.BankOwned, HandlerEventKind.LogLost], m.Events.Select(e => e.Kind));
        var lost = m.Events[1];
        Assert.Equal((PackageBank, Srao, LossCause.PoolExhausted), ((int)lost.Bank, lost.Status, lost.LossCause));
    }
}
