namespace Mca.Systems.Events;

/// <summary>What a <see cref="HandlerEvent"/> records. Values are part of the replay format: append only.</summary>
public enum HandlerEventKind : byte
{
    None = 0,
    /// <summary>An error was written into a bank. Cpu, Bank, Status, Addr, Misc; Arg = <see cref="Signal"/>; Arg2 = the corrected errors it stands for (0 or 1: one).</summary>
    ErrorArrived = 1,
    /// <summary>A #MC rendezvous started. Cpu = target CPU; Arg = 1 if LMCE.</summary>
    MceEntered = 2,
    /// <summary>A CPU read and claimed a bank during logout (the bank's MCE# owner). Cpu, Bank, Status.</summary>
    BankOwned = 3,
    /// <summary>The CPU chosen to do the deferred work. Cpu.</summary>
    ProcessingCpu = 4,
    /// <summary>A bank record was graded. Cpu, Bank, Status; Arg = XenMceType; Arg2 = result of its handler.</summary>
    Graded = 5,
    /// <summary>The worst handler result of an event. Arg = McerResult.</summary>
    McerResult = 6,
    /// <summary>The machine reset. Arg = <see cref="ResetReason"/>.</summary>
    Reset = 7,
    /// <summary>The machine finished rebooting and its domains run again.</summary>
    Rebooted = 8,
    /// <summary>A page was offlined (or offlining was attempted). Cpu, Bank, Addr = mfn; Arg = PageOfflineOutcome.</summary>
    PageOffline = 9,
    /// <summary>A vMCE was delivered. Cpu, Domain, Vcpu, Bank, Status, Addr, Misc; Arg = guest MCG_STATUS; Arg2 = 1 on the vCPU it was aimed at, 0 on one a broadcast also made pending.</summary>
    VmceInjected = 10,
    /// <summary>A guest handled (or failed to handle) a vMCE. Domain; Arg = <see cref="GuestOutcomeKind"/>.</summary>
    GuestOutcome = 11,
    /// <summary>Xen crashed a domain. Domain; Arg = <see cref="CrashReason"/>.</summary>
    DomainCrashed = 12,
    /// <summary>Telemetry committed. Cpu; Arg = class (0 urgent, 1 non-urgent).</summary>
    TelemetryCommitted = 13,
    /// <summary>Dom0 logged one bank record via mcelog. Cpu, Bank, Status, Addr, Misc.</summary>
    Dom0Logged = 14,
    /// <summary>A record never reached dom0. Cpu, Bank, Status; Arg = <see cref="LossCause"/>.</summary>
    LogLost = 15,
    /// <summary>A CMCI reached a CPU and its handler ran: Cpu (the CPU whose owned banks are logged out); no bank (the logout that follows names each bank it finds).</summary>
    CmciRaised = 16,
    /// <summary>A poll found a record. Cpu, Bank, Status.</summary>
    PollFound = 17,
    /// <summary>VIRQ_MCA sent to dom0.</summary>
    VirqSent = 18,
    /// <summary>Corrected errors folded into a bank's count without a handler run. Bank; Arg = how many.</summary>
    CorrectedFolded = 19,
    /// <summary>A domain restarted after a crash or reset. Domain.</summary>
    DomainRestarted = 20,
    /// <summary>
    /// The #MC handler can never finish: CPUs wait at a rendezvous for CPUs that never enter, and the machine stops
    /// (no log, no reset). Cpu = the first CPU waiting; Arg = the CPUs that entered; Arg2 = the online CPUs awaited.
    /// </summary>
    MceHung = 21,
    /// <summary>
    /// A machine's routine corrected-error handling between two other events, as one event (docs/design.md,
    /// "Corrected errors at their own instants"): the CE arrivals, CMCIs, CE logouts, non-urgent commits,
    /// VIRQs and dom0 records that came one after another with nothing else in between. TimeNs = the first;
    /// Arg = corrected errors; Arg2 = CMCIs; Status = CE records found (CMCI and poll logouts); Addr = records
    /// dom0 logged; Misc = the handler events it stands for (low 32 bits) and the CE records dom0's full buffer
    /// dropped (high 32 bits, <see cref="LossCause.Dom0Buffer"/>). The literal mode and a closed-form run give the same.
    /// </summary>
    CorrectedRun = 22,
    /// <summary>
    /// dom0's daemon acted on a page whose CE count crossed its threshold: Addr = the frame, Arg = the
    /// <see cref="Engine.DaemonPageOutcome"/>, Domain = the frame's owner (-1 if none).
    /// </summary>
    DaemonPageAction = 23,
}

/// <summary>How an arriving error is signalled (docs/design.md, the pipeline's arrive step).</summary>
public enum Signal : byte
{
    /// <summary>Nothing: the poller finds it.</summary>
    None = 0,
    Mce = 1,
    Lmce = 2,
    Cmci = 3,
}

/// <summary>Why a machine reset.</summary>
public enum ResetReason : byte
{
    /// <summary>PCC found during the RFC's round-1 severity scan, or a fatal CPU in the common handler.</summary>
    Fatal = 1,
    /// <summary>No recovery method: the deferred handlers returned RESET (current Xen), or the RFC's round 1 found a UC error without one.</summary>
    Unrecoverable = 2,
    /// <summary>#MC with no valid bank on any CPU.</summary>
    NoValidMce = 3,
    /// <summary>A second #MC while MCIP was still set: the CPU shuts down (Intel SDM vol. 3B 15.3.1.2).</summary>
    McipShutdown = 4,
    /// <summary>The hardware domain crashed, which reboots the host.</summary>
    Dom0Crash = 5,
}

/// <summary>What a guest did with a vMCE.</summary>
public enum GuestOutcomeKind : byte
{
    Unaffected = 0,
    Recovered = 1,
    ProcessKilled = 2,
    Panic = 3,
    Crashed = 4,
}

/// <summary>Why Xen crashed a domain.</summary>
public enum CrashReason : byte
{
    /// <summary>Re-injection while MCIP or mce_pending is set (Xen vmce.c).</summary>
    VmceBusy = 1,
    /// <summary>Unmap of the broken page failed (PV domU, shadow HVM; Xen vmce.c unmmap_broken_page).</summary>
    UnmapFailed = 2,
    /// <summary>offline_page found the page already broken and owned ("preventing recursive mce").</summary>
    RecursiveMce = 3,
    /// <summary>No #MC trap callback (PV) or vMCE not ready.</summary>
    NoHandler = 4,
    /// <summary>The guest kernel panicked on the vMCE.</summary>
    GuestPanic = 5,
}

/// <summary>Why a telemetry record never reached dom0 (docs/design.md, the pipeline's dom0 log step).</summary>
public enum LossCause : byte
{
    PoolExhausted = 1,
    ResetBeforeFetch = 2,
    VirqNotBound = 3,
    /// <summary>Interposed (injected) values do not survive a reset (Xen mce.c intpose table is hypervisor memory).</summary>
    InterposedLostOnReset = 4,
    /// <summary>A CE was overwritten in its bank before anybody read it (SDM Table 15-7).</summary>
    Overwritten = 5,
    /// <summary>dom0's driver buffer was full: the record was dropped after Xen acked it (Linux drivers/xen/mcelog.c XEN_MCE_OVERFLOW).</summary>
    Dom0Buffer = 6,
}
