using Mca.Systems.Hardware;

namespace Mca.Systems.Tests;

public class McaBitsTests
{
    [Theory]
    [InlineData(0xBD000000004000CFUL, 0x00CF, 0x0040)]
    [InlineData(0xBD2000008000017AUL, 0x017A, 0x8000)]
    [InlineData(0xBC20000080000136UL, 0x0136, 0x8000)]
    public void Fields_XenMceinjTable_DecodeAsInReference(ulong status, int mcacod, int mscod)
    {
        // xen-mceinj.c mce_table decoded by the SDM (vol. 3B 15.3.2.2).
        Assert.Equal(mcacod, MciStatusBits.Mcacod(status));
        Assert.Equal(mscod, MciStatusBits.Mscod(status));
        Assert.True(MciStatusBits.Has(status, MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En));
    }

    [Fact]
    public void WithCeCount_AboveFifteenBits_Saturates()
    {
        ulong status = MciStatusBits.WithCeCount(MciStatusBits.Val, 1_000_000);
        Assert.Equal(0x7FFF, MciStatusBits.CeCount(status));
        Assert.Equal(7, MciStatusBits.CeCount(MciStatusBits.WithCeCount(status, 7)));
    }

    [Fact]
    public void MsrAddresses_Bank9_MatchArchitecture()
    {
        Assert.Equal(0x424u, McaMsr.Ctl(9));
        Assert.Equal(0x425u, McaMsr.Status(9));
        Assert.Equal(0x426u, McaMsr.Addr(9));
        Assert.Equal(0x427u, McaMsr.Misc(9));
        Assert.Equal(0x289u, McaMsr.Ctl2(9));
    }

    [Fact]
    public void MiscPhysicalMode_InjectorValue0x86_IsLsb6Physical()
    {
        Assert.Equal(6, MciMiscBits.Lsb(0x86));
        Assert.Equal(2, MciMiscBits.Mode(0x86));
    }
}
