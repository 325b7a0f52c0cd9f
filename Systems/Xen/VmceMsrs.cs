using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>
/// Guest reads and writes of the virtual MCA MSRs in the current model (vmce.c
/// <c>vmce_rdmsr</c>/<c>vmce_wrmsr</c> via Xen msr.c, in vmce.c). <c>hostIntel</c>
/// below is the vendor (Intel, or Centaur/Shanghai which share the path); false means AMD.
/// </summary>
internal static class VmceMsrs
{
    /// <summary><c>GUEST_MC_BANK_NUM</c>.</summary>
    public const int GuestBankCount = 2;
    /// <summary>Intel guest MCG_CAP: SER_P | TES_P | CMCI_P | 2 banks.</summary>
    public const ulong IntelGuestMcgCap = McgCapBits.SerP | McgCapBits.TesP | McgCapBits.CmciP | GuestBankCount;
    /// <summary>AMD guest MCG_CAP: 2 banks.</summary>
    public const ulong AmdGuestMcgCap = GuestBankCount;
    /// <summary>Last MSR of the MCi_CTL2 range msr.c routes to vMCE (MC31_CTL2).</summary>
    public const uint Ctl2RangeLast = 0x29F;
    /// <summary>Last MSR of the MCi_CTL..MCi_MISC range msr.c routes to vMCE (MC31_MISC).</summary>
    public const uint McBankRangeLast = 0x47F;
    /// <summary>MCG_EXT_CTL.LMCE_EN, the only writable bit.</summary>
    public const ulong McgExtCtlLmceEn = 1;

    /// <summary>
    /// The guest MCG_CAP: 0x1000C02 on Intel, plus MCG_LMCE_P when the toolstack enabled
    /// XEN_HVM_MCA_CAP_LMCE on an LMCE-capable host; 2 on AMD.
    /// </summary>
    public static ulong GuestMcgCap(bool hostIntel, bool lmce)
    {
        // Xen vmce.c (guest MCG_CAP): Intel MCG_SER_P | MCG_TES_P | MCG_CMCI_P | 2 = 0x1000C02 (+ LMCE_P); AMD 2
        if (!hostIntel)
        {
            return AmdGuestMcgCap;
        }

        return lmce ? IntelGuestMcgCap | McgCapBits.LmceP : IntelGuestMcgCap;
    }

    /// <summary>Whether <paramref name="msr"/> is in one of the MSR ranges msr.c sends to vMCE (0x179-0x17B, 0x280-0x29F, 0x400-0x47F, 0x4D0).</summary>
    public static bool IsMcaRange(uint msr)
    {
        // Xen msr.c: guest MSR range checks cover 0x179-0x17B, 0x280-0x29F, 0x400-0x47F and 0x4D0
        return msr is >= McaMsr.McgCap and <= McaMsr.McgCtl
            or >= McaMsr.Mc0Ctl2 and <= Ctl2RangeLast
            or >= McaMsr.Mc0Ctl and <= McBankRangeLast
            or McaMsr.McgExtCtl;
    }

