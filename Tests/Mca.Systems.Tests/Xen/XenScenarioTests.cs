using Mca.Systems.Hardware;
using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

/// <summary>
/// The xen-mceinj / mce-test cases (Xen tools/tests/mce-test) run through the kernels in the order the
/// current handler (era B) calls them: a worked example of the API for the pipeline.
/// </summary>
public class XenScenarioTests
{
    private const ushort Guest = 1;
    private const ulong MachineAddr = 0x7654020; // where guest frame 0x180 really lives

    /// <summary>A guest with two vCPUs (HVM with HAP), and the console.</summary>
    private sealed class World
    {
        public readonly VcpuMca[] Vcpus = [VcpuMca.Create(true), VcpuMca.Create(true)];
        public readonly List<string> Console = [];
        public readonly McTelemetry Telemetry = new(cpuCount: 2);
        public PageOfflineResult NextOffline = PageOfflineResult.PendingOwned(Guest);
        public bool Crashed;
    }

    /// <summary>mc_memerr_dhandler as the pipeline would implement it on top of the kernels.</summary>
    private struct MemoryHandler : IMemoryErrorHandler
    {
        public World World;
        public McInfo Info;

        public McerResult Handle(int recordIndex, ref McBankRecord bank, McerResult preset)
        {
            PageOfflineResult offline = World.NextOffline;
            VmceDelivery delivery = VmceDelivery.Delivered;
            if (IntelMca.IsPhysicalAddress(bank.Status, bank.Misc) && MemoryErrorAction.RequiresVmce(offline))
            {
                // Unmap succeeds for an HVM guest with HAP; then fill and inject against the guest address.
                int target = MemoryErrorAction.ChooseVmceVcpu(Info.Global, offline.Owner, hostIntel: true, World.Vcpus[0].McgExtCtl);
                var guestBank = bank with { DomId = offline.Owner, Addr = MemoryErrorAction.GuestAddress(0x180, bank.Addr) };
                var vmceLines = new List<string>();
                if (VmceFill.Fill(World.Vcpus, guestBank, Info.Global.McgStatus, target, vmceLines) != VmceFillResult.Ok)
                {
                    delivery = VmceDelivery.FillFailed;
                }
                else if (VmceInject.Inject(World.Vcpus, offline.Owner, hvm: true, [true, true], [], target, out _, vmceLines) != VmceInjectResult.Ok)
                {
                    delivery = VmceDelivery.InjectFailed;
                }

                MemoryErrorDecision d = MemoryErrorAction.Decide(preset, bank, offline, delivery);
                if ((d.Messages & MemoryErrorMessages.OwnedBy) != 0)
                {
                    World.Console.Add(XenConsole.OwnedBy(d.Owner));
                }

                World.Console.AddRange(vmceLines);
                if ((d.Messages & MemoryErrorMessages.FillFailed) != 0)
                {
                    World.Console.Add(XenConsole.FillFailed(d.Owner));
                }

                World.Crashed |= d.CrashOwner;
                MemoryErrorAction.Apply(d, ref bank, gfn: 0x180, Info);
                return d.Result;
            }

            MemoryErrorDecision plain = MemoryErrorAction.Decide(preset, bank, offline, delivery);
            XenConsole.MemoryErrorLines(plain, World.Console);
            MemoryErrorAction.Apply(plain, ref bank, gfn: 0x180, Info);
            return plain.Result;
        }
    }

    /// <summary>mce_delayed_action.</summary>
    private struct DelayedHandler : IDeferredTelemetryHandler
    {
        public World World;

        public bool Process(int cookie, McInfo info)
        {
            var memory = new MemoryHandler { World = World, Info = info };
            McerResult result = DeferredTable.Run(info, ser: true, ref memory);
            DelayedDisposition disposition = DelayedAction.Decide(result);
            XenConsole.DelayedActionLines(disposition, info, cpu: 1, World.Console);
            return DelayedAction.Commits(disposition);
        }
    }

