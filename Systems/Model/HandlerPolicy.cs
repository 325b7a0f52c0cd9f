namespace Mca.Systems.Model;

/// <summary>How the #MC handler scans and logs out banks.</summary>
public enum RendezvousStyle : byte
{
    /// <summary>
    /// Era (A), Xen 32e8dd573b mce_intel.c intel_machine_check: round 1 panics at once on any PCC bank (banks stay sticky); round 2
    /// logout reads and clears every valid bank; severity 3/2/1 per CPU.
    /// </summary>
    TwoRound2009,
    /// <summary>Era (B), Xen mce.c mcheck_cmn_handler: one serialized logout with need_clearbank_scan, fatal-CPU mask, urgent table.</summary>
    Common,
}

/// <summary>Which CPU runs the deferred work in the softirq.</summary>
public enum ProcessingCpuRule : byte
{
    /// <summary>The RFC's most offending CPU: strictly highest severity, ties keep the earlier CPU (Xen 32e8dd573b mce_intel.c intel_machine_check).</summary>
    MostOffending,
    /// <summary>Current Xen: the last CPU without pending telemetry, else the last arrival (Xen mce.c mce_softirq).</summary>
    LastWithoutPending,
}

/// <summary>How a vMCE reaches guests.</summary>
public enum VmceModel : byte
{
    /// <summary>
    /// The RFC's vmce_data: items (domain, set of impacted pCPUs); one vMCE per (domain, pCPU),
    /// delivered one at a time to vCPU 0 (Xen MCA RFC, xen-devel Feb 2009).
    /// </summary>
    RfcPerDomainPcpu,
    /// <summary>Current Xen: per-vCPU bank 1, MSCOD masked, broadcast to all vCPUs (Xen vmce.c).</summary>
    PerVcpuBank1,
}

/// <summary>Who receives a vMCE under <see cref="VmceModel.RfcPerDomainPcpu"/>.</summary>
public enum VmceTarget : byte
{
    /// <summary>The RFC's first step: dom0 only, whatever domain owns the page.</summary>
    Dom0Only,
    /// <summary>The RFC's stated next step: the domain that owns the frame in MCi_ADDR.</summary>
    ImpactedDomain,
}

/// <summary>How banks left sticky by a reset reach dom0.</summary>
public enum PostResetLogging : byte
{
    /// <summary>The RFC text: "after reboot the MCA polling sends vIRQ to DOM0 for logging": found by the first poll.</summary>
    FirstPoll,
    /// <summary>Current Xen: MCA_RESET logout at CPU init commits NONURGENT; dom0 drains after binding VIRQ_MCA (Xen mce_intel.c intel_mce_post_reset).</summary>
    BootLogout,
}

/// <summary>Which banks the poll timer's mce_checkregs reads on each CPU.</summary>
public enum PollBankSet : byte
{
    /// <summary>
    /// Every bank but bank 0 under the quirk, on every CPU, CMCI banks included: the March 2009 poller
    /// logged out mca_allbanks (Xen 32e8dd573b non-fatal.c mce_checkregs).
    /// </summary>
    EveryBank,
    /// <summary>
    /// The CPU's poll_bankmask: the banks without CMCI (no_cmci_banks), so a CMCI bank is its owner's
    /// CMCI handler's alone (Xen 3e15c37e68 poll_bankmask; intel-nonfatal.c mce_checkregs).
    /// </summary>
    WithoutCmci,
}

/// <summary>What Xen does with a vMCE whose target is a PV domain (dom0 or a PV guest) without a #MC trap callback.</summary>
public enum NoCallbackAction : byte
{
    /// <summary>
    /// Skip the injection; the domain runs on. The March 2009 softirq injects only when
    /// guest_has_trap_callback (Xen 32e8dd573b mce_intel.c mce_softirq, step 3).
    /// </summary>
    SkipInjection,
    /// <summary>
    /// Crash the domain: "Kill PV guest with No MCE handler" (Xen 4.1 vmce.c inject_vmce); at HEAD
    /// inject_vmce returns -EBUSY and mc_memerr_dhandler crashes the domain (Xen vmce.c, mcaction.c).
    /// </summary>
    CrashDomain,
}

/// <summary>
/// A handler policy: a whole behaviour named as data (docs/design.md "Policies"). The systems read
/// these fields; no system branches on the policy's name.
/// </summary>
public sealed record HandlerPolicy
{
    public required string Name { get; init; }
    public required RendezvousStyle Rendezvous { get; init; }
    public required ProcessingCpuRule ProcessingCpu { get; init; }
    public required VmceModel Vmce { get; init; }
    public VmceTarget Target { get; init; } = VmceTarget.Dom0Only;
    public required PostResetLogging PostReset { get; init; }
    /// <summary>Which banks a poll round reads on each CPU.</summary>
    public required PollBankSet PollBanks { get; init; }
    /// <summary>What a vMCE to a PV domain without a #MC trap callback does.</summary>
    public required NoCallbackAction PvWithoutCallback { get; init; }
    /// <summary>Whether recovery offlines the page and judges the impacted domain (Xen mcaction.c mc_memerr_dhandler).</summary>
    public required bool PageOffline { get; init; }
    /// <summary>
    /// Whether the hypervisor sets MCG_EXT_CTL.LMCE_EN on a host with MCG_LMCE_P, so the hardware may signal an
    /// SRAR to the consuming CPU alone (Xen mce_intel.c intel_init_lmce); without it every #MC is broadcast.
    /// </summary>
    public required bool LmceEnabled { get; init; }
    /// <summary>
    /// Whether XEN_MC_mceinject raises the injected #MC on every CPU of a broadcast host, as current Xen does
    /// (Xen mce.c do_mca: <c>if ( mce_broadcast ) on_each_cpu(x86_mc_mceinject, ...)</c>); otherwise the target CPU alone takes it.
    /// </summary>
    public required bool MceInjectBroadcast { get; init; }
    /// <summary>
    /// How often dom0's mcelog reads the driver's buffer of <see cref="Dom0BufferRecords"/> records (Linux
    /// drivers/xen/mcelog.c XEN_MCE_LOG_LEN; the classic dom0 fed the native /dev/mcelog ring of MCE_LOG_LEN 32):
    /// 0 for a daemon that reads as records arrive (mcelog --daemon, rasdaemon), else a period on the wall clock
    /// (mcelog run from cron). A record that finds the buffer full is lost after Xen has acked it (XEN_MCE_OVERFLOW).
    /// </summary>
    public required long Dom0ReadPeriodNs { get; init; }

