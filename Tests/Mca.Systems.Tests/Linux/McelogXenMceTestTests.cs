using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>The xen-mceinj records (Xen xen-mceinj.c mce_table, 2010 b6982669e8) through mcelog, checked as Xen's mce-test does (Xen tools/tests/mce-test).</summary>
public class McelogXenMceTestTests
{
    /// <summary>Xen xen-mceinj.c mce_table, 2010 (b6982669e8) mapping: type, bank, MCG_STATUS, MCi_STATUS; MISC 0x86, ADDR 0x180020.</summary>
    private static McelogInput XenMceinj(int type) => type switch
    {
        0 => Record(8, 0x5, 0xBD000000004000CF),
        1 => Record(7, 0x5, 0xBD2000008000017A),
        2 => Record(9, 0x0, 0xBC20000080000136),
        3 => Record(1, 0x5, 0x9400000000000151),
        4 => Record(7, 0x5, 0xBF2000008000017A),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    private static McelogInput Record(int bank, ulong mcgStatus, ulong status) =>
        new(Cpu: 0, Bank: bank, Status: status, McgStatus: mcgStatus, Addr: 0x180020, Misc: 0x86,
            McgCap: 0x1000C0A, ApicId: 0, SocketId: 0, Tsc: 0, Time: 0, Ip: 0, Cs: 0);

    [Theory]
    // Xen mce-test mcelog_verify: the substring grepped per type.
    [InlineData(0, "MEMORY CONTROLLER MS_CHANNELunspecified_ERR")]
    [InlineData(1, "Generic CACHE Level-2 Eviction Error")]
    [InlineData(2, "Data CACHE Level-2 Data-Read Error")]
    public void FormatDevice_MceTestTypes_ContainTheGreppedString(int type, string grepped)
    {
        string log = Mcelog.FormatDevice([XenMceinj(type)], McelogOptions.Default);
        Assert.Contains(grepped, log, StringComparison.Ordinal);
        Assert.StartsWith("Hardware event. This is not a software error.\nMCE 0\nCPU 0 BANK ", log, StringComparison.Ordinal);
    }

    [Theory]
    // mcelog p4.c / Xen mce-test mcelog_verify: mcelog since 2021 prints LL+1, so the old grep strings fail.
    [InlineData(1, "Generic CACHE Level-2 Eviction Error", "Generic CACHE Level-3 Eviction Error")]
    [InlineData(2, "Data CACHE Level-2 Data-Read Error", "Data CACHE Level-3 Data-Read Error")]
    public void Format_ModernStyle_NoLongerMatchesMceTestStrings(int type, string classic, string modern)
    {
        string log = Mcelog.Format(XenMceinj(type), McelogOptions.For(McelogLevelStyle.Modern));
        Assert.DoesNotContain(classic, log, StringComparison.Ordinal);
        Assert.Contains(modern, log, StringComparison.Ordinal);
    }

    [Theory]
    // xen-mceinj.c mce_table decoded by the SDM (vol. 3B 15.3.2.2, 15.9): set bits, MCACOD class and grade, as mcelog states them.
    [InlineData(0, "Uncorrected error\nError enabled\nMCi_MISC register valid\nMCi_ADDR register valid\nSRAO\n",
        "MEMORY CONTROLLER MS_CHANNELunspecified_ERR\nTransaction: Memory scrubbing error\n")]
    [InlineData(1, "Uncorrected error\nError enabled\nMCi_MISC register valid\nMCi_ADDR register valid\nSRAO\n",
        "Generic CACHE Level-2 Eviction Error\n")]
    // UCNA: S = 0 and AR = 0, so mcelog prints no state line at all; bit 53 is ignored for UC.
    [InlineData(2, "Uncorrected error\nError enabled\nMCi_MISC register valid\nMCi_ADDR register valid\n",
        "Data CACHE Level-2 Data-Read Error\n")]
    // CE with MISCV = 0: no MISC line, no UC line.
    [InlineData(3, "Corrected error\nError enabled\nMCi_ADDR register valid\n",
        "Instruction CACHE Level-1 Instruction-Fetch Error\n")]
    // Fatal: PCC and, after it, the S state (mcelog before 7aa8179, as mce-test ran it).
    [InlineData(4, "Uncorrected error\nError enabled\nMCi_MISC register valid\nMCi_ADDR register valid\nProcessor context corrupt\nSRAO\n",
        "Generic CACHE Level-2 Eviction Error\n")]
    public void Format_XenMceinjTable_DecodesAsReference(int type, string mciLines, string mcaLines)
    {
        string log = Mcelog.Format(XenMceinj(type), McelogOptions.For(McelogLevelStyle.Classic, McelogStatusStyle.Classic));
        Assert.Contains("MCi status:\n" + mciLines + "MCA: " + mcaLines + "STATUS ", log, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_XenMceinjFatalType_CurrentStatusDropsSrao()
    {
        // mcelog p4.c decode_mci 7aa8179: "if (PCC) ... else if (S|AR)": type 4 has PCC and S, so no SRAO line.
        string log = Mcelog.Format(XenMceinj(4));
        Assert.Contains("MCi_ADDR register valid\nProcessor context corrupt\nMCA: Generic CACHE Level-2 Eviction Error\n", log, StringComparison.Ordinal);
        Assert.DoesNotContain("SRAO", log, StringComparison.Ordinal);
    }

    [Theory]
    // MCG_STATUS 0x5 = RIPV|MCIP (EIPV = 0); CMCI record has MCG_STATUS 0.
    [InlineData(0, "MCG status:RIPV MCIP \n")]
    [InlineData(2, "MCG status:\n")]
    public void Format_XenMceinjTable_McgStatus(int type, string line)
    {
        Assert.Contains(line, Mcelog.Format(XenMceinj(type)), StringComparison.Ordinal);
    }

    [Theory]
    // The address lines: MISCV/ADDRV set -> both; type 3 has no MISCV, so MISC is not printed.
    [InlineData(0, "\nMISC 86 ADDR 180020 \n")]
    [InlineData(3, "\nADDR 180020 \n")]
    public void Format_XenMceinjTable_AddressLine(int type, string line)
    {
        Assert.Contains(line, Mcelog.Format(XenMceinj(type)), StringComparison.Ordinal);
    }
}
