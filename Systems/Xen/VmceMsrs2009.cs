using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>
/// Guest MSR semantics of the March 2009 vMCE (Xen f74394f46c <c>intel_mce_rdmsr</c>/<c>intel_mce_wrmsr</c>).
/// The view is per domain and shows the head of the
/// impacted-bank FIFO. MSRs that code did not list (MCG_EXT_CTL, MCi_ADDR/MISC writes, MCG_CAP
/// writes, banks above 8) are <see cref="MsrResult.NotHandled"/>.
/// </summary>
internal static class VmceMsrs2009
{
    /// <summary>A guest RDMSR.</summary>
    public static MsrResult Read(VmceDomain2009 domain, uint msr, out ulong value)
    {
        ArgumentNullException.ThrowIfNull(domain);
        value = 0;
        // Xen f74394f46c: per-domain mcg_status, mcg_cap (host minus CMCI_P) and mcg_ctl
        switch (msr)
        {
            case McaMsr.McgStatus:
                value = domain.McgStatus;
                return MsrResult.Ok;
            case McaMsr.McgCap:
                value = domain.McgCap;
                return MsrResult.Ok;
            case McaMsr.McgCtl:
                value = domain.McgCtl;
                return MsrResult.Ok;
        }

        if (IsCtl2(msr))
        {
            // Xen f74394f46c: MCi_CTL2 reads ignored with a warning ("We have disabled CMCI capability"), read 0
            return MsrResult.Ok;
        }

        if (!TryBankRegister(msr, out int bank, out int register))
        {
            return MsrResult.NotHandled;
        }

        if (register == 0)
        {
            // Xen f74394f46c: mci_ctl[] as stored (all ones at creation)
            value = domain.MciCtl[bank];
            return MsrResult.Ok;
        }

        // Xen f74394f46c: STATUS/ADDR/MISC read the head entry's values only for the head entry's bank, else 0
        if (domain.EntryCount > 0 && domain.Head.Bank == bank)
        {
            ref BankEntry2009 head = ref domain.Head;
            value = register switch
            {
                1 => head.Status,
                2 => head.Addr,
                _ => head.Misc,
            };
        }

        return MsrResult.Ok;
    }

    /// <summary>A guest WRMSR.</summary>
    public static MsrResult Write(VmceDomain2009 domain, uint msr, ulong value)
    {
        ArgumentNullException.ThrowIfNull(domain);
        switch (msr)
        {
            case McaMsr.McgCtl:
                // Xen f74394f46c: MCG_CTL writes must be all zeros or all ones, else #GP
                if (!IsAllZerosOrOnes(value))
                {
                    return MsrResult.GeneralProtection;
                }

                domain.McgCtl = value;
                return MsrResult.Ok;

            case McaMsr.McgStatus:
                domain.McgStatus = value;
                return MsrResult.Ok;
        }

        if (IsCtl2(msr))
        {
            // Xen f74394f46c: MCi_CTL2 writes ignored with a warning
            return MsrResult.Ok;
        }

        if (!TryBankRegister(msr, out int bank, out int register))
        {
            return MsrResult.NotHandled;
        }

        switch (register)
        {
            case 0:
                // Xen f74394f46c: MCi_CTL writes must be all zeros or all ones, else #GP
                if (!IsAllZerosOrOnes(value))
                {
                    return MsrResult.GeneralProtection;
                }

                domain.MciCtl[bank] = value;
                return MsrResult.Ok;

            case 1:
                // Xen f74394f46c: MCi_STATUS writes update the list-head entry when the bank matches
                if (domain.EntryCount > 0 && domain.Head.Bank == bank)
                {
                    domain.Head.Status = value;
                }

                return MsrResult.Ok;

            default:
                // f74394f46c has no write case for MCi_ADDR/MCi_MISC.
                return MsrResult.NotHandled;
        }
    }

    private static bool IsAllZerosOrOnes(ulong value) => value is 0 or ulong.MaxValue;

    private static bool IsCtl2(uint msr) => msr >= McaMsr.Mc0Ctl2 && msr < McaMsr.Mc0Ctl2 + VmceDomain2009.MsrBankCount;

    private static bool TryBankRegister(uint msr, out int bank, out int register)
    {
        bank = (int)(msr - McaMsr.Mc0Ctl) / 4;
        register = (int)(msr - McaMsr.Mc0Ctl) % 4;
        return msr >= McaMsr.Mc0Ctl && msr < McaMsr.Mc0Ctl + (4 * VmceDomain2009.MsrBankCount);
    }
}
