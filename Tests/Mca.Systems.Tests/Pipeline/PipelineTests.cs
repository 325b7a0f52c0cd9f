using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Scenario;
using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>Handler behaviour on real (non-interposed) hardware errors, end to end through the pipeline.</summary>
public class PipelineTests
{
    private const ulong Srao = 0xBD000000004000C0; // VAL UC EN MISCV ADDRV S, MCACOD 0xC0 scrub (Intel SDM vol. 3B 15.9.3)
    private const ulong Fatal = 0xBE00000000000400; // VAL UC EN MISCV ADDRV PCC, internal timer

    /// <summary>Machine address of guest address <paramref name="gpa"/> of domain <paramref name="domId"/> on the default machine.</summary>
    private static ulong Maddr(int domId, ulong gpa) =>
        ((ulong)MachineSpec.Default.Memory.MfnOf(domId, (long)(gpa >> 12)) << 12) | (gpa & 0xFFF);

    private static ErrorInjection Mce(int cpu, int bank, ulong status, ulong addr, long timeNs = MachineSpec.NsPerSecond) => new()
    {
        TimeNs = timeNs,
        Cpu = cpu,
        BankIndex = bank,
        Status = status,
        Addr = addr,
        Misc = 0x86,
        McgStatus = McgStatusBits.Ripv,
        AutoSignal = true,
        Count = 1,
    };

    private static ScenarioReport Run(HandlerPolicy policy, params ErrorInjection[] errors) =>
        ScenarioRunner.Run(MachineSpec.Default, policy, errors);

    private static int Count(ScenarioReport r, HandlerEventKind kind) => r.Events.Count(e => e.Kind == kind);

    [Fact]
    public void Rfc_TwoBanksSamePcpuSameDomain_OneVmce()
    {
        // Banks 7 and 8 of socket 0 are package banks: the first CPU through logout owns both.
        var r = Run(HandlerPolicy.Rfc2009Impacted,
            Mce(0, 7, Srao, Maddr(1, 0x200000)),
            Mce(0, 8, Srao, Maddr(1, 0x300000)));
        Assert.Equal(1, r.Vmce.Count(v => v.Domain == 1));
        var owners = r.Events.Where(e => e.Kind == HandlerEventKind.BankOwned).Select(e => e.Cpu).Distinct();
        Assert.Single(owners);
    }

    [Fact]
    public void Rfc_BanksOnTwoPcpusSameDomain_OneVmcePerPcpu()
    {
        // Bank 8 of socket 0 and bank 8 of socket 1: read by a CPU of each socket.
        var r = Run(HandlerPolicy.Rfc2009Impacted,
            Mce(0, 8, Srao, Maddr(1, 0x200000)),
            Mce(8, 8, Srao, Maddr(1, 0x300000)));
        Assert.Equal(2, r.Vmce.Count(v => v.Domain == 1));
        Assert.Equal(GuestOutcomeKind.Recovered, r.Guests.Single(g => g.Domain == 1).Outcome);
        Assert.False(r.Reset);
    }

    [Fact]
    public void Rfc_Dom0Only_ItemsForDomUGoToDom0()
    {
        var r = Run(HandlerPolicy.Rfc2009,
            Mce(0, 8, Srao, Maddr(1, 0x200000)),
            Mce(8, 8, Srao, Maddr(1, 0x300000)));
        Assert.Equal(2, r.Vmce.Count(v => v.Domain == 0 && v.Vcpu == 0));
        Assert.DoesNotContain(r.Vmce, v => v.Domain == 1);
    }

