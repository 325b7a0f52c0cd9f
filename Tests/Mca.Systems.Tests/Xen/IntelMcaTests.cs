using Mca.Systems.Xen;
using static Mca.Systems.Tests.Xen.StatusBits;

namespace Mca.Systems.Tests.Xen;

public class IntelMcaTests
{
    // xen-mceinj.c mce_table decoded by the SDM (vol. 3B 15.3.2.2, 15.6.3): the injector's records and their classes.
    [Theory]
    [InlineData(0xBD000000004000CFUL, XenMceType.Srao)]
    [InlineData(0xBD2000008000017AUL, XenMceType.Srao)]
    [InlineData(0xBC20000080000136UL, XenMceType.Ucna)]
    [InlineData(0x9400000000000151UL, XenMceType.Corrected)]
    [InlineData(0xBF2000008000017AUL, XenMceType.Fatal)]
    public void CheckMceType_XenMceinjTable_MatchesReferenceClass(ulong status, XenMceType expected)
    {
        Assert.Equal(expected, IntelMca.CheckMceType(status, ser: true));
    }

    [Theory]
    [InlineData(0UL, XenMceType.Invalid)]
    [InlineData(Uc | Pcc | S | Ar, XenMceType.Invalid)]
    [InlineData(Val | Pcc, XenMceType.Fatal)] // PCC is checked before UC
    [InlineData(Val, XenMceType.Corrected)]
    [InlineData(Val | S | Ar | Over, XenMceType.Corrected)]
    [InlineData(Val | Uc | S | Ar, XenMceType.Srar)]
    [InlineData(Val | Uc | S | Ar | Over, XenMceType.Fatal)]
    [InlineData(Val | Uc | S, XenMceType.Srao)]
    [InlineData(Val | Uc | S | Over, XenMceType.Srao)]
    [InlineData(Val | Uc, XenMceType.Ucna)]
    [InlineData(Val | Uc | Ar, XenMceType.Ucna)] // S = 0 is UCNA whatever AR says
    [InlineData(Val | Uc | En, XenMceType.Ucna)]
    public void CheckMceType_EachRuleOfTheReference_GivesItsClass(ulong status, XenMceType expected)
    {
        Assert.Equal(expected, IntelMca.CheckMceType(status, ser: true));
    }

    [Fact]
    public void CheckMceType_UncorrectedWithoutSer_IsFatal()
    {
        Assert.Equal(XenMceType.Fatal, IntelMca.CheckMceType(Val | Uc | S, ser: false));
        Assert.Equal(XenMceType.Fatal, IntelMca.CheckMceType(Val | Uc, ser: false));
        Assert.Equal(XenMceType.Corrected, IntelMca.CheckMceType(Val, ser: false));
    }

    [Fact]
    public void CheckMceType_AllBitCombinations_MatchSpecOracle()
    {
        foreach (bool ser in new[] { false, true })
        {
            foreach (ulong status in AllCombinations())
            {
                // Xen mce_intel.c intel_check_mce_type, restated as a decision list.
                XenMceType expected =
                    !Has(status, Val) ? XenMceType.Invalid
                    : Has(status, Pcc) ? XenMceType.Fatal
                    : !Has(status, Uc) ? XenMceType.Corrected
                    : !ser ? XenMceType.Fatal
                    : Has(status, S) && Has(status, Ar) && Has(status, Over) ? XenMceType.Fatal
                    : Has(status, S) && Has(status, Ar) ? XenMceType.Srar
                    : Has(status, S) ? XenMceType.Srao
                    : XenMceType.Ucna;
                Assert.True(expected == IntelMca.CheckMceType(status, ser), $"status 0x{status:x16} ser {ser}");
            }
        }
    }

    [Theory]
    [InlineData(Val, true)]
    [InlineData(Val | Uc, true)] // spurious: EN = 0, OVER = 0
    [InlineData(Val | Uc | Over, false)]
    [InlineData(Val | Uc | En | S | Ar, true)] // SRAR
    [InlineData(Val | Uc | En | S | Ar | Over, false)]
    [InlineData(Val | Uc | En | S | Ar | Pcc, false)]
    [InlineData(Val | Uc | S | Ar, true)] // EN = 0 and OVER = 0: spurious rule
    [InlineData(Val | Uc | En | S, true)] // SRAO
    [InlineData(Val | Uc | En | S | Over, true)] // SRAO allows OVER
    [InlineData(Val | Uc | En | S | Pcc, false)]
    [InlineData(Val | Uc | En, true)] // UCNA
    [InlineData(Val | Uc | En | Over, false)]
    [InlineData(Val | Uc | En | Ar, false)] // AR without S matches no rule
    [InlineData(Val | Uc | En | Pcc, false)]
    public void RecoverableScan_ReferenceRows_Hold(ulong status, bool expected)
    {
        Assert.Equal(expected, IntelMca.RecoverableScan(status, ser: true));
    }

    [Fact]
    public void RecoverableScan_WithoutSer_OnlyCorrectedIsRecoverable()
    {
        foreach (ulong status in AllCombinations())
        {
            Assert.Equal(!Has(status, Uc), IntelMca.RecoverableScan(status, ser: false));
        }
    }

    [Fact]
    public void RecoverableScan_AllBitCombinations_MatchSpecOracle()
    {
        foreach (ulong status in AllCombinations())
        {
            bool uc = Has(status, Uc), en = Has(status, En), over = Has(status, Over), pcc = Has(status, Pcc), s = Has(status, S), ar = Has(status, Ar);
            // Xen mce_intel.c intel_recoverable_scan, the five "true" rows.
            bool expected = !uc
                || (!en && !over)
                || (!over && !pcc && s && ar && en)
                || (!pcc && s && !ar && en)
                || (!over && en && !pcc && !s && !ar);
            Assert.True(expected == IntelMca.RecoverableScan(status, ser: true), $"status 0x{status:x16}");
        }
    }

