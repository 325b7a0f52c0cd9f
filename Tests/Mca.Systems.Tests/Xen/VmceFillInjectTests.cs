using Mca.Systems.Hardware;
using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

public class VmceFillInjectTests
{
    private static VcpuMca[] Vcpus(int n) => Enumerable.Range(0, n).Select(_ => VcpuMca.Create(hostIntel: true, lmce: true)).ToArray();

    private static McBankRecord GuestBank(ushort dom) =>
        McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x86) with { DomId = dom };

    [Fact]
    public void Fill_Broadcast_Vcpu0GetsErrorOthersGetMcipRipv()
    {
        var v = Vcpus(3);
        v[2].Bank1 = new VmceBank { Status = 0x123, Addr = 0x456, Misc = 0x789, Ctl2 = 0x4000_0002 };
        var lines = new List<string>();
        Assert.Equal(VmceFillResult.Ok, VmceFill.Fill(v, GuestBank(0), 0x5 | McgStatusBits.Lmce, VmceFill.Broadcast, lines));
        Assert.Empty(lines);

        // Xen mce-test srao_mem/dom0 through vmce.c fill_vmsr_data: vcpu0 MCG_STATUS 0x5, MC1_STATUS 0xBD000000000000CF, MC1_ADDR 0x180020, MC1_MISC 0x86.
        Assert.Equal(0x5UL, v[0].McgStatus);
        Assert.Equal(new VmceBank { Status = 0xBD000000000000CF, Addr = 0x180020, Misc = 0x86 }, v[0].Bank1);
        for (int i = 1; i < 3; i++)
        {
            Assert.Equal(0x5UL, v[i].McgStatus);
            Assert.Equal(0UL, v[i].Bank1.Status);
            Assert.Equal(0UL, v[i].Bank1.Addr);
            Assert.Equal(0UL, v[i].Bank1.Misc);
        }

        Assert.Equal(0x4000_0002UL, v[2].Bank1.Ctl2); // CTL2 is not touched
        Assert.Equal(0UL, v[0].Bank0.Status);
    }

    [Theory]
    [InlineData(0xBD2000008000017AUL, 0xBD2000000000017AUL)]
    [InlineData(0xBD000000004000CFUL, 0xBD000000000000CFUL)]
    public void Fill_MasksMscod(ulong host, ulong guest)
    {
        var v = Vcpus(1);
        VmceFill.Fill(v, GuestBank(1) with { Status = host }, 0x5, VmceFill.Broadcast);
        Assert.Equal(guest, v[0].Bank1.Status);
    }

    [Fact]
    public void Fill_Lmce_OnlyTheChosenVcpuKeepsLmce()
    {
        var v = Vcpus(3);
        Assert.Equal(VmceFillResult.Ok, VmceFill.Fill(v, GuestBank(2), 0x5 | McgStatusBits.Lmce, vcpuId: 2));
        Assert.Equal(0xDUL, v[2].McgStatus);
        Assert.Equal(0x180020UL, v[2].Bank1.Addr);
        Assert.Equal(0UL, v[0].McgStatus);
        Assert.Equal(0UL, v[1].McgStatus);
    }

    [Fact]
    public void Fill_SpecificVcpuWithoutLmce_FillsVcpu0()
    {
        // The AMD path: a specific vCPU without LMCE_S still fills vcpu0 (fill_vmsr_data only moves to another vCPU for LMCE).
        var v = Vcpus(2);
        Assert.Equal(VmceFillResult.Ok, VmceFill.Fill(v, GuestBank(2), 0x5, vcpuId: 1));
        Assert.Equal(0x5UL, v[0].McgStatus);
        Assert.Equal(0UL, v[1].McgStatus);
    }

    [Fact]
    public void Fill_Vcpu0StillInMcip_BusyOthersFilled()
    {
        var v = Vcpus(3);
        v[0].McgStatus = 0x5;
        v[0].Bank1.Status = 0x1;
        var lines = new List<string>();
        Assert.Equal(VmceFillResult.Busy, VmceFill.Fill(v, GuestBank(4), 0x5, VmceFill.Broadcast, lines));
        Assert.Equal(0x1UL, v[0].Bank1.Status); // untouched
        Assert.Equal(0x5UL, v[1].McgStatus);
        Assert.Equal(["MCE: d4v0: guest has not handled previous vMCE yet!"], lines);
    }

    [Fact]
    public void Fill_OtherVcpuStillInMcip_BusyButVcpu0Filled()
    {
        var v = Vcpus(3);
        v[1].McgStatus = McgStatusBits.Mcip;
        v[1].Bank1.Addr = 0x77;
        var lines = new List<string>();
        Assert.Equal(VmceFillResult.Busy, VmceFill.Fill(v, GuestBank(4), 0x5, VmceFill.Broadcast, lines));
        Assert.Equal(0xBD000000000000CFUL, v[0].Bank1.Status);
        Assert.Equal(0x77UL, v[1].Bank1.Addr);
        Assert.Equal(0x5UL, v[2].McgStatus);
        Assert.Equal(["MCE: d4v1: guest has not handled previous vMCE yet!"], lines);
    }

    [Fact]
    public void Fill_GuestClearedMcip_CanBeFilledAgain()
    {
        var v = Vcpus(1);
        VmceFill.Fill(v, GuestBank(1), 0x5, VmceFill.Broadcast);
        Assert.Equal(VmceFillResult.Busy, VmceFill.Fill(v, GuestBank(1), 0x5, VmceFill.Broadcast));
        Assert.Equal(MsrResult.Ok, VmceMsrs.Write(ref v[0], McaMsr.McgStatus, true, 0));
        Assert.Equal(VmceFillResult.Ok, VmceFill.Fill(v, GuestBank(1), 0x5, VmceFill.Broadcast));
    }

    [Fact]
    public void Fill_InvalidDomain_AndBadArguments()
    {
        var v = Vcpus(2);
        Assert.Equal(VmceFillResult.InvalidDomain, VmceFill.Fill(v, GuestBank(XenIds.DomIdInvalid), 0x5, VmceFill.Broadcast));
        Assert.Equal(0UL, v[0].McgStatus);
        Assert.Throws<ArgumentOutOfRangeException>(() => VmceFill.Fill(v, GuestBank(1), 0x5, 2));
        Assert.Throws<ArgumentException>(() => VmceFill.Fill(Span<VcpuMca>.Empty, GuestBank(1), 0x5, -1));
    }

    private static bool[] All(int n, bool value) => Enumerable.Repeat(value, n).ToArray();

    [Fact]
    public void Inject_HvmBroadcast_MarksEveryInitialisedVcpu()
    {
        var v = Vcpus(3);
        bool[] init = [true, false, true];
        Assert.Equal(VmceInjectResult.Ok, VmceInject.Inject(v, 1, hvm: true, init, [], VmceFill.Broadcast, out int failed));
        Assert.Equal(-1, failed);
        Assert.True(v[0].McePending);
        Assert.False(v[1].McePending);
        Assert.True(v[2].McePending);
    }

    [Fact]
    public void Inject_PendingAlreadySet_BusyStopsWalkEarlierStayMarked()
    {
        var v = Vcpus(3);
        v[1].McePending = true;
        var lines = new List<string>();
        Assert.Equal(VmceInjectResult.Busy, VmceInject.Inject(v, 5, hvm: true, All(3, true), [], VmceFill.Broadcast, out int failed, lines));
        Assert.Equal(1, failed);
        Assert.True(v[0].McePending);
        Assert.False(v[2].McePending);
        Assert.Equal(["Failed to inject vMCE to d5v1"], lines);
    }

    [Fact]
    public void Inject_PvWithoutTrapCallback_Busy()
    {
        var v = Vcpus(2);
        bool[] callback = [false, true];
        Assert.Equal(VmceInjectResult.Busy, VmceInject.Inject(v, 0, hvm: false, All(2, true), callback, VmceFill.Broadcast, out int failed));
        Assert.Equal(0, failed);
        Assert.False(v[0].McePending); // not eligible: the flag is not even tested-and-set
        Assert.False(v[1].McePending);

        Assert.Equal(VmceInjectResult.Ok, VmceInject.Inject(v, 0, hvm: false, All(2, true), callback, vcpuId: 1, out _));
        Assert.True(v[1].McePending);
    }

    [Fact]
    public void Inject_SingleVcpu_OnlyThatOne()
    {
        var v = Vcpus(3);
        Assert.Equal(VmceInjectResult.Ok, VmceInject.Inject(v, 0, true, All(3, true), [], vcpuId: 2, out _));
        Assert.Equal([false, false, true], v.Select(x => x.McePending).ToArray());
    }

    [Fact]
    public void Inject_NoInitialisedTarget_NoTarget()
    {
        var v = Vcpus(2);
        Assert.Equal(VmceInjectResult.NoTarget, VmceInject.Inject(v, 0, true, All(2, false), [], VmceFill.Broadcast, out int failed));
        Assert.Equal(-1, failed);
        Assert.Equal(VmceInjectResult.NoTarget, VmceInject.Inject(v, 0, true, [true, false], [], vcpuId: 1, out _));
    }

    [Fact]
    public void Inject_BadArguments_Throw()
    {
        var v = Vcpus(2);
        Assert.Throws<ArgumentException>(() => VmceInject.Inject(v, 0, true, [true], [], -1, out _));
        Assert.Throws<ArgumentException>(() => VmceInject.Inject(v, 0, false, All(2, true), [], -1, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => VmceInject.Inject(v, 0, true, All(2, true), [], 5, out _));
    }
}
