using Mca.Systems.Hardware;
using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

public class Vmce2009Tests
{
    private const ulong HostCap = McgCapBits.SerP | McgCapBits.TesP | McgCapBits.CmciP | McgCapBits.CtlP | 10;

    private static McBankRecord Bank(int bank, ulong status, ulong addr) => new()
    {
        Bank = (ushort)bank, DomId = 0, Status = status, Addr = addr, Misc = 0x86,
    };

    private static (MsrResult, ulong) Read(VmceDomain2009 d, uint msr)
    {
        var r = VmceMsrs2009.Read(d, msr, out ulong v);
        return (r, v);
    }

    [Fact]
    public void Reset_HostCapWithoutCmciP_CtlsAllOnes()
    {
        var d = new VmceDomain2009(HostCap);
        Assert.Equal(HostCap & ~McgCapBits.CmciP, d.McgCap);
        Assert.Equal((MsrResult.Ok, HostCap & ~McgCapBits.CmciP), Read(d, McaMsr.McgCap));
        Assert.Equal((MsrResult.Ok, ulong.MaxValue), Read(d, McaMsr.McgCtl));
        for (int b = 0; b < 9; b++)
        {
            Assert.Equal((MsrResult.Ok, ulong.MaxValue), Read(d, McaMsr.Ctl(b)));
        }

        Assert.Equal(0, d.NrInjection);
        Assert.Equal(0, d.EntryCount);
    }

