namespace Mca.Systems.Xen;

/// <summary>Who runs <c>mcheck_mca_logout</c> (Xen mce.c; called from mce.c, mce_intel.c and intel-nonfatal.c): decides the telemetry class, the flag and whether banks are cleared.</summary>
internal enum LogoutSource : byte
{
    /// <summary>MCA_MCE_SCAN: the #MC handler. URGENT class, MC_FLAG_MCE, banks cleared after logout only if <see cref="IntelMca.NeedClearBank"/>.</summary>
    MceScan,
    /// <summary>MCA_CMCI_HANDLER: NONURGENT, MC_FLAG_CMCI; also records CTL2 and the TSC.</summary>
    Cmci,
    /// <summary>MCA_POLLER: NONURGENT, MC_FLAG_POLLED; always clears.</summary>
    Poller,
    /// <summary>MCA_RESET: the boot-time logout of sticky banks; NONURGENT, MC_FLAG_POLLED; always clears.</summary>
    Reset,
}
