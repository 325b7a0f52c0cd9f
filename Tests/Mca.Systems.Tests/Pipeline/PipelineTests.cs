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
    public void Rfc_SraoOnDom0Page_HostViewToDom0Vcpu0()
    {
        // The RFC keeps the host view: the host bank index, MSCOD intact, the machine address (Xen MCA RFC, xen-devel Feb 2009).
        const ulong Scrub = 0xBD000000004000CF;
        ulong addr = Maddr(0, 0x180020);
        var r = Run(HandlerPolicy.Rfc2009, Mce(0, 8, Scrub, addr));
        Assert.Contains(r.Console, l => l.Contains("MCE: trying to recover", StringComparison.Ordinal));
        var v = Assert.Single(r.Vmce);
        Assert.Equal((0, 0, 8, Scrub, addr), (v.Domain, v.Vcpu, v.Bank, v.Status, v.Addr));
        Assert.Contains(r.Dom0Mcelog, l => l.Contains("MEMORY CONTROLLER MS_CHANNELunspecified_ERR", StringComparison.Ordinal));
        Assert.False(r.Reset);
    }

    [Fact]
    public void Rfc_InjectedMceHangs_LaterErrorsNeverArrive()
    {
        // XEN_MC_mceinject on the target alone (March 2009 Xen mce.c do_mca) stalls round 1 for good: nothing runs after it.
        var injected = Mce(0, 8, Srao, 0x180000) with { Signal = Signal.Mce, AutoSignal = false, Interposed = true };
        var later = Mce(4, 0, OneMachine.Corrected, 0x180000, 5 * MachineSpec.NsPerSecond) with { Signal = Signal.Cmci, AutoSignal = false };
        var r = Run(HandlerPolicy.Rfc2009, injected, later);
        Assert.True(r.Hung);
        Assert.Single(r.Events, e => e.Kind == HandlerEventKind.ErrorArrived);
        Assert.DoesNotContain(r.Events, e => e.Kind is HandlerEventKind.PollFound or HandlerEventKind.CmciRaised or HandlerEventKind.Dom0Logged);
        Assert.Equal(HandlerEventKind.MceHung, r.Events[^1].Kind);
    }

    [Theory]
    [InlineData("rfc2009-impacted")]
    [InlineData("rfc2009")]
    public void Rfc_TwoDomainsOnePcpu_OneVmcePerImpactedDomain_EachWithItsOwnBank(string policy)
    {
        // Banks 7 and 8 of socket 0 are package banks, so one CPU logs both: two vmce_data items, (dom0, c) and (dom1, c),
        // each with the bank that impacts its domain (Xen MCA RFC, xen-devel Feb 2009: one vMCE per impacted domain and pCPU).
        ulong dom0Addr = Maddr(0, 0x200000), dom1Addr = Maddr(1, 0x300000);
        var r = Run(HandlerPolicy.Parse(policy), Mce(0, 7, Srao, dom0Addr), Mce(0, 8, Srao, dom1Addr));
        Assert.Equal(2, r.Vmce.Count);
        Assert.Single(r.Events.Where(e => e.Kind == HandlerEventKind.BankOwned).Select(e => e.Cpu).Distinct());
        if (policy == "rfc2009")
        {
            // Both items go to dom0's vCPU 0, with the host addresses.
            Assert.All(r.Vmce, v => Assert.Equal((0, 0), (v.Domain, v.Vcpu)));
            Assert.Equal([(7, dom0Addr), (8, dom1Addr)], r.Vmce.Select(v => (v.Bank, v.Addr)).OrderBy(x => x.Bank));
        }
        else
        {
            var v0 = Assert.Single(r.Vmce, v => v.Domain == 0);
            var v1 = Assert.Single(r.Vmce, v => v.Domain == 1);
            Assert.Equal((7, dom0Addr), (v0.Bank, v0.Addr));
            Assert.Equal((8, 0x300000UL), (v1.Bank, v1.Addr));
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Rfc_UcWithoutRecoveryMethod_Resets_BankLoggedToDom0AfterReboot(bool noSer)
    {
        // RFC implementation note 1: a UC error with no good recovery method resets (the commit reset only on PCC), so that
        // the banks stay sticky and the poll after the reboot sends them to dom0 (RFC: "after reboot the MCA polling sends
        // vIRQ to DOM0 for logging"). An SRAR whose MISC is not a physical address has no recovery method; on a host
        // without MCG_SER_P no UC error has one (Xen mce_intel.c intel_recoverable_scan).
        ulong status = noSer ? 0xB000000000000150 : 0xBD80000000000150; // VAL UC EN (no PCC); with SER also MISCV ADDRV S AR
        var e = Mce(5, 0, status, 0x180040) with { Misc = 0x06, McgStatus = McgStatusBits.Ripv | McgStatusBits.Eipv };
        var r = ScenarioRunner.Run(noSer ? MachineSpec.DefaultNoSer : MachineSpec.Default, HandlerPolicy.Rfc2009, [e]);
        Assert.True(r.Reset, string.Join("\n", r.Console));
        Assert.Empty(r.Vmce);
        var events = r.Events.ToArray();
        int rebooted = Array.FindIndex(events, x => x.Kind == HandlerEventKind.Rebooted);
        Assert.True(rebooted > 0);
        Assert.DoesNotContain(events.Take(rebooted), x => x.Kind is HandlerEventKind.BankOwned or HandlerEventKind.Dom0Logged);
        var after = events.Skip(rebooted).ToList();
        int found = after.FindIndex(x => x.Kind == HandlerEventKind.PollFound && x.Status == status);
        int virq = after.FindIndex(x => x.Kind == HandlerEventKind.VirqSent);
        int logged = after.FindIndex(x => x.Kind == HandlerEventKind.Dom0Logged && x.Status == status);
        Assert.True(found >= 0 && virq > found && logged > virq, $"poll {found}, VIRQ {virq}, dom0 log {logged}");
        Assert.DoesNotContain(r.Events, x => x.Kind == HandlerEventKind.LogLost);
    }

    [Fact]
    public void Rfc_UcWithRecoveryMethod_NoReset()
    {
        // An SRAO on a domain page with a physical address has its method (the page's owner is told): no reset.
        var r = Run(HandlerPolicy.Rfc2009, Mce(5, 0, Srao, Maddr(1, 0x200000)));
        Assert.False(r.Reset);
        Assert.Null(r.Panic);
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

    /// <summary>An SRAR data load (MCACOD 0x134) on CPU 5 while it ran domU 1's vCPU 0 in user mode.</summary>
    private static ErrorInjection GuestUserSrar() => Mce(5, 0, 0xBD80000000000134, Maddr(1, 0x4000000)) with
    {
        McgStatus = McgStatusBits.Eipv,
        InGuest = true,
        RunningDomain = 1,
        RunningVcpu = 0,
        Context = GuestContext.User,
    };

    [Fact]
    public void Srar_InGuestUser_ProcessKilled()
    {
        var srar = GuestUserSrar();
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

    [Theory]
    [InlineData("xen", true)]
    [InlineData("rfc2009", false)]
    [InlineData("rfc2009-impacted", false)]
    public void Srar_OnLmceHost_LocalOnlyUnderAPolicyThatEnablesLmce(string policy, bool local)
    {
        // The default machine has MCG_LMCE_P; the SRAR is local only if the hypervisor set MCG_EXT_CTL.LMCE_EN
        // (Xen mce_intel.c intel_init_lmce), which a 2009 hypervisor never did: there it is broadcast.
        var srar = GuestUserSrar();
        var r = Run(HandlerPolicy.Parse(policy), srar);
        Assert.Equal(local, Assert.Single(r.Events, e => e.Kind == HandlerEventKind.MceEntered).IsLmce);
        // The logged MCG_STATUS carries LMCE_S only for a local #MC (Intel SDM vol. 3B 15.3.1.2).
        var logged = Assert.Single(r.Events, e => e.Kind == HandlerEventKind.Dom0Logged);
        Assert.Equal(local, r.Dom0Mcelog.Any(l => l.Contains("LMCE", StringComparison.Ordinal)));
        Assert.Equal(5, logged.Cpu);
    }

    [Fact]
    public void LocalRequest_Rfc2009_DeliveredAsBroadcast()
    {
        // An explicit local #MC (mce-inject NOBROADCAST) on a host whose hypervisor left LMCE_EN clear is broadcast.
        var e = Mce(6, 8, Srao, 0x180000) with { Signal = Signal.Lmce, AutoSignal = false };
        Assert.False(Assert.Single(Run(HandlerPolicy.Rfc2009, e).Events, x => x.Kind == HandlerEventKind.MceEntered).IsLmce);
        Assert.True(Assert.Single(Run(HandlerPolicy.Xen, e).Events, x => x.Kind == HandlerEventKind.MceEntered).IsLmce);
    }

    [Fact]
    public void NoValidBank_Broadcast_NoPanic_McipClearedAndVirqSent()
    {
        // Xen mce.c mcheck_cmn_handler: only a CPU with errcnt sets severity_cpu (-1 at first), and the "No CPU found valid
        // MCE" check runs on `lmce || severity_cpu == cpu`; after a broadcast #MC in which nobody found a bank, nobody runs it.
        var e = Mce(0, 8, 0, 0) with { Signal = Signal.Mce, AutoSignal = false, Interposed = true };
        var r = Run(HandlerPolicy.Xen, e);
        Assert.Null(r.Panic);
        Assert.False(r.Reset);
        Assert.Single(r.Events, x => x.Kind == HandlerEventKind.ProcessingCpu);
        Assert.Single(r.Events, x => x.Kind == HandlerEventKind.VirqSent);
        Assert.DoesNotContain(r.Events, x => x.Kind == HandlerEventKind.Dom0Logged);
    }

    [Fact]
    public void NoValidBank_Lmce_PanicsNoValidMce()
    {
        // An LMCE's CPU runs the check itself (`lmce ||`, Xen mce.c mcheck_cmn_handler): "#MC injected with no bank value" panics.
        var e = Mce(0, 8, 0, 0) with { Signal = Signal.Lmce, AutoSignal = false, Interposed = true };
        var r = Run(HandlerPolicy.Xen, e);
        Assert.Equal("Fatal machine check: MCE: No CPU found valid MCE, need reset", r.Panic);
        Assert.True(r.Reset);
        Assert.True(Assert.Single(r.Events, x => x.Kind == HandlerEventKind.MceEntered).IsLmce);
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