    [Theory]
    [InlineData(0UL, MsrResult.Ok)]
    [InlineData(ulong.MaxValue, MsrResult.Ok)]
    [InlineData(1UL, MsrResult.GeneralProtection)]
    [InlineData(0xFFFF_FFFFUL, MsrResult.GeneralProtection)]
    [InlineData(0xFFFF_FFFF_FFFF_FFFEUL, MsrResult.GeneralProtection)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void CtlWrites_AllZerosOrAllOnes_ElseGp(ulong value, MsrResult expected)
    {
        var d = new VmceDomain2009(HostCap);
        Assert.Equal(expected, VmceMsrs2009.Write(d, McaMsr.McgCtl, value));
        Assert.Equal(expected, VmceMsrs2009.Write(d, McaMsr.Ctl(3), value));
        ulong stored = expected == MsrResult.Ok ? value : ulong.MaxValue;
        Assert.Equal((MsrResult.Ok, stored), Read(d, McaMsr.McgCtl));
        Assert.Equal((MsrResult.Ok, stored), Read(d, McaMsr.Ctl(3)));
    }

    [Fact]
    public void McgStatus_StoredAnyValue()
    {
        var d = new VmceDomain2009(HostCap);
        Assert.Equal(MsrResult.Ok, VmceMsrs2009.Write(d, McaMsr.McgStatus, 0x1234));
        Assert.Equal((MsrResult.Ok, 0x1234UL), Read(d, McaMsr.McgStatus));
    }

    [Fact]
    public void BankReads_OnlyTheHeadEntrysBank()
    {
        var d = new VmceDomain2009(HostCap);
        d.AddImpactedBank(2, Bank(8, 0xBD000000004000CF, 0x180020), 0x5);
        d.AddImpactedBank(3, Bank(7, 0xBD2000008000017A, 0x200000), 0x7);
        Assert.Equal((MsrResult.Ok, 0xBD000000004000CFUL), Read(d, McaMsr.Status(8)));
        Assert.Equal((MsrResult.Ok, 0x180020UL), Read(d, McaMsr.Addr(8)));
        Assert.Equal((MsrResult.Ok, 0x86UL), Read(d, McaMsr.Misc(8)));
        Assert.Equal((MsrResult.Ok, 0UL), Read(d, McaMsr.Status(7))); // not the head
        Assert.Equal((MsrResult.Ok, 0UL), Read(d, McaMsr.Status(1)));
        Assert.Equal((MsrResult.Ok, 0x7UL), Read(d, McaMsr.McgStatus)); // the last fill's MCG_STATUS
        Assert.Equal(2, d.NrInjection);
    }

    [Fact]
    public void BankReads_EmptyListReadsZero()
    {
        var d = new VmceDomain2009(HostCap);
        Assert.Equal((MsrResult.Ok, 0UL), Read(d, McaMsr.Status(1)));
        Assert.Throws<InvalidOperationException>(() => d.Head.Bank);
    }

    [Fact]
    public void StatusWrite_UpdatesHeadWhenBankMatches_AnyValueNoGp()
    {
        var d = new VmceDomain2009(HostCap);
        d.AddImpactedBank(0, Bank(8, 0xBD000000004000CF, 0x180020), 0x5);
        Assert.Equal(MsrResult.Ok, VmceMsrs2009.Write(d, McaMsr.Status(8), 0));
        Assert.Equal(0UL, d.Head.Status);
        Assert.Equal(MsrResult.Ok, VmceMsrs2009.Write(d, McaMsr.Status(8), 0x42));
        Assert.Equal(0x42UL, d.Head.Status);
        Assert.Equal(MsrResult.Ok, VmceMsrs2009.Write(d, McaMsr.Status(2), 0x99)); // other bank: ignored
        Assert.Equal(0x42UL, d.Head.Status);
    }

    [Fact]
    public void AddrMiscWrites_McgCapWrite_ExtCtl_NotHandled()
    {
        var d = new VmceDomain2009(HostCap);
        d.AddImpactedBank(0, Bank(8, 0xBD000000004000CF, 0x180020), 0x5);
        Assert.Equal(MsrResult.NotHandled, VmceMsrs2009.Write(d, McaMsr.Addr(8), 0));
        Assert.Equal(MsrResult.NotHandled, VmceMsrs2009.Write(d, McaMsr.Misc(8), 1));
        Assert.Equal(MsrResult.NotHandled, VmceMsrs2009.Write(d, McaMsr.McgCap, 1));
        Assert.Equal(MsrResult.NotHandled, VmceMsrs2009.Read(d, McaMsr.McgExtCtl, out _));
        Assert.Equal(0x180020UL, d.Head.Addr);
    }

    [Fact]
    public void Ctl2_ReadsZeroWritesIgnored_Banks0To8()
    {
        var d = new VmceDomain2009(HostCap);
        Assert.Equal((MsrResult.Ok, 0UL), Read(d, McaMsr.Ctl2(0)));
        Assert.Equal(MsrResult.Ok, VmceMsrs2009.Write(d, McaMsr.Ctl2(8), 0x4000_0002));
        Assert.Equal((MsrResult.Ok, 0UL), Read(d, McaMsr.Ctl2(8)));
        Assert.Equal(MsrResult.NotHandled, Read(d, McaMsr.Ctl2(9)).Item1);
    }

    [Fact]
    public void BanksAboveEight_NotHandled()
    {
        var d = new VmceDomain2009(HostCap);
        Assert.Equal(MsrResult.NotHandled, Read(d, McaMsr.Ctl(9)).Item1);
        Assert.Equal(MsrResult.NotHandled, VmceMsrs2009.Write(d, McaMsr.Ctl(9), 5));
        Assert.Equal(MsrResult.NotHandled, Read(d, 0x10).Item1);
    }

    [Fact]
    public void Fifo_PerBankInjections_OneInFlight_RearmedOnIret()
    {
        var d = new VmceDomain2009(HostCap);
        d.AddImpactedBank(0, Bank(8, 0xBD000000004000CF, 0x1000), 0x5);
        d.AddImpactedBank(0, Bank(7, 0xBD2000008000017A, 0x2000), 0x5); // same pCPU: still one entry per bank
        d.AddImpactedBank(1, Bank(8, 0xBD000000004000CF, 0x3000), 0x5);
        Assert.Equal(3, d.NrInjection);
        Assert.Equal(3, d.EntryCount);
        Assert.Equal(1, d.Entry(2).Cpu);

        bool pending = false;
        Assert.False(VmceDomain2009.TryInject(hasMcTrapCallback: false, ref pending));
        Assert.True(VmceDomain2009.TryInject(hasMcTrapCallback: true, ref pending));
        Assert.True(pending);
        Assert.False(VmceDomain2009.TryInject(true, ref pending)); // one in flight

        // Delivery clears mce_pending; the guest's IRET completes the injection.
        pending = false;
        Assert.True(d.CompleteInjection(ref pending));
        Assert.True(pending);
        Assert.Equal(0x2000UL, d.Head.Addr);
        pending = false;
        Assert.True(d.CompleteInjection(ref pending));
        Assert.Equal(0x3000UL, d.Head.Addr);
        pending = false;
        Assert.False(d.CompleteInjection(ref pending));
        Assert.False(pending);
        Assert.Equal(0, d.NrInjection);
        Assert.Equal(0, d.EntryCount);
        Assert.False(d.CompleteInjection(ref pending)); // nothing owed
    }

    [Fact]
    public void Fifo_GrowsBeyondInitialCapacityKeepingOrder()
    {
        var d = new VmceDomain2009(HostCap, initialCapacity: 2);
        bool pending = false;
        d.AddImpactedBank(0, Bank(1, 1, 1), 0x5);
        d.AddImpactedBank(0, Bank(2, 2, 2), 0x5);
        d.CompleteInjection(ref pending); // head moves, ring wraps
        for (int i = 3; i <= 7; i++)
        {
            d.AddImpactedBank(0, Bank(i, (ulong)i, (ulong)i), 0x5);
        }

        Assert.Equal(6, d.EntryCount);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(i + 2, d.Entry(i).Bank);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => d.Entry(6));
        d.Reset(HostCap);
        Assert.Equal(0, d.EntryCount);
    }
}