    [Fact]
    public void Rfc_Dom0Only_DomUPageVmce_Dom0LogsWithoutRecovery()
    {
        // The 2009 code gave dom0 no recovery to do (Xen c8596872e0 only declared the interface for Xen's own
        // offline action): dom0 logs the vMCE for domU 1's page; nothing is offlined and nobody "recovers".
        var r = Run(HandlerPolicy.Rfc2009, Mce(0, 8, Srao, Maddr(1, 0x200000)));
        Assert.Equal(0, Assert.Single(r.Vmce).Domain);
        var dom0 = r.Guests.Single(g => g.Domain == 0);
        Assert.Equal(GuestOutcomeKind.Unaffected, dom0.Outcome);
        Assert.Contains("logged; no recovery action in dom0", dom0.Message, StringComparison.Ordinal);
        Assert.Equal(GuestOutcomeKind.Unaffected, r.Guests.Single(g => g.Domain == 1).Outcome);
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.PageOffline);
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.GuestOutcome && e.GuestOutcome == GuestOutcomeKind.Recovered);
        Assert.Contains(r.Events, e => e.Kind == HandlerEventKind.Dom0Logged && e.Bank == 8 && e.Status == Srao);
        Assert.False(r.Reset);
    }

    [Theory]
    [InlineData("rfc2009")]
    [InlineData("rfc2009-impacted")]
    public void Rfc_PvDom0WithoutCallback_InjectionSkipped(string policy)
    {
        // The 2009 softirq injects into dom0 only when guest_has_trap_callback (Xen 32e8dd573b mce_intel.c
        // mce_softirq): without one, dom0 gets no vMCE and is not crashed; the record still reaches its log.
        var spec = WithDomain(0, x => x with { TrapCallbackRegistered = false }, "dom0-no-callback");
        var r = ScenarioRunner.Run(spec, HandlerPolicy.Parse(policy), [Mce(0, 8, Srao, Maddr(0, 0x200000))]);
        Assert.Empty(r.Vmce);
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.DomainCrashed);
        Assert.False(r.Reset);
        Assert.Equal(GuestOutcomeKind.Unaffected, r.Guests.Single(g => g.Domain == 0).Outcome);
        Assert.Contains(r.Events, e => e.Kind == HandlerEventKind.Dom0Logged && e.Status == Srao);
    }

    [Fact]
    public void RfcImpacted_PvGuestWithoutCallback_InjectionSkipped()
    {
        // Crashing a PV guest without a #MC handler is Xen 4.1 behaviour (vmce.c inject_vmce), not the 2009 code's.
        var spec = WithDomain(1, x => x with { Kind = DomainKind.Pv, TrapCallbackRegistered = false }, "pv-domu-no-callback");
        var r = ScenarioRunner.Run(spec, HandlerPolicy.Rfc2009Impacted, [Mce(0, 8, Srao, Maddr(1, 0x200000))]);
        Assert.Empty(r.Vmce);
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.DomainCrashed);
        Assert.Equal(GuestOutcomeKind.Unaffected, r.Guests.Single(g => g.Domain == 1).Outcome);
        Assert.False(r.Reset);
    }

    [Fact]
    public void Xen_PvDom0WithoutCallback_CrashedAndHostReboots()
    {
        // HEAD inject_vmce fails for a PV vCPU without a trap callback and mc_memerr_dhandler crashes the domain
        // (Xen vmce.c, mcaction.c); dom0's crash reboots the host.
        var spec = WithDomain(0, x => x with { TrapCallbackRegistered = false }, "dom0-no-callback");
        var r = ScenarioRunner.Run(spec, HandlerPolicy.Xen, [Mce(0, 8, Srao, Maddr(0, 0x200000))]);
        Assert.Contains(r.Events, e => e.Kind == HandlerEventKind.DomainCrashed && e.Domain == 0 && e.CrashReason == CrashReason.NoHandler);
        Assert.Contains(r.Events, e => e.Kind == HandlerEventKind.Reset && e.Arg == (long)ResetReason.Dom0Crash);
    }

    [Fact]
    public void Xen_TwoMemoryErrorsOneGuestOneMce_CrashesGuest()
    {
        // Xen vmce.c counting rule: a second impacted bank for the same domain in one event crashes it.
        var r = Run(HandlerPolicy.Xen,
            Mce(0, 8, Srao, Maddr(1, 0x200000)),
            Mce(8, 8, Srao, Maddr(1, 0x300000)));
        Assert.Contains(r.Events, e => e.Kind == HandlerEventKind.DomainCrashed && e.Domain == 1 && e.Arg == (long)CrashReason.VmceBusy);
        Assert.Equal(GuestOutcomeKind.Crashed, r.Guests.Single(g => g.Domain == 1).Outcome);
        Assert.False(r.Reset);
    }

    [Fact]
    public void Xen_SecondVmceAfterGuestCleared_Delivered()
    {
        var r = Run(HandlerPolicy.Xen,
            Mce(0, 8, Srao, Maddr(1, 0x200000)),
            Mce(0, 8, Srao, Maddr(1, 0x300000), 5 * MachineSpec.NsPerSecond));
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.DomainCrashed);
        Assert.Equal(2, r.Vmce.Count(v => v.Domain == 1 && v.Vcpu == 0));
    }

    [Fact]
    public void Xen_SharedBank_LoggedExactlyOnce()
    {
        var r = Run(HandlerPolicy.Xen, Mce(3, 8, Srao, 0x180000));
        Assert.Equal(1, Count(r, HandlerEventKind.BankOwned));
        Assert.Equal(1, Count(r, HandlerEventKind.Dom0Logged));
        Assert.Contains(r.Console, l => l.Contains("successfully recovered", StringComparison.Ordinal));
    }

    [Fact]
    public void Xen_BrokenPageForgottenAtReboot_NewUeIsPendingAgainNotAgain()
    {
        // PGC_broken lives in page_info, rebuilt at boot (Xen page_alloc.c offline_page): the same page's
        // next UE after a reboot is offlined afresh, where before the reboot it would be "already broken".
        ulong page = Maddr(1, 0x200000);
        long afterReboot = 2_000 * MachineSpec.NsPerSecond;
        var r = Run(HandlerPolicy.Xen,
            Mce(0, 8, Srao, page),
            Mce(2, 8, Fatal, 0x180000, 10 * MachineSpec.NsPerSecond),
            Mce(0, 8, Srao, page, afterReboot));
        Assert.True(r.Reset);
        var offlines = r.Events.Where(e => e.Kind == HandlerEventKind.PageOffline).ToList();
        Assert.Equal(2, offlines.Count);
        Assert.All(offlines, e => Assert.Equal(PageOfflineOutcome.PendingOwned, e.OfflineOutcome));
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.DomainCrashed);

        // Without the reboot the second UE on the page is "already broken": domain_crash (Xen mcaction.c).
        var noReboot = Run(HandlerPolicy.Xen, Mce(0, 8, Srao, page), Mce(0, 8, Srao, page, afterReboot));
        Assert.Equal(PageOfflineOutcome.Again, noReboot.Events.Last(e => e.Kind == HandlerEventKind.PageOffline).OfflineOutcome);
    }

    [Theory]
    [InlineData("xen")]
    [InlineData("rfc2009")]
    public void Fatal_BankStaysSticky_LoggedAfterReboot(string policy)
    {
        var r = Run(HandlerPolicy.Parse(policy), Mce(2, 8, Fatal, 0x180000));
        Assert.True(r.Reset);
        int rebooted = Array.FindIndex(r.Events.ToArray(), e => e.Kind == HandlerEventKind.Rebooted);
        Assert.True(rebooted > 0, "the machine reboots");
        var logged = r.Events.Skip(rebooted).Where(e => e.Kind == HandlerEventKind.Dom0Logged).ToList();
        var record = Assert.Single(logged);
        Assert.Equal(Fatal, record.Status);
        Assert.Equal(8, record.Bank);
        // Xen leaves a PCC bank uncleared during the #MC scan, so every CPU of the socket logs the
        // shared bank; those deferred records die with the reset. The RFC panics before any logout.
        var lost = r.Events.Where(e => e.Kind == HandlerEventKind.LogLost).ToList();
        Assert.All(lost, e => Assert.Equal((long)LossCause.ResetBeforeFetch, e.Arg));
        Assert.Equal(policy == "xen" ? 8 : 0, lost.Count);
    }

    [Fact]
    public void RfcPostReset_LoggedByFirstPoll_XenAtBoot()
    {
        var rfc = Run(HandlerPolicy.Rfc2009, Mce(2, 8, Fatal, 0x180000));
        var xen = Run(HandlerPolicy.Xen, Mce(2, 8, Fatal, 0x180000));
        long RebootNs(ScenarioReport r) => r.Events.First(e => e.Kind == HandlerEventKind.Rebooted).TimeNs;
        long FoundNs(ScenarioReport r) => r.Events.First(e => e.Kind == HandlerEventKind.PollFound).TimeNs;
        Assert.Equal(RebootNs(xen), FoundNs(xen));
        Assert.Equal(RebootNs(rfc) + (8 * MachineSpec.NsPerSecond), FoundNs(rfc));
    }

    [Fact]
    public void TelemetryExhausted_DropsCountedAsLost()
    {
        // dom0 does not bind VIRQ_MCA: #MC telemetry is committed URGENT and never fetched; after
        // 10 urgent and 20 borrowed non-urgent entries the 31st reservation fails (Xen mctelem.c).
        var spec = WithDom0Virq(bound: false);
        var errors = Enumerable.Range(0, 32).Select(i => Mce(0, 8, Srao, 0x180000 + ((ulong)i << 12), (i + 1) * MachineSpec.NsPerSecond)).ToArray();
        var r = ScenarioRunner.Run(spec, HandlerPolicy.Xen, errors);
        var lost = r.Events.Where(e => e.Kind == HandlerEventKind.LogLost).ToList();
        Assert.Equal(2, lost.Count);
        Assert.All(lost, e => Assert.Equal((long)LossCause.PoolExhausted, e.Arg));
        Assert.Equal(0, Count(r, HandlerEventKind.Dom0Logged));
    }

    [Fact]
    public void CorrectedErrorsBelowThreshold_NoCmci_ThenCmciAtThreshold()
    {
        ErrorInjection Ce(long t) => new()
        {
            TimeNs = t,
            Cpu = 0,
            BankIndex = 8,
            Status = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.AddrV | MciStatusBits.MiscV | 0x9F,
            Addr = 0x180000,
            Misc = 0x86,
            AutoSignal = true,
            Count = 1,
        };
        var r = Run(HandlerPolicy.Xen, Ce(MachineSpec.NsPerSecond), Ce(2 * MachineSpec.NsPerSecond));
        var cmci = Assert.Single(r.Events, e => e.Kind == HandlerEventKind.CmciRaised);
        Assert.Equal(2 * MachineSpec.NsPerSecond, cmci.TimeNs);
        var logged = Assert.Single(r.Events, e => e.Kind == HandlerEventKind.Dom0Logged);
        // The record carries both errors in its corrected-error count (CMCI threshold 2, Xen mce_intel.c cmci_discover).
        Assert.Equal(2, MciStatusBits.CeCount(logged.Status));
    }

    [Theory]
    [InlineData("rfc2009")]
    [InlineData("rfc2009-impacted")]
    public void Rfc2009Poller_CmciBankBelowThreshold_FoundAtFirstPoll(string policy)
    {
        // One CE on bank 8 (IMC, CMCI-owned by CPU 0) stays below the CMCI threshold of 2; the March 2009
        // poller reads every bank on every CPU (Xen 32e8dd573b non-fatal.c), so the first poll (boot + 8 s) logs it.
        var r = Run(HandlerPolicy.Parse(policy), CorrectedError(8, MachineSpec.NsPerSecond));
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.CmciRaised);
        var found = Assert.Single(r.Events, e => e.Kind == HandlerEventKind.PollFound);
        Assert.Equal((8 * MachineSpec.NsPerSecond, 8, 0), (found.TimeNs, (int)found.Bank, (int)found.Cpu));
        var logged = Assert.Single(r.Events, e => e.Kind == HandlerEventKind.Dom0Logged);
        Assert.Equal(1, MciStatusBits.CeCount(logged.Status));
    }

    [Fact]
    public void XenPoller_CmciBankBelowThreshold_LeftToCmci()
    {
        // poll_bankmask holds only the banks without CMCI (Xen 3e15c37e68, intel-nonfatal.c): the CE waits in its bank.
        var r = Run(HandlerPolicy.Xen, CorrectedError(8, MachineSpec.NsPerSecond));
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.PollFound);
        Assert.DoesNotContain(r.Events, e => e.Kind == HandlerEventKind.Dom0Logged);
    }

    [Fact]
    public void PolledBank_ErrorFoundAtNextPollTick()
    {
        // Bank 4 (PCU) has no CMCI: the poller finds a UCNA at the first poll (boot + 8 s).
        var e = Mce(0, 4, 0xBC00000000000136 & ~MciStatusBits.S, 0x180000);
        var r = Run(HandlerPolicy.Xen, e);
        var found = Assert.Single(r.Events, x => x.Kind == HandlerEventKind.PollFound);
        Assert.Equal(8 * MachineSpec.NsPerSecond, found.TimeNs);
        Assert.Single(r.Events, x => x.Kind == HandlerEventKind.Dom0Logged);
    }

    [Fact]
    public void Srar_InGuestUser_ProcessKilled()
    {
        var srar = Mce(5, 0, 0xBD80000000000134, Maddr(1, 0x4000000)) with
        {
            McgStatus = McgStatusBits.Eipv,
            InGuest = true,
            RunningDomain = 1,
            RunningVcpu = 0,
            Context = GuestContext.User,
        };
        var r = Run(HandlerPolicy.Xen, srar);
        Assert.False(r.Reset, string.Join("\n", r.Console));
        Assert.Equal(GuestOutcomeKind.ProcessKilled, r.Guests.Single(g => g.Domain == 1).Outcome);
    }

    [Fact]
    public void Srar_InXenContext_Fatal()
    {
        // RIPV = 0 with the #MC in Xen itself: "Xen is not pre-emptible" (Xen mce.c mce_urgent_action).
        var srar = Mce(5, 0, 0xBD80000000000134, 0x180000) with { McgStatus = McgStatusBits.Eipv };
        var r = Run(HandlerPolicy.Xen, srar);
        Assert.True(r.Reset);
        Assert.StartsWith("Fatal machine check: MCE: Fatal error happened on CPUs", r.Panic, StringComparison.Ordinal);
    }

    [Fact]
    public void NoValidBank_PanicsNoValidMce()
    {
        // Xen mce.c mcheck_cmn_handler: "#MC injected with no bank value" panics.
        var e = Mce(0, 8, 0, 0) with { Signal = Signal.Mce, AutoSignal = false, Interposed = true };
        var r = Run(HandlerPolicy.Xen, e);
        Assert.Equal("Fatal machine check: MCE: No CPU found valid MCE, need reset", r.Panic);
    }

    /// <summary>One corrected memory read error on CPU 0's view of <paramref name="bank"/>, signalled as the hardware would.</summary>
    private static ErrorInjection CorrectedError(int bank, long timeNs) => new()
    {
        TimeNs = timeNs,
        Cpu = 0,
        BankIndex = bank,
        Status = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.AddrV | MciStatusBits.MiscV | 0x9F,
        Addr = 0x180000,
        Misc = 0x86,
        AutoSignal = true,
        Count = 1,
    };

    private static MachineSpec WithDom0Virq(bool bound) => WithDomain(0, x => x with { VirqMcaBound = bound }, "no-virq");

    /// <summary>The default machine with domain <paramref name="domId"/> changed by <paramref name="change"/>.</summary>
    private static MachineSpec WithDomain(int domId, Func<DomainSpec, DomainSpec> change, string name)
    {
        var d = MachineSpec.Default;
        var domains = d.Domains.Select(x => x.DomId == domId ? change(x) : x).ToArray();
        return new MachineSpec
        {
            Name = name,
            Family = d.Family,
            Model = d.Model,
            SocketCount = d.SocketCount,
            CoresPerSocket = d.CoresPerSocket,
            ThreadsPerCore = d.ThreadsPerCore,
            McgCap = d.McgCap,
            Banks = d.Banks,
            Memory = new MemoryMap(d.Memory.TotalFrames, d.Memory.XenFixedFrames, d.Memory.XenHeapEnd - d.Memory.XenFixedFrames, domains),
            Domains = domains,
        };
    }
}
