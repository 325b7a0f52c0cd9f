using Mca.Systems.Hardware;
using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

public class VmceMsrsTests
{
    private static VcpuMca Injected(bool lmce = false)
    {
        var v = VcpuMca.Create(hostIntel: true, lmce);
        v.McgStatus = 0x5;
        v.Bank1 = new VmceBank { Status = 0xBD000000000000CF, Addr = 0x180020, Misc = 0x86, Ctl2 = 0 };
        v.Bank0 = new VmceBank { Status = 0x8000000000000001, Addr = 0x11, Misc = 0x22 };
        return v;
    }

    private static (MsrResult Result, ulong Value) Read(ref VcpuMca v, uint msr, bool intel = true)
    {
        MsrResult r = VmceMsrs.Read(ref v, msr, intel, out ulong value);
        return (r, value);
    }

    [Fact]
    public void GuestMcgCap_Constants()
    {
        Assert.Equal(0x1000C02UL, VmceMsrs.GuestMcgCap(hostIntel: true, lmce: false));
        Assert.Equal(0x9000C02UL, VmceMsrs.GuestMcgCap(hostIntel: true, lmce: true));
        Assert.Equal(2UL, VmceMsrs.GuestMcgCap(hostIntel: false, lmce: true));
        Assert.Equal(0x1000C02UL, VcpuMca.Create(true).McgCap);
    }