    /// <summary>A guest RDMSR. <paramref name="value"/> is 0 unless the result is <see cref="MsrResult.Ok"/> with a value.</summary>
    public static MsrResult Read(ref VcpuMca vcpu, uint msr, bool hostIntel, out ulong value)
    {
        value = 0;
        switch (msr)
        {
            case McaMsr.McgStatus:
                // Xen vmce.c vmce_rdmsr: MCG_STATUS reads the per-vCPU mcg_status
                value = vcpu.McgStatus;
                return MsrResult.Ok;

            case McaMsr.McgCap:
                // Xen vmce.c vmce_rdmsr: MCG_CAP reads the per-vCPU mcg_cap
                value = vcpu.McgCap;
                return MsrResult.Ok;

            case McaMsr.McgCtl:
                // Xen vmce.c vmce_rdmsr: MCG_CTL reads all ones only if MCG_CTL_P is set in the guest cap, otherwise 0
                value = (vcpu.McgCap & McgCapBits.CtlP) != 0 ? ulong.MaxValue : 0;
                return MsrResult.Ok;

            case McaMsr.McgExtCtl:
                // Xen vmce.c vmce_rdmsr: MCG_EXT_CTL reads the value only with guest MCG_LMCE_P, otherwise #GP
                if ((vcpu.McgCap & McgCapBits.LmceP) == 0)
                {
                    return MsrResult.GeneralProtection;
                }

                value = vcpu.McgExtCtl;
                return MsrResult.Ok;
        }

        if (!IsBankMsr(ref vcpu, msr, hostIntel))
        {
            // Xen vmce.c vmce_rdmsr: bank MSRs beyond the guest count but inside the ranges are not handled (read 0)
            return MsrResult.NotHandled;
        }

        if (msr >= McaMsr.Mc0Ctl)
        {
            int bank = (int)(msr - McaMsr.Mc0Ctl) / 4;
            switch ((msr - McaMsr.Mc0Ctl) % 4)
            {
                case 0:
                    // Xen vmce.c vmce_rdmsr: MCi_CTL, i < count, reads all ones
                    value = ulong.MaxValue;
                    return MsrResult.Ok;
                case 1:
                    // Xen vmce.c vmce_rdmsr: MCi_STATUS, i < 2, reads the bank value (0 unless injected); banks >= 2 of a larger restored count read 0
                    value = bank < GuestBankCount ? BankRef(ref vcpu, bank).Status : 0;
                    return MsrResult.Ok;
                case 2:
                    // Xen vmce.c vmce_rdmsr: MCi_ADDR, i < 2, reads the bank value
                    value = bank < GuestBankCount ? BankRef(ref vcpu, bank).Addr : 0;
                    return MsrResult.Ok;
                default:
                    // Xen vmce.c vmce_rdmsr: MCi_MISC, i < 2, reads the bank value
                    value = bank < GuestBankCount ? BankRef(ref vcpu, bank).Misc : 0;
                    return MsrResult.Ok;
            }
        }

        switch (msr)
        {
            case McaMsr.P5McAddr:
                // Xen vmce.c vmce_rdmsr: P5_MC_ADDR (Intel/Centaur/Shanghai) reads bank 1 ADDR
                value = vcpu.Bank1.Addr;
                return MsrResult.Ok;
            case McaMsr.P5McType:
                // Xen vmce.c vmce_rdmsr: P5_MC_TYPE reads bank 1 STATUS
                value = vcpu.Bank1.Status;
                return MsrResult.Ok;
            default:
                // Xen vmce.c vmce_rdmsr: MCi_CTL2, Intel, i < 2, reads the stored value
                int ctl2Bank = (int)(msr - McaMsr.Mc0Ctl2);
                value = ctl2Bank < GuestBankCount ? BankRef(ref vcpu, ctl2Bank).Ctl2 : 0;
                return MsrResult.Ok;
        }
    }

