using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>
/// <c>struct mca_summary</c>: what <c>mcheck_mca_logout</c> accumulates over the valid banks it
/// logs (Xen mce.c mcheck_mca_logout). Start with <see cref="Begin"/>, call <see cref="AddBank"/> for
/// every bank with VAL = 1 in bank order, then read the decisions.
/// </summary>
internal struct McaSummary
{
    /// <summary>Number of valid banks seen (<c>errcnt</c>).</summary>
    public int ErrorCount;
    /// <summary>Any bank had UC.</summary>
    public bool Uc;
    /// <summary>Any bank had PCC.</summary>
    public bool Pcc;
    /// <summary>Every bank scanned since the first UC passed <see cref="IntelMca.RecoverableScan"/>.</summary>
    public bool Recoverable;
    /// <summary>MCG_STATUS.RIPV at logout.</summary>
    public bool Ripv;
    /// <summary>MCG_STATUS.EIPV at logout.</summary>
    public bool Eipv;
    /// <summary>MCG_STATUS.LMCE_S at logout.</summary>
    public bool Lmce;

    /// <summary>An empty summary for a logout that read <paramref name="mcgStatus"/>.</summary>
    public static McaSummary Begin(ulong mcgStatus)
    {
        // Xen mce.c mcheck_mca_logout: `recoverable` starts true when a recoverable_scan callback exists (Intel: always)
        return new McaSummary
        {
            Recoverable = true,
            Ripv = (mcgStatus & McgStatusBits.Ripv) != 0,
            Eipv = (mcgStatus & McgStatusBits.Eipv) != 0,
            Lmce = (mcgStatus & McgStatusBits.Lmce) != 0,
        };
    }

    /// <summary>Accounts one bank with VAL = 1, in the order the logout visits banks.</summary>
    public void AddBank(ulong status, bool ser)
    {
        ErrorCount++;
        Uc |= (status & MciStatusBits.Uc) != 0;
        Pcc |= (status & MciStatusBits.Pcc) != 0;

        // Xen mce.c mcheck_mca_logout: `recoverable` is AND-ed with recoverable_scan once UC has been seen (this bank or an earlier one)
        if (Recoverable && Uc)
        {
            Recoverable = IntelMca.RecoverableScan(status, ser);
        }
    }

    /// <summary>True when the #MC handler defers the telemetry instead of committing it (UC or PCC seen).</summary>
    public readonly bool MustDefer => Uc || Pcc;

    /// <summary>True when the #MC handler adds this CPU to <c>mce_fatal_cpus</c> at logout (PCC, or not recoverable), only meaningful with <see cref="MustDefer"/>.</summary>
    public readonly bool IsFatalAtLogout
    {
        get
        {
            // Xen mce.c mcheck_mca_logout: with UC or PCC, PCC or not recoverable makes the CPU fatal
            return MustDefer && (Pcc || !Recoverable);
        }
    }

    /// <summary>The <c>mc_flags</c> of the global record: the source flag OR-ed with the severity flag.</summary>
    public readonly McFlags GlobalFlags(LogoutSource who)
    {
        // Xen mce.c mcheck_mca_logout: UNCORRECTABLE if any PCC, else RECOVERABLE if any UC, else CORRECTABLE; OR-ed with MCE, CMCI or POLLED
        McFlags severity = Pcc ? McFlags.Uncorrectable : Uc ? McFlags.Recoverable : McFlags.Correctable;
        return SourceFlag(who) | severity;
    }

    /// <summary>The flag a logout source sets: MCE, CMCI, or POLLED (also for MCA_RESET; MC_FLAG_RESET is never used).</summary>
    public static McFlags SourceFlag(LogoutSource who) => who switch
    {
        // Xen mce.c mcheck_mca_logout: POLLED is also used for MCA_RESET
        LogoutSource.MceScan => McFlags.Mce,
        LogoutSource.Cmci => McFlags.Cmci,
        LogoutSource.Poller or LogoutSource.Reset => McFlags.Polled,
        _ => throw new ArgumentOutOfRangeException(nameof(who), who, "expected a LogoutSource value"),
    };

    /// <summary>The telemetry class a logout reserves: URGENT for MCE_SCAN, NONURGENT otherwise.</summary>
    public static TelemetryClass ClassFor(LogoutSource who)
    {
        // Xen mce.c mcheck_mca_logout: URGENT class for MCE_SCAN, NONURGENT for POLLER, RESET and CMCI
        return who == LogoutSource.MceScan ? TelemetryClass.Urgent : TelemetryClass.NonUrgent;
    }
}
