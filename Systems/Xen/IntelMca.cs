using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>
/// The Intel per-bank rules of Xen's mce_intel.c (current code, era B): grading, the recoverable
/// scan, the clear-bank rule and the address check. Pure functions of the MCi_STATUS value and
/// MCG_CAP.SER_P (<c>ser</c> everywhere below is <c>ser_support</c>).
/// </summary>
public static class IntelMca
{
    /// <summary><c>INTEL_MCCOD_MASK</c>: the handlers compare the whole 16-bit MCACOD, filter bit included.</summary>
    public const ulong McacodMask = 0xFFFF;

    private const ulong Val = MciStatusBits.Val;
    private const ulong Over = MciStatusBits.Over;
    private const ulong Uc = MciStatusBits.Uc;
    private const ulong En = MciStatusBits.En;
    private const ulong Pcc = MciStatusBits.Pcc;
    private const ulong S = MciStatusBits.S;
    private const ulong Ar = MciStatusBits.Ar;

    /// <summary>Grades one bank exactly as <c>intel_check_mce_type</c>.</summary>
    public static XenMceType CheckMceType(ulong status, bool ser)
    {
        // Xen mce_intel.c intel_check_mce_type: VAL = 0 -> invalid
        if ((status & Val) == 0)
        {
            return XenMceType.Invalid;
        }

        // Xen mce_intel.c intel_check_mce_type: PCC -> fatal (checked before UC)
        if ((status & Pcc) != 0)
        {
            return XenMceType.Fatal;
        }

        // Xen mce_intel.c intel_check_mce_type: UC = 0 -> corrected
        if ((status & Uc) == 0)
        {
            return XenMceType.Corrected;
        }

        // Xen mce_intel.c intel_check_mce_type: not SER -> fatal
        if (!ser)
        {
            return XenMceType.Fatal;
        }

        if ((status & S) != 0)
        {
            // Xen mce_intel.c intel_check_mce_type: S = 1, AR = 1: OVER = 1 -> fatal, else SRAR; S = 1, AR = 0 -> SRAO
            if ((status & Ar) != 0)
            {
                return (status & Over) != 0 ? XenMceType.Fatal : XenMceType.Srar;
            }

            return XenMceType.Srao;
        }

        // Xen mce_intel.c intel_check_mce_type: S = 0 -> UCNA
        return XenMceType.Ucna;
    }

    /// <summary>
    /// <c>intel_recoverable_scan</c>: false makes the CPU fatal in the #MC handler. The logout calls it
    /// for every bank once an uncorrected bank has been seen (see <see cref="McaSummary.AddBank"/>).
    /// </summary>
    public static bool RecoverableScan(ulong status, bool ser)
    {
        // Xen mce_intel.c intel_recoverable_scan: UC = 0
        if ((status & Uc) == 0)
        {
            return true;
        }

        if (!ser)
        {
            return false;
        }

        // Xen mce_intel.c intel_recoverable_scan: SER, EN = 0, OVER = 0 (spurious)
        if ((status & (En | Over)) == 0)
        {
            return true;
        }

        // Xen mce_intel.c intel_recoverable_scan: SRAR with OVER = 0, PCC = 0, S = 1, AR = 1, EN = 1
        if ((status & (Over | Pcc | S | Ar | En)) == (S | Ar | En))
        {
            return true;
        }

        // Xen mce_intel.c intel_recoverable_scan: SRAO with PCC = 0, S = 1, AR = 0, EN = 1 (OVER allowed)
        if ((status & (Pcc | S | Ar | En)) == (S | En))
        {
            return true;
        }

        // Xen mce_intel.c intel_recoverable_scan: UCNA with OVER = 0, EN = 1, PCC = 0, S = 0, AR = 0
        return (status & (Over | En | Pcc | S | Ar)) == En;
    }

    /// <summary>
    /// The RFC's "good recovery method" for one uncorrected bank, as the model reads its implementation note 1: the bank
    /// passes <see cref="RecoverableScan"/> and, for SRAR, names a known recovery code (0x134, 0x150) with a physical address.
    /// A corrected bank needs none.
    /// </summary>
    public static bool HasRecoveryMethod(ulong status, ulong misc, bool ser)
    {
        if ((status & Uc) == 0)
        {
            return true;
        }

        if (!RecoverableScan(status, ser))
        {
            return false;
        }

        return CheckMceType(status, ser) != XenMceType.Srar || (IsSrarMemoryCode(status) && IsPhysicalAddress(status, misc));
    }