    /// <summary>A guest WRMSR of <paramref name="value"/>.</summary>
    public static MsrResult Write(ref VcpuMca vcpu, uint msr, bool hostIntel, ulong value)
    {
        switch (msr)
        {
            case McaMsr.McgCtl:
                // Xen vmce.c vmce_wrmsr: MCG_CTL write ignored
                return MsrResult.Ok;

            case McaMsr.McgStatus:
                // Xen vmce.c vmce_wrmsr: MCG_STATUS, any value stored, no #GP (the guest clears MCIP by writing 0)
                vcpu.McgStatus = value;
                return MsrResult.Ok;

            case McaMsr.McgCap:
                // Xen vmce.c vmce_wrmsr: MCG_CAP write ignored (read-only; no #GP)
                return MsrResult.Ok;

            case McaMsr.McgExtCtl:
                // Xen vmce.c vmce_wrmsr: MCG_EXT_CTL write allowed only with LMCE_P and only bit 0 (LMCE_EN), otherwise #GP
                if ((vcpu.McgCap & McgCapBits.LmceP) == 0 || (value & ~McgExtCtlLmceEn) != 0)
                {
                    return MsrResult.GeneralProtection;
                }

                vcpu.McgExtCtl = value;
                return MsrResult.Ok;
        }

        if (!IsBankMsr(ref vcpu, msr, hostIntel))
        {
            // Xen vmce.c vmce_wrmsr: bank MSRs beyond the guest count but inside the ranges are not handled (writes ignored)
            return MsrResult.NotHandled;
        }

        if (msr >= McaMsr.Mc0Ctl)
        {
            int bank = (int)(msr - McaMsr.Mc0Ctl) / 4;
            int register = (int)(msr - McaMsr.Mc0Ctl) % 4;
            if (register == 0)
            {
                // Xen vmce.c vmce_wrmsr: MCi_CTL write ignored
                return MsrResult.Ok;
            }

            // Xen vmce.c vmce_wrmsr: MCi_STATUS/ADDR/MISC, i < 2: 0 clears it, non-zero gives #GP
            if (value != 0)
            {
                return MsrResult.GeneralProtection;
            }

            if (bank >= GuestBankCount)
            {
                return MsrResult.Ok;
            }

            ref VmceBank target = ref BankRef(ref vcpu, bank);
            switch (register)
            {
                case 1:
                    target.Status = 0;
                    break;
                case 2:
                    target.Addr = 0;
                    break;
                default:
                    target.Misc = 0;
                    break;
            }

            return MsrResult.Ok;
        }

        if (msr is McaMsr.P5McAddr or McaMsr.P5McType)
        {
            // Xen vmce.c vmce_wrmsr: P5_MC_ADDR / P5_MC_TYPE have no write semantics ("—"); the write is accepted and ignored
            return MsrResult.Ok;
        }

        // Xen vmce.c vmce_wrmsr: MCi_CTL2, Intel, i < 2, stored with no checks
        int ctl2Index = (int)(msr - McaMsr.Mc0Ctl2);
        if (ctl2Index < GuestBankCount)
        {
            BankRef(ref vcpu, ctl2Index).Ctl2 = value;
        }

        return MsrResult.Ok;
    }

    /// <summary>Bank 0 or bank 1 of a vCPU by number.</summary>
    public static ref VmceBank BankRef(ref VcpuMca vcpu, int bank)
    {
        switch (bank)
        {
            case 0:
                return ref vcpu.Bank0;
            case 1:
                return ref vcpu.Bank1;
            default:
                throw new ArgumentOutOfRangeException(nameof(bank), bank, "a guest has banks 0 and 1");
        }
    }

    /// <summary>
    /// <c>mce_bank_msr</c>: MCi_CTL..MCi_MISC for i below the guest bank count, and the vendor MSRs
    /// (Intel: MCi_CTL2 for i below the count; Intel/Centaur/Shanghai: P5_MC_ADDR/TYPE).
    /// </summary>
    private static bool IsBankMsr(ref VcpuMca vcpu, uint msr, bool hostIntel)
    {
        // Xen sizes the range by the guest MCG_CAP count (2 unless restored from an older vMCE with more banks;
        // banks >= 2 of such a count read 0 and drop zero writes, like vmce.c).
        uint count = (uint)McgCapBits.BankCount(vcpu.McgCap);
        if (msr >= McaMsr.Mc0Ctl && msr <= McBankRangeLast && msr < McaMsr.Mc0Ctl + (4 * count))
        {
            return true;
        }

        if (!hostIntel)
        {
            return false;
        }

        return (msr >= McaMsr.Mc0Ctl2 && msr <= Ctl2RangeLast && msr < McaMsr.Mc0Ctl2 + count) || msr is McaMsr.P5McAddr or McaMsr.P5McType;
    }
}
