using Mca.Systems.Hardware;
using Mca.Systems.Xen;
using static Mca.Systems.Tests.Xen.StatusBits;

namespace Mca.Systems.Tests.Xen;

public class McaSummaryTests
{
    [Fact]
    public void Begin_ReadsMcgStatusBits()
    {
        var s = McaSummary.Begin(McgStatusBits.Ripv | McgStatusBits.Mcip | McgStatusBits.Lmce);
        Assert.True(s.Ripv);
        Assert.False(s.Eipv);
        Assert.True(s.Lmce);
        Assert.True(s.Recoverable);
        Assert.Equal(0, s.ErrorCount);
        Assert.False(s.MustDefer);
    }

    [Fact]
    public void AddBank_CorrectedOnly_CommitsAsCorrectable()
    {
        var s = McaSummary.Begin(0x5);
        s.AddBank(0x9400000000000151UL, ser: true);
        Assert.Equal(1, s.ErrorCount);
        Assert.False(s.MustDefer);
        Assert.False(s.IsFatalAtLogout);
        Assert.Equal(McFlags.Mce | McFlags.Correctable, s.GlobalFlags(LogoutSource.MceScan));
    }

    [Fact]
    public void AddBank_Srao_DefersRecoverable()
    {
        var s = McaSummary.Begin(0x5);
        s.AddBank(0xBD000000004000CFUL, ser: true);
        Assert.True(s.MustDefer);
        Assert.True(s.Recoverable);
        Assert.False(s.IsFatalAtLogout);
        // Xen mce-test srao_mem/xen, as mce.c logs it: flags MCE|RECOVERABLE.
        Assert.Equal(McFlags.Mce | McFlags.Recoverable, s.GlobalFlags(LogoutSource.MceScan));
    }

    [Fact]
    public void AddBank_Pcc_IsFatalAndUncorrectable()
    {
        var s = McaSummary.Begin(0x5);
        s.AddBank(0xBF2000008000017AUL, ser: true);
        Assert.True(s.Pcc);
        Assert.True(s.IsFatalAtLogout);
        Assert.Equal(McFlags.Mce | McFlags.Uncorrectable, s.GlobalFlags(LogoutSource.MceScan));
    }

    [Fact]
    public void AddBank_UnrecoverableUc_IsFatal()
    {
        var s = McaSummary.Begin(0x5);
        s.AddBank(Val | Uc | En | S | Ar | Over, ser: true); // SRAR with OVER
        Assert.False(s.Recoverable);
        Assert.True(s.IsFatalAtLogout);
    }

    [Fact]
    public void AddBank_RecoverableIsAndedOnceUcSeen_InBankOrder()
    {
        // A non-recoverable pattern before any UC bank does not count: recoverable_scan only runs once uc is set,
        // and returns true for UC = 0 banks afterwards.
        var s = McaSummary.Begin(0x5);
        s.AddBank(Val, ser: true);
        s.AddBank(Val | Uc | En | S, ser: true);
        s.AddBank(Val, ser: true);
        Assert.True(s.Recoverable);

        s.AddBank(Val | Uc | En | Over, ser: true); // UCNA with OVER: unrecoverable
        s.AddBank(Val | Uc | En | S, ser: true); // cannot restore it
        Assert.False(s.Recoverable);
        Assert.Equal(5, s.ErrorCount);
    }

    [Fact]
    public void AddBank_WithoutSer_AnyUcIsUnrecoverable()
    {
        var s = McaSummary.Begin(0x5);
        s.AddBank(0xBD000000004000CFUL, ser: false);
        Assert.True(s.IsFatalAtLogout);
    }

    [Theory]
    [InlineData(LogoutSource.MceScan, McFlags.Mce, TelemetryClass.Urgent)]
    [InlineData(LogoutSource.Cmci, McFlags.Cmci, TelemetryClass.NonUrgent)]
    [InlineData(LogoutSource.Poller, McFlags.Polled, TelemetryClass.NonUrgent)]
    [InlineData(LogoutSource.Reset, McFlags.Polled, TelemetryClass.NonUrgent)] // MC_FLAG_RESET is never used
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void SourceFlagAndClass_PerSource(LogoutSource who, McFlags flag, TelemetryClass cls)
    {
        Assert.Equal(flag, McaSummary.SourceFlag(who));
        Assert.Equal(cls, McaSummary.ClassFor(who));
    }

    [Fact]
    public void GlobalFlags_UcnaViaCmci_IsCmciRecoverable()
    {
        // Xen mce-test ucna_llc/xen, as mce_intel.c logs it: NONURGENT, flags CMCI|RECOVERABLE.
        var s = McaSummary.Begin(0);
        s.AddBank(0xBC20000080000136UL, ser: true);
        Assert.Equal(McFlags.Cmci | McFlags.Recoverable, s.GlobalFlags(LogoutSource.Cmci));
    }

    [Fact]
    public void McFlags_HaveXenValues()
    {
        Assert.Equal(1u, (uint)McFlags.Correctable);
        Assert.Equal(2u, (uint)McFlags.Uncorrectable);
        Assert.Equal(4u, (uint)McFlags.Recoverable);
        Assert.Equal(8u, (uint)McFlags.Polled);
        Assert.Equal(0x10u, (uint)McFlags.Reset);
        Assert.Equal(0x20u, (uint)McFlags.Cmci);
        Assert.Equal(0x40u, (uint)McFlags.Mce);
        Assert.Equal(1u, (uint)McInfoFlags.Uncomplete);
    }
}