    /// <summary>The #MC logout of one CPU that sees <paramref name="status"/> in bank <paramref name="bank"/>.</summary>
    private static (int Cookie, McaSummary Summary, bool Cleared) Logout(World w, int cpu, int bank, ulong mcgStatus, ulong status, ulong addr, ulong misc)
    {
        var summary = McaSummary.Begin(mcgStatus);
        bool clear = IntelMca.NeedClearBank(LogoutSource.MceScan, status, ser: true);
        int cookie = w.Telemetry.Reserve(McaSummary.ClassFor(LogoutSource.MceScan));
        McInfo info = w.Telemetry.Data(cookie);
        var global = McGlobal.Create(McFlags.None, mcgStatus, cpu, timeNs: 0);
        global.DomId = Guest;
        global.VcpuId = 0;
        info.SetGlobal(global);
        summary.AddBank(status, ser: true);
        info.TryAddBank(McBankRecord.FromRegisters(bank, status, addr, misc));
        info.Global.Flags = summary.GlobalFlags(LogoutSource.MceScan);
        if (summary.MustDefer)
        {
            w.Telemetry.Defer(cookie, cpu, summary.Lmce);
        }
        else
        {
            w.Telemetry.Commit(cookie);
        }

        return (cookie, summary, clear);
    }

    private static void Softirq(World w)
    {
        var h = new DelayedHandler { World = w };
        for (int cpu = 0; cpu < w.Telemetry.CpuCount; cpu++)
        {
            w.Telemetry.ProcessDeferred(cpu, lmce: false, ref h);
        }
    }

    [Fact]
    public void SraoMemGuest_RecoveredWithBroadcastVmceAndDom0Log()
    {
        var w = new World();
        var (cookie, summary, cleared) = Logout(w, cpu: 0, bank: 8, 0x5, 0xBD000000004000CFUL, MachineAddr, 0x86);
        Assert.True(cleared);
        Assert.False(summary.IsFatalAtLogout);
        Assert.False(UrgentTable.IsCpuFatal(0x5, interruptedGuest: true, w.Telemetry.Data(cookie).Banks, ser: true));

        Softirq(w);

        Assert.Equal(["MCE: This error page is ownded by DOM 1", "mce.c:1640: MCE: Error is successfully recovered"], w.Console);
        Assert.False(w.Crashed);

        // The guest: vcpu0 sees the real error with MSCOD masked and the guest address; vcpu1 the lesser event.
        Assert.Equal(MsrResult.Ok, VmceMsrs.Read(ref w.Vcpus[0], McaMsr.Status(1), true, out ulong status));
        Assert.Equal(0xBD000000000000CFUL, status);
        VmceMsrs.Read(ref w.Vcpus[0], McaMsr.Addr(1), true, out ulong addr);
        Assert.Equal(0x180020UL, addr);
        VmceMsrs.Read(ref w.Vcpus[1], McaMsr.McgStatus, true, out ulong g1);
        Assert.Equal(0x5UL, g1);
        Assert.True(w.Vcpus[0].McePending && w.Vcpus[1].McePending);

        // dom0: URGENT record, flags MCE|RECOVERABLE, bank owned by the guest at the guest address, recovery record mfn.
        Assert.Equal(FetchResult.Ok, w.Telemetry.Fetch(TelemetryClass.Urgent, out int fetched));
        Assert.Equal(cookie, fetched);
        McInfo info = w.Telemetry.Data(fetched);
        Assert.Equal(McFlags.Mce | McFlags.Recoverable, info.Global.Flags);
        Assert.Equal(Guest, info.Bank(0).DomId);
        Assert.Equal(0x180020UL, info.Bank(0).Addr);
        Assert.Equal(0x7654UL, info.Recoveries[0].Mfn);
        Assert.True(w.Telemetry.Ack(TelemetryClass.Urgent, fetched));
        Assert.Equal(FetchResult.NoData, w.Telemetry.Fetch(TelemetryClass.Urgent, out _));
    }

    [Fact]
    public void SecondErrorBeforeGuestClearsMcip_FillFailsAndCrashesGuest()
    {
        var w = new World();
        Logout(w, 0, 8, 0x5, 0xBD000000004000CFUL, MachineAddr, 0x86);
        Softirq(w);
        w.Console.Clear();

        // The guest has not written MCG_STATUS yet: MCIP is still set on every vCPU.
        Logout(w, 0, 7, 0x5, 0xBD2000008000017AUL, 0x9999020, 0x86);
        Softirq(w);

        Assert.True(w.Crashed);
        Assert.Equal(
        [
            "MCE: This error page is ownded by DOM 1",
            "MCE: d1v0: guest has not handled previous vMCE yet!",
            "MCE: d1v1: guest has not handled previous vMCE yet!",
            "Fill vMCE# data for DOM1 failed",
            "mce.c:1645: MCE: Error can't be recovered, system is tainted",
            "CPU0: Machine Check Exception:                5",
            "Bank 7: bd2000008000017a[              86] at           180020",
        ], w.Console);
    }