    [Fact]
    public void McgCap_ReadsCap_WriteIgnoredWithoutGp()
    {
        var v = Injected();
        Assert.Equal((MsrResult.Ok, 0x1000C02UL), Read(ref v, 0x179));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, 0x179, true, 0xFFFF));
        Assert.Equal(0x1000C02UL, v.McgCap);
    }

    [Fact]
    public void McgStatus_AnyValueStored()
    {
        var v = Injected();
        Assert.Equal((MsrResult.Ok, 0x5UL), Read(ref v, 0x17A));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, 0x17A, true, 0xDEAD_BEEF_0000_0007));
        Assert.Equal(0xDEAD_BEEF_0000_0007UL, v.McgStatus);
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, 0x17A, true, 0));
        Assert.Equal(0UL, v.McgStatus);
    }

    [Fact]
    public void McgCtl_OnesOnlyWithCtlP_WriteIgnored()
    {
        var v = Injected();
        Assert.Equal((MsrResult.Ok, 0UL), Read(ref v, 0x17B));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, 0x17B, true, 0x1234));
        v.McgCap |= McgCapBits.CtlP; // e.g. restored from an older save
        Assert.Equal((MsrResult.Ok, ulong.MaxValue), Read(ref v, 0x17B));
    }

    [Fact]
    public void McgExtCtl_WithoutLmceP_GpBothWays()
    {
        var v = Injected(lmce: false);
        Assert.Equal(MsrResult.GeneralProtection, Read(ref v, 0x4D0).Result);
        Assert.Equal(MsrResult.GeneralProtection, VmceMsrs.Write(ref v, 0x4D0, true, 0));
        Assert.Equal(MsrResult.GeneralProtection, VmceMsrs.Write(ref v, 0x4D0, true, 1));
        var amd = VcpuMca.Create(hostIntel: false);
        Assert.Equal(MsrResult.GeneralProtection, VmceMsrs.Read(ref amd, 0x4D0, false, out _));
    }

    [Theory]
    [InlineData(0UL, MsrResult.Ok)]
    [InlineData(1UL, MsrResult.Ok)]
    [InlineData(2UL, MsrResult.GeneralProtection)]
    [InlineData(3UL, MsrResult.GeneralProtection)]
    [InlineData(ulong.MaxValue, MsrResult.GeneralProtection)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void McgExtCtl_WithLmceP_OnlyBit0(ulong value, MsrResult expected)
    {
        var v = Injected(lmce: true);
        Assert.Equal(expected, VmceMsrs.Write(ref v, 0x4D0, true, value));
        Assert.Equal(expected == MsrResult.Ok ? value : 0, v.McgExtCtl);
        Assert.Equal((MsrResult.Ok, v.McgExtCtl), Read(ref v, 0x4D0));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void MciCtl_ReadsOnes_WritesIgnored(int bank)
    {
        var v = Injected();
        Assert.Equal((MsrResult.Ok, ulong.MaxValue), Read(ref v, McaMsr.Ctl(bank)));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.Ctl(bank), true, 0));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.Ctl(bank), true, 0x5));
        Assert.Equal((MsrResult.Ok, ulong.MaxValue), Read(ref v, McaMsr.Ctl(bank)));
    }

    [Fact]
    public void BankRegisters_ReadTheBankValues()
    {
        var v = Injected();
        Assert.Equal((MsrResult.Ok, 0xBD000000000000CFUL), Read(ref v, McaMsr.Status(1)));
        Assert.Equal((MsrResult.Ok, 0x180020UL), Read(ref v, McaMsr.Addr(1)));
        Assert.Equal((MsrResult.Ok, 0x86UL), Read(ref v, McaMsr.Misc(1)));
        Assert.Equal((MsrResult.Ok, 0x8000000000000001UL), Read(ref v, McaMsr.Status(0)));
        Assert.Equal((MsrResult.Ok, 0x11UL), Read(ref v, McaMsr.Addr(0)));
        Assert.Equal((MsrResult.Ok, 0x22UL), Read(ref v, McaMsr.Misc(0)));
    }

    public static TheoryData<uint> StatusAddrMisc => new()
    {
        McaMsr.Status(0), McaMsr.Addr(0), McaMsr.Misc(0), McaMsr.Status(1), McaMsr.Addr(1), McaMsr.Misc(1),
    };

    [Theory]
    [MemberData(nameof(StatusAddrMisc))]
    public void StatusAddrMisc_NonZeroWriteGp_ZeroClears(uint msr)
    {
        var v = Injected();
        ulong before = Read(ref v, msr).Value;
        foreach (ulong bad in new[] { 1UL, 0x86UL, before, ulong.MaxValue, 1UL << 63 })
        {
            if (bad == 0)
            {
                continue;
            }

            Assert.Equal(MsrResult.GeneralProtection, VmceMsrs.Write(ref v, msr, true, bad));
            Assert.Equal(before, Read(ref v, msr).Value);
        }

        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, msr, true, 0));
        Assert.Equal(0UL, Read(ref v, msr).Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Ctl2_IntelStoredWithoutChecks(int bank)
    {
        var v = Injected();
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.Ctl2(bank), true, 0x4000_7FFF));
        Assert.Equal((MsrResult.Ok, 0x4000_7FFFUL), Read(ref v, McaMsr.Ctl2(bank)));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.Ctl2(bank), true, ulong.MaxValue));
        Assert.Equal(ulong.MaxValue, VmceMsrs.BankRef(ref v, bank).Ctl2);
    }

    [Fact]
    public void Ctl2_Amd_NotHandled()
    {
        var v = VcpuMca.Create(hostIntel: false);
        Assert.Equal(MsrResult.NotHandled, VmceMsrs.Read(ref v, McaMsr.Ctl2(1), false, out ulong value));
        Assert.Equal(0UL, value);
        Assert.Equal(MsrResult.NotHandled, VmceMsrs.Write(ref v, McaMsr.Ctl2(1), false, 5));
        Assert.Equal(0UL, v.Bank1.Ctl2);
    }

    [Theory]
    [InlineData(0x408u)] // MC2_CTL
    [InlineData(0x409u)] // MC2_STATUS
    [InlineData(0x40Au)]
    [InlineData(0x40Bu)]
    [InlineData(0x47Fu)] // MC31_MISC
    [InlineData(0x282u)] // MC2_CTL2
    [InlineData(0x29Fu)]
    public void BanksBeyondGuestCount_InsideRanges_NotHandled(uint msr)
    {
        var v = Injected();
        Assert.True(VmceMsrs.IsMcaRange(msr));
        Assert.Equal((MsrResult.NotHandled, 0UL), Read(ref v, msr));
        Assert.Equal(MsrResult.NotHandled, VmceMsrs.Write(ref v, msr, true, 0xFFFF)); // no #GP: ignored
    }

    [Theory]
    [InlineData(0x10u)]
    [InlineData(0x178u)]
    [InlineData(0x17Cu)]
    [InlineData(0x27Fu)]
    [InlineData(0x2A0u)]
    [InlineData(0x3FFu)]
    [InlineData(0x480u)]
    [InlineData(0x4D1u)]
    public void OutsideTheRanges_NotHandled(uint msr)
    {
        var v = Injected();
        Assert.False(VmceMsrs.IsMcaRange(msr));
        Assert.Equal(MsrResult.NotHandled, Read(ref v, msr).Result);
        Assert.Equal(MsrResult.NotHandled, VmceMsrs.Write(ref v, msr, true, 1));
    }

    [Fact]
    public void P5Msrs_IntelMapToBank1_AmdNotHandled()
    {
        var v = Injected();
        Assert.Equal((MsrResult.Ok, 0x180020UL), Read(ref v, McaMsr.P5McAddr));
        Assert.Equal((MsrResult.Ok, 0xBD000000000000CFUL), Read(ref v, McaMsr.P5McType));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.P5McType, true, 5));
        Assert.Equal(0xBD000000000000CFUL, v.Bank1.Status);
        Assert.Equal(MsrResult.NotHandled, Read(ref v, McaMsr.P5McAddr, intel: false).Result);
        Assert.Equal(MsrResult.NotHandled, VmceMsrs.Write(ref v, McaMsr.P5McAddr, false, 5));
    }

    [Fact]
    public void Amd_BankMsrsAndGlobals_AsIntel()
    {
        var v = VcpuMca.Create(hostIntel: false);
        v.Bank1.Status = 0x9;
        Assert.Equal(MsrResult.Ok, VmceMsrs.Read(ref v, McaMsr.Status(1), false, out ulong s));
        Assert.Equal(9UL, s);
        Assert.Equal(MsrResult.GeneralProtection, VmceMsrs.Write(ref v, McaMsr.Status(1), false, 9));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Read(ref v, McaMsr.McgCap, false, out ulong cap));
        Assert.Equal(2UL, cap);
    }

    [Fact]
    public void RestoredLargerBankCount_ExtraBanksReadZeroAndGpOnNonZero()
    {
        var v = Injected();
        v.McgCap = (v.McgCap & ~McgCapBits.CountMask) | 4;
        Assert.Equal((MsrResult.Ok, ulong.MaxValue), Read(ref v, McaMsr.Ctl(3)));
        Assert.Equal((MsrResult.Ok, 0UL), Read(ref v, McaMsr.Status(3)));
        Assert.Equal(MsrResult.GeneralProtection, VmceMsrs.Write(ref v, McaMsr.Status(3), true, 1));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.Status(3), true, 0));
        Assert.Equal((MsrResult.Ok, 0UL), Read(ref v, McaMsr.Ctl2(3)));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v, McaMsr.Ctl2(3), true, 7));
        Assert.Equal(MsrResult.NotHandled, Read(ref v, McaMsr.Ctl(4)).Result);
    }

    [Fact]
    public void BankRef_OnlyBanks0And1()
    {
        var v = Injected();
        Assert.Throws<ArgumentOutOfRangeException>(() => VmceMsrs.BankRef(ref v, 2));
    }
}