    /// <summary><c>intel_need_clearbank_scan</c>: whether the logout may clear this valid bank.</summary>
    internal static bool NeedClearBank(LogoutSource who, ulong status, bool ser)
    {
        switch (who)
        {
            case LogoutSource.Cmci:
                // Xen mce_intel.c intel_need_clearbank_scan CMCI: UC = 0
                if ((status & Uc) == 0)
                {
                    return true;
                }

                // Xen mce_intel.c intel_need_clearbank_scan CMCI: SER, OVER = 0, EN = 0 (spurious)
                if (ser && (status & (Over | En)) == 0)
                {
                    return true;
                }

                // Xen mce_intel.c intel_need_clearbank_scan CMCI: SER, OVER = 0, PCC = 0, S = 0, AR = 0 (UCNA); else log only
                return ser && (status & (Over | Pcc | S | Ar)) == 0;

            case LogoutSource.MceScan:
                // Xen mce_intel.c intel_need_clearbank_scan #MC: without SER never clear
                if (!ser)
                {
                    return false;
                }

                // Xen mce_intel.c intel_need_clearbank_scan #MC: UC with PCC stays sticky for after the reboot
                if ((status & (Uc | Pcc)) == (Uc | Pcc))
                {
                    return false;
                }

                // Xen mce_intel.c intel_need_clearbank_scan #MC: spurious (UC, EN = 0, OVER = 0)
                if ((status & (Over | Uc | En)) == Uc)
                {
                    return true;
                }

                // Xen mce_intel.c intel_need_clearbank_scan #MC: SRAR with OVER = 0
                if ((status & (Uc | S | Ar | Over)) == (Uc | S | Ar))
                {
                    return true;
                }

                // Xen mce_intel.c intel_need_clearbank_scan #MC: SRAO (UC, S = 1, AR = 0); CE/UCNA are left for the poller or CMCI
                return (status & (Uc | S | Ar)) == (Uc | S);

            case LogoutSource.Poller:
            case LogoutSource.Reset:
                // Xen mce_intel.c intel_need_clearbank_scan: poller and reset always clear
                return true;

            default:
                throw new ArgumentOutOfRangeException(nameof(who), who, "expected a LogoutSource value");
        }
    }

    /// <summary>
    /// <c>intel_checkaddr(status, misc, MC_ADDR_PHYSICAL)</c>: the address is physical only with ADDRV,
    /// MISCV and MISC[8:6] = 010.
    /// </summary>
    public static bool IsPhysicalAddress(ulong status, ulong misc)
    {
        // Xen mce_intel.c intel_checkaddr: ADDRV = 1, MISCV = 1 and MISC mode 010 (MCi_MISC_PHYSMOD)
        return (status & (MciStatusBits.AddrV | MciStatusBits.MiscV)) == (MciStatusBits.AddrV | MciStatusBits.MiscV)
            && (misc & MciMiscBits.ModeMask) == MciMiscBits.ModePhysical;
    }

    /// <summary>True for the MCACODs the SRAO handler sends to memory recovery: 0xC0-0xCF and 0x17A.</summary>
    public static bool IsSraoMemoryCode(ulong status)
    {
        // Xen mce_intel.c SRAO handler: INTEL_SRAO_MEM_SCRUB 0xC0-0xCF or INTEL_SRAO_L3_EWB 0x17A (whole 16-bit code)
        ulong code = status & McacodMask;
        return code is >= Mcacod.MemScrubFirst and <= Mcacod.MemScrubLast or Mcacod.L3ExplicitWriteback;
    }

    /// <summary>True for the MCACODs the SRAR handler sends to memory recovery: 0x134 and 0x150.</summary>
    public static bool IsSrarMemoryCode(ulong status)
    {
        // Xen mce_intel.c SRAR handler: INTEL_SRAR_DATA_LOAD 0x134 or INTEL_SRAR_INSTR_FETCH 0x150
        ulong code = status & McacodMask;
        return code is Mcacod.DataLoad or Mcacod.InstructionFetch;
    }

    /// <summary>
    /// The era 4.0/4.1 recovery-table match: MCACOD 0x17A exactly, or 0xC0 after masking with 0xFFF0.
    /// Note it does not look at the grade: any bank with such a code matches.
    /// </summary>
    public static bool IsEra40RecoveryCode(ulong status)
    {
        // Xen 4.0/4.1 mce_intel.c: MCACOD matched only against 0x17A and 0xC0 (masked to 0xFFF0)
        return (status & McacodMask) == Mcacod.L3ExplicitWriteback || (status & 0xFFF0) == Mcacod.MemScrubFirst;
    }
}
