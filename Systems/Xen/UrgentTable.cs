using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>The #MC-context decisions: Intel's urgent handler table and <c>mce_urgent_action</c> (Xen mce.c; mce_intel.c intel_mce_uhandlers).</summary>
internal static class UrgentTable
{
    /// <summary>The single default entry of <c>intel_mce_uhandlers</c>: fatal gives RESET, anything else CONTINUE.</summary>
    public static McerResult UrgentAction(ulong status, bool ser)
    {
        // Xen mce_intel.c intel_mce_uhandlers: urgent table, one default entry; fatal gives RESET, else CONTINUE
        return IntelMca.CheckMceType(status, ser) == XenMceType.Fatal ? McerResult.Reset : McerResult.Continue;
    }

    /// <summary>
    /// <c>mce_action</c> with the urgent table over a CPU's bank records: the worst result, the bank
    /// loop stopping after the first RESET. NOERROR for no banks.
    /// </summary>
    public static McerResult Run(ReadOnlySpan<McBankRecord> banks, bool ser)
    {
        McerResult worst = McerResult.NoError;
        for (int i = 0; i < banks.Length; i++)
        {
            McerResult result = UrgentAction(banks[i].Status, ser);
            worst = McerResults.Worst(worst, result);

            // Xen mce.c mce_action: the bank loop stops at the first RESET (mce_action is shared by both tables)
            if (result == McerResult.Reset)
            {
                break;
            }
        }

        return worst;
    }

    /// <summary>
    /// "Xen is not pre-emptible": RIPV = 0 and (EIPV = 0 or the #MC interrupted Xen rather than a guest).
    /// </summary>
    public static bool IsUnrestartable(ulong mcgStatus, bool interruptedGuest)
    {
        // Xen mce.c mce_urgent_action: RIPV = 0 and (EIPV = 0 or the #MC interrupted Xen itself) -> fatal
        return (mcgStatus & McgStatusBits.Ripv) == 0
            && ((mcgStatus & McgStatusBits.Eipv) == 0 || !interruptedGuest);
    }

    /// <summary>
    /// <c>mce_urgent_action</c>: true when the CPU joins <c>mce_fatal_cpus</c> (unrestartable context,
    /// or the urgent table says RESET over <paramref name="banks"/>, the CPU's telemetry bank records).
    /// Xen calls it only for a CPU whose logout found errors AND reserved telemetry: when the pool
    /// was exhausted the RIPV/EIPV check is skipped too, so do not call it then.
    /// </summary>
    public static bool IsCpuFatal(ulong mcgStatus, bool interruptedGuest, ReadOnlySpan<McBankRecord> banks, bool ser)
    {
        // Xen mce.c mce_urgent_action: "Xen is not pre-emptible" check first, then MCER_RESET from the urgent table
        return IsUnrestartable(mcgStatus, interruptedGuest) || Run(banks, ser) == McerResult.Reset;
    }

    /// <summary>
    /// Era 4.0/4.1: the #MC handler panicked at logout instead of marking the CPU fatal. Returns the
    /// <c>mc_panic</c> reason (PCC first, then RIPV = 0, then unrecoverable), or null. Only for a CPU
    /// whose logout saw UC or PCC.
    /// </summary>
    public static string? Era40PanicReason(in McaSummary summary)
    {
        if (!summary.MustDefer)
        {
            return null;
        }

        // Xen 4.0/4.1 mce_intel.c: PCC, RIPV = 0 or unrecoverable each caused an immediate mc_panic
        if (summary.Pcc)
        {
            return XenConsole.Era40PanicStateLost;
        }

        if (!summary.Ripv)
        {
            return XenConsole.Era40PanicRipv;
        }

        return summary.Recoverable ? null : XenConsole.Era40PanicRecoveryFail;
    }
}