    /// <summary>dom0's predictive page offlining (source-audit §6); <see cref="Dom0DaemonPolicy.Off"/> unless set with <see cref="WithDom0Daemon"/>.</summary>
    public Dom0DaemonPolicy Dom0Daemon { get; init; } = Dom0DaemonPolicy.Off;

    /// <summary>
    /// This policy with dom0 running <paramref name="daemon"/>: a daemon reads each record as the driver wakes it
    /// (mcelog --daemon, rasdaemon), so dom0's buffer is then read as records come.
    /// </summary>
    public HandlerPolicy WithDom0Daemon(Dom0DaemonPolicy daemon)
    {
        ArgumentNullException.ThrowIfNull(daemon);
        long basePeriod = Dom0Daemon.Active ? Parse(Name).Dom0ReadPeriodNs : Dom0ReadPeriodNs;
        return this with { Dom0Daemon = daemon, Dom0ReadPeriodNs = daemon.Active ? 0 : basePeriod };
    }

    /// <summary>XEN_MCE_LOG_LEN (Linux drivers/xen/mcelog.c), and MCE_LOG_LEN of the native ring a 2009 dom0 used.</summary>
    public const int Dom0BufferRecords = 32;

    /// <summary>
    /// The seed design (Feb 2009 RFC), where the RFC text is silent following the March 2009
    /// commits (Xen 32e8dd573b mce_intel.c intel_machine_check): fatal or unrecoverable resets at once; the first CPU to read and
    /// clear a bank owns it; the most offending CPU processes; VIRQ to dom0; vMCE through vmce_data
    /// items to dom0.
    /// </summary>
    public static HandlerPolicy Rfc2009 { get; } = new()
    {
        Name = "rfc2009",
        Rendezvous = RendezvousStyle.TwoRound2009,
        ProcessingCpu = ProcessingCpuRule.MostOffending,
        Vmce = VmceModel.RfcPerDomainPcpu,
        Target = VmceTarget.Dom0Only,
        PostReset = PostResetLogging.FirstPoll,
        // The RFC text is silent on the poller; the per-CPU poll_bankmask came after it (Xen 3e15c37e68).
        PollBanks = PollBankSet.EveryBank,
        PvWithoutCallback = NoCallbackAction.SkipInjection,
        // The RFC's "Impacted DOM judgement algorithm" (owner of the frame in MCi_ADDR) is what picks
        // the vmce_data item's domain; the offline itself was a TODO in 2009 (Xen c8596872e0 only declared the interface).
        PageOffline = false,
        // A 2009 hypervisor never sets MCG_EXT_CTL.LMCE_EN (Xen 32e8dd573b mce_intel.c has no MCG_EXT_CTL), so every #MC it sees is broadcast.
        LmceEnabled = false,
        // The 2009 XEN_MC_mceinject ran `int $0x12` on the target CPU only (March 2009 Xen mce.c do_mca, on_selected_cpus).
        MceInjectBroadcast = false,
        // A 2009 dom0 (RHEL 5 era) ran mcelog hourly from cron (/etc/cron.hourly/mcelog.cron: mcelog --ignorenodev --filter).
        Dom0ReadPeriodNs = 3600 * MachineSpec.NsPerSecond,
    };

    /// <summary>The RFC with its stated next step: inject into the impacted domain instead of dom0.</summary>
    public static HandlerPolicy Rfc2009Impacted { get; } = Rfc2009 with { Name = "rfc2009-impacted", Target = VmceTarget.ImpactedDomain };

    /// <summary>Current upstream Xen (Xen mce.c, mce_intel.c, mcaction.c, vmce.c).</summary>
    public static HandlerPolicy Xen { get; } = new()
    {
        Name = "xen",
        Rendezvous = RendezvousStyle.Common,
        ProcessingCpu = ProcessingCpuRule.LastWithoutPending,
        Vmce = VmceModel.PerVcpuBank1,
        PostReset = PostResetLogging.BootLogout,
        PollBanks = PollBankSet.WithoutCmci,
        PvWithoutCallback = NoCallbackAction.CrashDomain,
        PageOffline = true,
        LmceEnabled = true,
        MceInjectBroadcast = true,
        // A current dom0 runs mcelog --daemon (or rasdaemon), which reads each record as the driver wakes it.
        Dom0ReadPeriodNs = 0,
    };

    public static IReadOnlyList<HandlerPolicy> All { get; } = [Rfc2009, Rfc2009Impacted, Xen];

    /// <summary>Looks a policy up by name; throws with the known names when there is none.</summary>
    public static HandlerPolicy Parse(string name)
    {
        foreach (var p in All)
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p;
            }
        }

        throw new ArgumentException($"expected one of {string.Join(", ", All.Select(p => p.Name))}, found '{name}'");
    }
}