    [Fact]
    public void SraoMemXen_FixedPage_TaintedNotPanicked()
    {
        var w = new World { NextOffline = PageOfflineResult.XenFixed() };
        Logout(w, 0, 8, 0x5, 0xBD000000004000CFUL, 0x180020, 0x86);
        Softirq(w);
        Assert.Equal("mcaction.c:60: Failed to offline page 00180 for MCE error", w.Console[0]);
        Assert.Equal("mce.c:1645: MCE: Error can't be recovered, system is tainted", w.Console[1]);
    }

    [Fact]
    public void SrarOnXenHeapPage_Panics()
    {
        var w = new World { NextOffline = PageOfflineResult.PendingXenHeap() };
        Logout(w, 0, 3, 0x7, 0xBDA0000000000134UL, 0x180020, 0x86);
        Softirq(w);
        Assert.Equal("mce.c:1633: MCE delayed action failed", w.Console[0]);
        Assert.Contains("MCE: Software recovery failed for the UCR", w.Console);
    }

    [Fact]
    public void FatalType4_PanicsWithBannerAndDump()
    {
        var w = new World();
        var (_, summary, cleared) = Logout(w, cpu: 1, bank: 7, 0x5, 0xBF2000008000017AUL, 0x180020, 0x86);
        Assert.False(cleared); // sticky for after the reboot
        Assert.True(summary.IsFatalAtLogout);

        ulong[] fatalCpus = [1UL << 1];
        var lines = new List<string>();
        XenConsole.McPanicBanner(XenConsole.FatalCpusReason(fatalCpus, nrCpuIds: 2), lines);
        lines.Add(XenConsole.McPanicDumpBegin());
        var dump = new PanicDumpHandler(lines);
        for (int cpu = 0; cpu < 2; cpu++)
        {
            w.Telemetry.ProcessDeferred(cpu, lmce: false, ref dump);
        }

        lines.Add(XenConsole.McPanicDumpEnd(dump.Dumped));
        XenConsole.Panic(XenConsole.HardwareError, cpu: 1, lines);

        Assert.Equal("Fatal machine check: MCE: Fatal error happened on CPUs 2", lines[0]);
        Assert.Contains("Bank 7: bf2000008000017a[              86] at           180020", lines);
        Assert.Contains("HARDWARE ERROR", lines);
        Assert.Equal(30, w.Telemetry.FreeCount); // nothing reaches dom0 before the reboot
    }

    [Fact]
    public void UcnaViaCmci_ClearedAndCommittedNonUrgent()
    {
        var w = new World();
        const ulong ucna = 0xBC20000080000136UL;
        Assert.True(IntelMca.NeedClearBank(LogoutSource.Cmci, ucna, ser: true));
        var summary = McaSummary.Begin(0);
        summary.AddBank(ucna, true);
        int cookie = w.Telemetry.Reserve(McaSummary.ClassFor(LogoutSource.Cmci));
        McInfo info = w.Telemetry.Data(cookie);
        info.SetGlobal(McGlobal.Create(summary.GlobalFlags(LogoutSource.Cmci), 0, cpu: 0, timeNs: 0));
        info.TryAddBank(McBankRecord.FromRegisters(9, ucna, 0x180020, 0x86) with { DomId = 0 });
        w.Telemetry.Commit(cookie);

        Assert.Equal(FetchResult.NoData, w.Telemetry.Fetch(TelemetryClass.Urgent, out _));
        Assert.Equal(FetchResult.Ok, w.Telemetry.Fetch(TelemetryClass.NonUrgent, out int got));
        Assert.Equal(cookie, got);
        var lines = new List<string>();
        XenConsole.McinfoDump(info, lines);
        Assert.Equal(["CMCI occurred on CPU 0.", "Bank 9: bc20000080000136[              86] at           180020"], lines);
    }
}
