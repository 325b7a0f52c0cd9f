using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

public class XenConsoleTests
{
    private static McInfo Record(McFlags flags, ushort core, ulong mcgStatus, params McBankRecord[] banks)
    {
        var info = new McInfo();
        var g = McGlobal.Create(flags, mcgStatus, cpu: 5, timeNs: 0);
        g.CoreId = core;
        info.SetGlobal(g);
        foreach (var b in banks)
        {
            info.TryAddBank(b);
        }

        return info;
    }

    [Fact]
    public void McinfoDump_Mce_PrintsCoreAndSpacePaddedLowerHex()
    {
        var info = Record(McFlags.Mce | McFlags.Recoverable, 2, 0x5, McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x86));
        var lines = new List<string>();
        XenConsole.McinfoDump(info, lines);
        Assert.Equal(
        [
            "CPU2: Machine Check Exception:                5",
            "Bank 8: bd000000004000cf[              86] at           180020",
        ], lines);
    }

    [Fact]
    public void McinfoDump_CmciAndPolledHeaders()
    {
        var bank = McBankRecord.FromRegisters(9, 0xBC20000080000136UL, 0x180020, 0x86);
        var lines = new List<string>();
        XenConsole.McinfoDump(Record(McFlags.Cmci | McFlags.Recoverable, 3, 0, bank), lines);
        XenConsole.McinfoDump(Record(McFlags.Polled | McFlags.Correctable, 4, 0), lines);
        XenConsole.McinfoDump(Record(McFlags.Mce | McFlags.Cmci, 6, 0x0), lines); // MCE wins
        XenConsole.McinfoDump(Record(McFlags.Correctable, 1, 0, bank), lines); // no source flag: no header
        Assert.Equal(
        [
            "CMCI occurred on CPU 3.",
            "Bank 9: bc20000080000136[              86] at           180020",
            "POLLED occurred on CPU 4.",
            "CPU6: Machine Check Exception:                0",
            "Bank 9: bc20000080000136[              86] at           180020",
        ], lines);
    }

    [Theory]
    [InlineData(0x9400000000000151UL, "Bank 1: 9400000000000151 at             1234")] // ADDRV only
    [InlineData(0x8800000000000151UL, "Bank 1: 8800000000000151[              86]")] // MISCV only
    [InlineData(0x8000000000000005UL, "Bank 1: 8000000000000005")]
    [InlineData(0x5UL, "Bank 1:                5")]
    public void BankLine_MiscAndAddrOnlyWhenValid(ulong status, string expected)
    {
        var bank = new McBankRecord { Bank = 1, Status = status, Addr = 0x1234, Misc = 0x86 };
        Assert.Equal(expected, XenConsole.BankLine(bank));
    }

    [Fact]
    public void McinfoDump_WithoutGlobal_PrintsNothing()
    {
        var lines = new List<string>();
        XenConsole.McinfoDump(new McInfo(), lines);
        Assert.Empty(lines);
    }

    [Fact]
    public void Hex_Formats()
    {
        Assert.Equal("               5", XenConsole.Hex16(5));
        Assert.Equal("bd000000004000cf", XenConsole.Hex16(0xBD000000004000CF));
        Assert.Equal("0000000000000086", XenConsole.Hex016(0x86));
        Assert.Equal("0", XenConsole.HexAlt(0));
        Assert.Equal("0x17a", XenConsole.HexAlt(0x17A));
    }

    [Fact]
    public void McPanic_BannerDumpAndHardwareError()
    {
        var info = Record(McFlags.Mce | McFlags.Uncorrectable, 0, 0x5, McBankRecord.FromRegisters(7, 0xBF2000008000017AUL, 0x180020, 0x86));
        var lines = new List<string>();
        XenConsole.McPanic("MCE: Fatal error happened on CPUs 1", [info], cpu: 0, lines);
        Assert.Equal(
        [
            "Fatal machine check: MCE: Fatal error happened on CPUs 1",
            "",
            "****************************************",
            "",
            "   The processor has reported a hardware error which cannot",
            "   be recovered from.  Xen will now reboot the machine.",
            "mce.c:1558: Begin dump mc_info",
            "CPU0: Machine Check Exception:                5",
            "Bank 7: bf2000008000017a[              86] at           180020",
            "mce.c:1561: End dump mc_info, 1 mcinfo dumped",
            "",
            "****************************************",
            "Panic on CPU 0:",
            "HARDWARE ERROR",
            "****************************************",
            "",
            "Reboot in five seconds...",
        ], lines);
    }

    [Fact]
    public void McPanicDumpEnd_CountIsHex()
    {
        Assert.EndsWith("End dump mc_info, 1a mcinfo dumped", XenConsole.McPanicDumpEnd(26));
    }

    [Theory]
    [InlineData(new ulong[] { 0x2 }, 4, "2")]
    [InlineData(new ulong[] { 0x9 }, 8, "09")]
    [InlineData(new ulong[] { 0x1 }, 32, "00000001")]
    [InlineData(new ulong[] { 0x1_0000_0001 }, 48, "0001,00000001")]
    [InlineData(new ulong[] { 0x1, 0x8000_0000_0000_0000 }, 128, "80000000,00000000,00000000,00000001")]
    [InlineData(new ulong[] { 0x5 }, 3, "5")]
    public void CpuMaskBitmap_XenPercentStarPb(ulong[] mask, int nrBits, string expected)
    {
        Assert.Equal(expected, XenConsole.CpuMaskBitmap(mask, nrBits));
    }

    [Fact]
    public void FatalCpusReason_TruncatedToXenBuffer()
    {
        Assert.Equal("MCE: Fatal error happened on CPUs 03", XenConsole.FatalCpusReason([0x3], 8));
        string many = XenConsole.FatalCpusReason(new ulong[8], 512);
        Assert.Equal(95, many.Length);
        Assert.StartsWith("MCE: Fatal error happened on CPUs 00000000,", many);
    }

    [Fact]
    public void DelayedActionLines_PerDisposition()
    {
        var info = Record(McFlags.Mce | McFlags.Recoverable, 0, 0x5, McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x86));
        var recovered = new List<string>();
        XenConsole.DelayedActionLines(DelayedDisposition.CommitRecovered, info, 0, recovered);
        Assert.Equal(["mce.c:1640: MCE: Error is successfully recovered"], recovered);

        var tainted = new List<string>();
        XenConsole.DelayedActionLines(DelayedDisposition.CommitTainted, info, 0, tainted);
        Assert.Equal("mce.c:1645: MCE: Error can't be recovered, system is tainted", tainted[0]);
        Assert.Equal(3, tainted.Count);

        var panic = new List<string>();
        XenConsole.DelayedActionLines(DelayedDisposition.Panic, info, 2, panic);
        Assert.Equal("mce.c:1633: MCE delayed action failed", panic[0]);
        Assert.Contains("Panic on CPU 2:", panic);
        Assert.Contains("MCE: Software recovery failed for the UCR", panic);

        var none = new List<string>();
        XenConsole.DelayedActionLines(DelayedDisposition.Dismiss, info, 0, none);
        Assert.Empty(none);
    }

    [Fact]
    public void MemoryErrorLines_ExactTextIncludingTypo()
    {
        var bank = McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x86);
        var lines = new List<string>();
        XenConsole.MemoryErrorLines(MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.PendingOwned(0), VmceDelivery.Delivered), lines);
        XenConsole.MemoryErrorLines(MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.PendingOwned(3), VmceDelivery.UnmapFailed), lines);
        XenConsole.MemoryErrorLines(MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.PendingOwned(3), VmceDelivery.FillFailed), lines);
        XenConsole.MemoryErrorLines(MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.PendingOwned(3), VmceDelivery.InjectFailed), lines);
        XenConsole.MemoryErrorLines(MemoryErrorAction.Decide(McerResult.Continue, bank, PageOfflineResult.XenFixed(), VmceDelivery.Delivered), lines);
        var linear = bank with { Misc = 0x46 };
        XenConsole.MemoryErrorLines(MemoryErrorAction.Decide(McerResult.Continue, linear, PageOfflineResult.Offlined(), VmceDelivery.Delivered), lines);
        Assert.Equal(
        [
            "MCE: This error page is ownded by DOM 0",
            "MCE: This error page is ownded by DOM 3",
            "Unmap broken memory 00180 for DOM3 failed",
            "MCE: This error page is ownded by DOM 3",
            "Fill vMCE# data for DOM3 failed",
            "MCE: This error page is ownded by DOM 3",
            "inject vMCE to DOM3 failed",
            "mcaction.c:60: Failed to offline page 00180 for MCE error",
            "mcaction.c:53: No physical address provided for memory error",
        ], lines);
    }

    [Fact]
    public void VmceAndInjectorLines()
    {
        Assert.Equal("MCE: d1v2: guest has not handled previous vMCE yet!", XenConsole.GuestNotHandledPreviousVmce(1, 2));
        Assert.Equal("Failed to inject vMCE to d0v0", XenConsole.FailedToInjectVmce(0, 0));
        Assert.Equal("Simulating #MC on cpu 3", XenConsole.SimulatingMc(3));
        Assert.Equal("HV MSR INJECT (interpose) target 0 actual 0 MSR 0x17a <-- 0x5", XenConsole.MsrInject(true, 0, 0, 0x17A, 0x5));
        Assert.Equal("HV MSR INJECT (hardware) target 1 actual 1 MSR 0x421 <-- 0xbd000000004000cf", XenConsole.MsrInject(false, 1, 1, 0x421, 0xBD000000004000CF));
        Assert.Equal("HV MSR INJECT (interpose) target 0 actual 0 MSR 0x422 <-- 0", XenConsole.MsrInject(true, 0, 0, 0x422, 0));
        Assert.Equal("HV MSR INJECT ERROR: MSR 0x10 not a recognized MCA MSR", XenConsole.MsrInjectError(0x10, "not a recognized MCA MSR"));
        Assert.Equal("intpose_add: interpose array full - request dropped", XenConsole.InterposeArrayFull);
        Assert.Equal("MCE: No CPU found valid MCE, need reset", XenConsole.NoCpuFoundValidMce);
    }
}