    [Fact]
    public void NeedClearBank_AllBitCombinations_MatchSpecOracle()
    {
        foreach (bool ser in new[] { false, true })
        {
            foreach (ulong status in AllCombinations())
            {
                bool uc = Has(status, Uc), en = Has(status, En), over = Has(status, Over), pcc = Has(status, Pcc), s = Has(status, S), ar = Has(status, Ar);

                // Xen mce_intel.c intel_need_clearbank_scan.
                bool cmci = !uc || (ser && !over && !en) || (ser && !over && !pcc && !s && !ar);
                bool mce = ser && !(uc && pcc) && ((!over && uc && !en) || (uc && s && ar && !over) || (uc && s && !ar));

                Assert.True(cmci == IntelMca.NeedClearBank(LogoutSource.Cmci, status, ser), $"CMCI 0x{status:x16} ser {ser}");
                Assert.True(mce == IntelMca.NeedClearBank(LogoutSource.MceScan, status, ser), $"MCE 0x{status:x16} ser {ser}");
                Assert.True(IntelMca.NeedClearBank(LogoutSource.Poller, status, ser));
                Assert.True(IntelMca.NeedClearBank(LogoutSource.Reset, status, ser));
            }
        }
    }

    [Theory]
    [InlineData(0xBD000000004000CFUL, true)] // SRAO scrub: cleared in #MC
    [InlineData(0xBD2000008000017AUL, true)] // SRAO L3 EWB
    [InlineData(0xBC20000080000136UL, false)] // UCNA seen in #MC: left for CMCI/poll
    [InlineData(0x9400000000000151UL, false)] // CE seen in #MC: left (xen-mceinj type 3, Xen mce_intel.c intel_need_clearbank_scan)
    [InlineData(0xBF2000008000017AUL, false)] // PCC: sticky for after the reboot (type 4)
    [InlineData(Val | Uc | S | Ar | En, true)] // SRAR OVER = 0
    [InlineData(Val | Uc | S | Ar | En | Over, false)] // SRAR OVER = 1
    [InlineData(Val | Uc, true)] // spurious
    public void NeedClearBank_MceScanOnInjectorRecords_MatchesReference(ulong status, bool expected)
    {
        Assert.Equal(expected, IntelMca.NeedClearBank(LogoutSource.MceScan, status, ser: true));
    }

    [Theory]
    [InlineData(0xBC20000080000136UL, true)] // UCNA via CMCI: cleared
    [InlineData(0x9400000000000151UL, true)] // CE
    [InlineData(0xBD2000008000017AUL, false)] // SRAO seen by CMCI: log only
    [InlineData(Val | Uc | Over | En, false)] // UCNA with OVER
    public void NeedClearBank_Cmci_MatchesReference(ulong status, bool expected)
    {
        Assert.Equal(expected, IntelMca.NeedClearBank(LogoutSource.Cmci, status, ser: true));
    }

    [Fact]
    public void NeedClearBank_MceScanWithoutSer_NeverClears()
    {
        Assert.False(IntelMca.NeedClearBank(LogoutSource.MceScan, 0xBD000000004000CFUL, ser: false));
        Assert.False(IntelMca.NeedClearBank(LogoutSource.MceScan, Val, ser: false));
    }

    [Fact]
    public void NeedClearBank_UnknownSource_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => IntelMca.NeedClearBank((LogoutSource)9, Val, true));
    }

    [Theory]
    [InlineData(AddrV | MiscV, 0x86UL, true)] // injector MISC: LSB 6, physical
    [InlineData(AddrV | MiscV, 0x80UL, true)]
    [InlineData(AddrV | MiscV, 0x46UL, false)] // mode 001 linear
    [InlineData(AddrV | MiscV, 0xC6UL, false)] // mode 011 memory address is not "physical" to Xen
    [InlineData(AddrV | MiscV, 0x1C0UL, false)] // mode 111
    [InlineData(AddrV, 0x86UL, false)] // MISCV = 0
    [InlineData(MiscV, 0x86UL, false)] // ADDRV = 0
    [InlineData(AddrV | MiscV, 0xFFFFFFFFFFFFFE86UL, true)] // model-specific bits 63:9 do not matter
    public void IsPhysicalAddress_IntelCheckaddr_NeedsAddrvMiscvAndMode010(ulong statusBits, ulong misc, bool expected)
    {
        Assert.Equal(expected, IntelMca.IsPhysicalAddress(Val | Uc | statusBits, misc));
    }

    [Fact]
    public void MemoryCodes_ExactSixteenBitMatch()
    {
        for (ulong code = 0; code <= 0xFFFF; code++)
        {
            ulong status = Val | Uc | S | (0x1234UL << 16) | code;
            Assert.Equal(code is >= 0xC0 and <= 0xCF or 0x17A, IntelMca.IsSraoMemoryCode(status));
            Assert.Equal(code is 0x134 or 0x150, IntelMca.IsSrarMemoryCode(status));
            Assert.Equal(code is >= 0xC0 and <= 0xCF or 0x17A, IntelMca.IsEra40RecoveryCode(status));
        }

        // The correction-report filtering bit (12) is part of the compared code.
        Assert.False(IntelMca.IsSraoMemoryCode(Val | 0x10C0));
        Assert.False(IntelMca.IsSrarMemoryCode(Val | 0x1134));
    }
}
