using Mca.Systems.Hardware;
using Mca.Systems.Xen;
using static Mca.Systems.Tests.Xen.StatusBits;

namespace Mca.Systems.Tests.Xen;

public class MemoryErrorActionTests
{
    private static readonly McBankRecord SraoMem = McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x86);

    [Theory]
    [InlineData(McerResult.Continue)]
    [InlineData(McerResult.Reset)]
    public void Decide_NotPhysical_KeepsPresetAndLogs(McerResult preset)
    {
        var bank = McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x46); // linear mode
        var d = MemoryErrorAction.Decide(preset, bank, PageOfflineResult.Offlined(), VmceDelivery.Delivered);
        Assert.Equal(preset, d.Result);
        Assert.Equal(MemoryErrorMessages.NoPhysicalAddress, d.Messages);
        Assert.False(d.AddRecoveryRecord);
        Assert.False(d.SetBankDomId);
    }

    [Theory]
    [InlineData(PageOfflineOutcome.InvalidMfn)]
    [InlineData(PageOfflineOutcome.XenFixed)]
    [InlineData(PageOfflineOutcome.NotConventionalRam)]
    public void Decide_OfflineFails_KeepsPresetNoRecord(PageOfflineOutcome outcome)
    {
        var d = MemoryErrorAction.Decide(McerResult.Continue, SraoMem, new PageOfflineResult(outcome, 0), VmceDelivery.Delivered);
        Assert.Equal(McerResult.Continue, d.Result);
        Assert.Equal(MemoryErrorMessages.OfflineFailed, d.Messages);
        Assert.Equal(0x180UL, d.Mfn);
        Assert.False(d.AddRecoveryRecord);

        var srar = MemoryErrorAction.Decide(McerResult.Reset, SraoMem, new PageOfflineResult(outcome, 0), VmceDelivery.Delivered);
        Assert.Equal(McerResult.Reset, srar.Result);
    }

    [Fact]
    public void Decide_FreePage_Recovered()
    {
        var d = MemoryErrorAction.Decide(McerResult.Continue, SraoMem, PageOfflineResult.Offlined(), VmceDelivery.UnmapFailed);
        Assert.Equal(McerResult.Recovered, d.Result);
        Assert.Equal(MemoryErrorMessages.None, d.Messages);
        Assert.True(d.AddRecoveryRecord);
        Assert.Equal(PageOfflineStatus.Offlined | PageOfflineStatus.Broken, d.OfflineStatus);
        Assert.False(d.VmceAttempted);
        // SRAR on a free page recovers too.
        Assert.Equal(McerResult.Recovered, MemoryErrorAction.Decide(McerResult.Reset, SraoMem, PageOfflineResult.Offlined(), VmceDelivery.Delivered).Result);
    }

    [Fact]
    public void Decide_Again_Continue()
    {
        var d = MemoryErrorAction.Decide(McerResult.Reset, SraoMem, PageOfflineResult.Again(), VmceDelivery.Delivered);
        Assert.Equal(McerResult.Continue, d.Result);
        Assert.True(d.AddRecoveryRecord);
        Assert.Equal(PageOfflineStatus.Again, d.OfflineStatus);
        Assert.False(d.CrashOwner); // offline_page itself crashed the owner
    }

    [Theory]
    [InlineData(McerResult.Continue)]
    [InlineData(McerResult.Reset)]
    public void Decide_XenHeapOrAnonymous_Unchanged(McerResult preset)
    {
        var heap = MemoryErrorAction.Decide(preset, SraoMem, PageOfflineResult.PendingXenHeap(), VmceDelivery.Delivered);
        Assert.Equal(preset, heap.Result);
        Assert.True(heap.AddRecoveryRecord);
        Assert.Equal(MemoryErrorMessages.None, heap.Messages);
        Assert.Equal(PageOfflineStatus.XenPage | PageOfflineStatus.Pending | PageOfflineStatus.Broken | (0x7FF2UL << 16), heap.OfflineStatus);

        var anon = MemoryErrorAction.Decide(preset, SraoMem, PageOfflineResult.Anonymous(), VmceDelivery.Delivered);
        Assert.Equal(preset, anon.Result);
        Assert.Equal(PageOfflineStatus.Anonymous | PageOfflineStatus.Failed | PageOfflineStatus.Broken | (0x7FF4UL << 16), anon.OfflineStatus);
    }

    [Fact]
    public void Decide_OwnedDelivered_RecoveredWithGuestAddress()
    {
        var d = MemoryErrorAction.Decide(McerResult.Continue, SraoMem, PageOfflineResult.PendingOwned(0), VmceDelivery.Delivered);
        Assert.Equal(McerResult.Recovered, d.Result);
        Assert.Equal(MemoryErrorMessages.OwnedBy, d.Messages);
        Assert.True(d.SetBankDomId);
        Assert.Equal(0, d.Owner);
        Assert.True(d.VmceAttempted);
        Assert.True(d.RewriteAddress);
        Assert.False(d.CrashOwner);
        Assert.Equal(PageOfflineStatus.Owned | PageOfflineStatus.Pending | PageOfflineStatus.Broken, d.OfflineStatus);
        Assert.True(MemoryErrorAction.RequiresVmce(PageOfflineResult.PendingOwned(0)));
    }

    [Theory]
    [InlineData(VmceDelivery.UnmapFailed, MemoryErrorMessages.UnmapFailed, false)]
    [InlineData(VmceDelivery.FillFailed, MemoryErrorMessages.FillFailed, true)]
    [InlineData(VmceDelivery.InjectFailed, MemoryErrorMessages.InjectFailed, true)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void Decide_OwnedChainFails_CrashesOwnerAndKeepsPreset(VmceDelivery delivery, MemoryErrorMessages extra, bool rewritten)
    {
        foreach (McerResult preset in new[] { McerResult.Continue, McerResult.Reset })
        {
            var d = MemoryErrorAction.Decide(preset, SraoMem, PageOfflineResult.PendingOwned(3), delivery);
            Assert.Equal(preset, d.Result);
            Assert.True(d.CrashOwner);
            Assert.Equal(MemoryErrorMessages.OwnedBy | extra, d.Messages);
            Assert.Equal(rewritten, d.RewriteAddress);
            Assert.Equal(3, d.Owner);
            Assert.True(d.AddRecoveryRecord);
        }
    }

    [Fact]
    public void Decide_OwnedByDomXen_SetsDomidOnlyNoVmce()
    {
        var owned = PageOfflineResult.PendingOwned(XenIds.DomIdXen);
        Assert.False(MemoryErrorAction.RequiresVmce(owned));
        var d = MemoryErrorAction.Decide(McerResult.Reset, SraoMem, owned, VmceDelivery.FillFailed);
        Assert.Equal(McerResult.Reset, d.Result);
        Assert.Equal(MemoryErrorMessages.OwnedBy, d.Messages);
        Assert.True(d.SetBankDomId);
        Assert.False(d.VmceAttempted);
        Assert.False(d.CrashOwner);
    }

    [Fact]
    public void Decide_OwnedByCow_IsABug()
    {
        Assert.Throws<InvalidOperationException>(() =>
            MemoryErrorAction.Decide(McerResult.Continue, SraoMem, PageOfflineResult.PendingOwned(XenIds.DomIdCow), VmceDelivery.Delivered));
    }

    [Fact]
    public void RequiresVmce_OnlyForOwnedRealDomains()
    {
        Assert.False(MemoryErrorAction.RequiresVmce(PageOfflineResult.Offlined()));
        Assert.False(MemoryErrorAction.RequiresVmce(PageOfflineResult.PendingXenHeap()));
        Assert.True(MemoryErrorAction.RequiresVmce(PageOfflineResult.PendingOwned(5)));
    }

    [Fact]
    public void Apply_SetsDomidRewritesAddressAndAppendsRecord()
    {
        var info = new McInfo();
        info.SetGlobal(McGlobal.Create(McFlags.Mce, 0x5, 0, 0));
        info.TryAddBank(McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x7654321, 0x86));
        ref McBankRecord bank = ref info.Bank(0);
        var d = MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.PendingOwned(2), VmceDelivery.Delivered);

        Assert.True(MemoryErrorAction.Apply(d, ref bank, gfn: 0x180, info));
        Assert.Equal(2, bank.DomId);
        Assert.Equal(0x180321UL, bank.Addr);
        var rec = Assert.Single(info.Recoveries.ToArray());
        Assert.Equal(8, rec.Bank);
        Assert.Equal(McRecoveryRecord.ActionPageOffline, rec.ActionTypes);
        Assert.Equal(0x7654UL, rec.Mfn);
        Assert.Equal(d.OfflineStatus, rec.OfflineStatus);
        Assert.Equal(2, PageOfflineStatus.Owner(rec.OfflineStatus));
    }

    [Fact]
    public void Apply_UnmapFailed_LeavesMachineAddress()
    {
        var bank = SraoMem;
        var d = MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.PendingOwned(2), VmceDelivery.UnmapFailed);
        Assert.True(MemoryErrorAction.Apply(d, ref bank, gfn: 0x999, info: null));
        Assert.Equal(0x180020UL, bank.Addr);
        Assert.Equal(2, bank.DomId);
    }

    [Fact]
    public void GuestAddress_KeepsPageOffset()
    {
        Assert.Equal(0x180020UL, MemoryErrorAction.GuestAddress(0x180, 0xABC00020));
        Assert.Equal(0xABCUL, MemoryErrorAction.Mfn(0xABC123));
    }

    [Fact]
    public void ChooseVmceVcpu_Intel_BroadcastUnlessLmceAndEnabled()
    {
        var g = McGlobal.Create(McFlags.Mce, 0x5 | McgStatusBits.Lmce, 0, 0);
        g.DomId = 3;
        g.VcpuId = 2;
        Assert.Equal(2, MemoryErrorAction.ChooseVmceVcpu(g, owner: 3, hostIntel: true, runningVcpuMcgExtCtl: 1));
        Assert.Equal(VmceFill.Broadcast, MemoryErrorAction.ChooseVmceVcpu(g, owner: 3, hostIntel: true, runningVcpuMcgExtCtl: 0));
        Assert.Equal(VmceFill.Broadcast, MemoryErrorAction.ChooseVmceVcpu(g, owner: 4, hostIntel: true, runningVcpuMcgExtCtl: 1));
        g.McgStatus = 0x5;
        Assert.Equal(VmceFill.Broadcast, MemoryErrorAction.ChooseVmceVcpu(g, owner: 3, hostIntel: true, runningVcpuMcgExtCtl: 1));
        g.VcpuId = XenIds.VcpuIdInvalid;
        Assert.Equal(VmceFill.Broadcast, MemoryErrorAction.ChooseVmceVcpu(g, owner: 3, hostIntel: true, runningVcpuMcgExtCtl: 1));
    }

    [Fact]
    public void ChooseVmceVcpu_Amd_RunningVcpuOfTheOwner()
    {
        var g = McGlobal.Create(McFlags.Mce, 0x5, 0, 0);
        g.DomId = 3;
        g.VcpuId = 1;
        Assert.Equal(1, MemoryErrorAction.ChooseVmceVcpu(g, owner: 3, hostIntel: false, runningVcpuMcgExtCtl: 0));
        Assert.Equal(VmceFill.Broadcast, MemoryErrorAction.ChooseVmceVcpu(g, owner: 0, hostIntel: false, runningVcpuMcgExtCtl: 0));
    }

    [Fact]
    public void StatusWord_FollowsOfflinePage()
    {
        Assert.Equal(PageOfflineStatus.XenPage | PageOfflineStatus.Failed | (0x7FF2UL << 16), PageOfflineResult.XenFixed().StatusWord);
        Assert.Equal(PageOfflineStatus.Failed | PageOfflineStatus.NotConventionalRam, PageOfflineResult.NotConventionalRam().StatusWord);
        Assert.Equal(0UL, PageOfflineResult.InvalidMfn().StatusWord);
        Assert.True(PageOfflineResult.InvalidMfn().CallFailed);
        Assert.False(PageOfflineResult.Anonymous().CallFailed);
        Assert.Equal((1UL << 12) | (1UL << 2) | (5UL << 16) | (1UL << 13), PageOfflineResult.PendingOwned(5).StatusWord);
    }

    [Fact]
    public void DecideEra40_Table()
    {
        // No address: need reset.
        var noAddr = McBankRecord.FromRegisters(8, Val | Uc | En | S | MiscV | 0xC0, 0, 0x86);
        Assert.Equal(McerResult.Reset, MemoryErrorAction.DecideEra40(noAddr, PageOfflineResult.Offlined(), Era40Delivery.Delivered).Result);

        // A non-zero address suffices even without the physical mode (no intel_checkaddr in that era).
        var linear = McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x46);
        Assert.Equal(McerResult.Recovered, MemoryErrorAction.DecideEra40(linear, PageOfflineResult.Offlined(), Era40Delivery.Delivered).Result);

        Assert.Equal(McerResult.Reset, MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.XenFixed(), Era40Delivery.Delivered).Result);
        Assert.Equal(McerResult.Reset, MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.Again(), Era40Delivery.Delivered).Result);
        Assert.Equal(McerResult.Reset, MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.PendingXenHeap(), Era40Delivery.Delivered).Result);
        Assert.Equal(McerResult.Reset, MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.Anonymous(), Era40Delivery.Delivered).Result);

        var ok = MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.PendingOwned(1), Era40Delivery.Delivered);
        Assert.Equal(McerResult.Recovered, ok.Result);
        Assert.True(ok.RewriteAddress);
        Assert.False(ok.AddRecoveryRecord);

        // NEED_RESET | OWNER does not panic in that era: CONTINUE.
        var conflict = MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.PendingOwned(1), Era40Delivery.CtlConflict);
        Assert.Equal(McerResult.Continue, conflict.Result);
        Assert.False(conflict.CrashOwner);
        Assert.False(conflict.RewriteAddress);

        var fill = MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.PendingOwned(1), Era40Delivery.FillFailed);
        Assert.Equal(McerResult.Continue, fill.Result);
        Assert.True(fill.CrashOwner);
        Assert.Equal(MemoryErrorMessages.OwnedBy | MemoryErrorMessages.FillFailed, fill.Messages);

        var inject = MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.PendingOwned(1), Era40Delivery.InjectFailed);
        Assert.Equal(MemoryErrorMessages.OwnedBy | MemoryErrorMessages.InjectFailed, inject.Messages);

        var xen = MemoryErrorAction.DecideEra40(SraoMem, PageOfflineResult.PendingOwned(XenIds.DomIdXen), Era40Delivery.Delivered);
        Assert.Equal(McerResult.Continue, xen.Result);
        Assert.False(xen.VmceAttempted);
    }
}
