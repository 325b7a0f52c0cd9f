using Mca.Systems.Hardware;
using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

public class McelogFormatTests
{
    private const ulong SerMcgCap = McgCapBits.SerP | McgCapBits.CmciP | McgCapBits.TesP | 0x14;

    /// <summary>The "MCi status:" block of a formatted record, up to (not including) its "MCA: " line.</summary>
    private static string MciLines(ulong status, ulong mcgCap = SerMcgCap, McelogStatusStyle statusStyle = McelogStatusStyle.Current)
    {
        var options = McelogOptions.For(McelogLevelStyle.Classic, statusStyle);
        string text = Mcelog.Format(new McelogInput(0, 1, status, 0, 0, 0, mcgCap, 0, 0, 0, 0, 0, 0), options);
        int start = text.IndexOf("MCi status:\n", StringComparison.Ordinal) + "MCi status:\n".Length;
        int end = text.IndexOf("MCA: ", StringComparison.Ordinal);
        return text[start..end];
    }

    [Theory]
    // mcelog p4.c decode_mci: one line per applicable bit, in mcelog's order.
    [InlineData(0x0UL, "Machine check not valid\nCorrected error\n")]
    [InlineData(0x8000000000000000UL, "Corrected error\n")]
    [InlineData(0xC000000000000000UL, "Error overflow\nCorrected error\n")]
    [InlineData(0xA000000000000000UL, "Uncorrected error\n")]
    [InlineData(0x9000000000000000UL, "Corrected error\nError enabled\n")]
    [InlineData(0x8800000000000000UL, "Corrected error\nMCi_MISC register valid\n")]
    [InlineData(0x8400000000000000UL, "Corrected error\nMCi_ADDR register valid\n")]
    [InlineData(0x2000000000000000UL, "Machine check not valid\nUncorrected error\n")]
    [InlineData(0xFE00000000000000UL, "Error overflow\nUncorrected error\nError enabled\nMCi_MISC register valid\nMCi_ADDR register valid\nProcessor context corrupt\n")]
    // UCNA/AR/SRAO/SRAR indexed by bits 56:55; printed only when S or AR is set, so "UCNA" never prints.
    [InlineData(0xA000000000000000UL | MciStatusBits.S, "Uncorrected error\nSRAO\n")]
    [InlineData(0xA000000000000000UL | MciStatusBits.Ar, "Uncorrected error\nAR\n")]
    [InlineData(0xA000000000000000UL | MciStatusBits.S | MciStatusBits.Ar, "Uncorrected error\nSRAR\n")]
    // Threshold status (bits 54:53) for corrected errors with TES_P.
    [InlineData(0x8000000000000000UL | (1UL << 53), "Corrected error\nThreshold based error status: green\n")]
    [InlineData(0x8000000000000000UL | (2UL << 53), "Corrected error\nThreshold based error status: yellow\nLarge number of corrected cache errors. System operating, but might lead\nto uncorrected errors soon\n")]
    [InlineData(0x8000000000000000UL | (3UL << 53), "Corrected error\nThreshold based error status: res3\n")]
    [InlineData(0xA000000000000000UL | (1UL << 53), "Uncorrected error\n")]
    // FWST (bit 37) with SER.
    [InlineData(0xA000000000000000UL | (1UL << 37), "Uncorrected error\nFirmware may have updated this error\n")]
    public void Format_MciStatusBits_PrintTheirLines(ulong status, string expected)
    {
        Assert.Equal(expected, MciLines(status));
    }

    [Theory]
    // mcelog before 7aa8179: "Processor context corrupt" comes first; mcelog still prints the S/AR state after it.
    [InlineData(0xA000000000000000UL | MciStatusBits.Pcc | MciStatusBits.S, "Uncorrected error\nProcessor context corrupt\nSRAO\n")]
    [InlineData(0xA000000000000000UL | MciStatusBits.Pcc | MciStatusBits.S | MciStatusBits.Ar, "Uncorrected error\nProcessor context corrupt\nSRAR\n")]
    public void Format_PccWithStateClassicStatus_PrintsBoth(ulong status, string expected)
    {
        Assert.Equal(expected, MciLines(status, statusStyle: McelogStatusStyle.Classic));
    }

    [Theory]
    // mcelog p4.c decode_mci 7aa8179 (2025-04-30): "if (PCC) ... else if (S|AR)", so PCC hides the state line.
    [InlineData(0xA000000000000000UL | MciStatusBits.Pcc | MciStatusBits.S)]
    [InlineData(0xA000000000000000UL | MciStatusBits.Pcc | MciStatusBits.S | MciStatusBits.Ar)]
    [InlineData(0xA000000000000000UL | MciStatusBits.Pcc | MciStatusBits.Ar)]
    public void Format_PccWithStateCurrentStatus_PrintsOnlyPcc(ulong status)
    {
        Assert.Equal("Uncorrected error\nProcessor context corrupt\n", MciLines(status));
    }

    [Fact]
    public void Format_DefaultOptions_AreClassicLevelsAndCurrentStatus()
    {
        var rec = new McelogInput(0, 7, 0xBF2000008000017A, 0x5, 0x180020, 0x86, SerMcgCap, 0, 0, 0, 0, 0, 0);
        Assert.Equal(McelogStatusStyle.Current, McelogOptions.Default.StatusStyle);
        Assert.Equal(McelogLevelStyle.Classic, McelogOptions.Default.LevelStyle);
        Assert.Equal(Mcelog.Format(rec, McelogOptions.For(McelogLevelStyle.Classic, McelogStatusStyle.Current)), Mcelog.Format(rec));
        Assert.Equal(Mcelog.Format(rec, McelogOptions.For(McelogLevelStyle.Classic)), Mcelog.Format(rec));
    }

    [Theory]
    // Without PCC, or without S and AR, both styles print the same lines.
    [InlineData(0xBD000000004000CFUL)]
    [InlineData(0xBD80000000000134UL)]
    [InlineData(0xB200000000000400UL)]
    [InlineData(0x9400000000000151UL)]
    public void Format_NoPccWithState_StatusStylesAgree(ulong status)
    {
        Assert.Equal(MciLines(status, statusStyle: McelogStatusStyle.Classic), MciLines(status));
    }

    [Fact]
    public void Format_UnknownStatusStyle_Throws()
    {
        var rec = new McelogInput(0, 1, 0x8000000000000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcelog.Format(rec, McelogOptions.Default with { StatusStyle = (McelogStatusStyle)7 }));
    }

    [Fact]
    public void Format_ThresholdWithoutTesP_IsOnlyPrintedWhenMcgCapIsZero()
    {
        const ulong green = 0x8000000000000000UL | (1UL << 53);
        Assert.Equal("Corrected error\nThreshold based error status: green\n", MciLines(green, 0));
        Assert.Equal("Corrected error\n", MciLines(green, McgCapBits.SerP | 0x14));
    }

    [Fact]
    public void Format_FwstWithoutSer_PrintsNothing()
    {
        Assert.Equal("Uncorrected error\n", MciLines(0xA000000000000000UL | (1UL << 37), McgCapBits.TesP));
    }

    [Theory]
    [InlineData(0x0UL, "MCG status:\n")]
    [InlineData(0x5UL, "MCG status:RIPV MCIP \n")]
    [InlineData(0x7UL, "MCG status:RIPV EIPV MCIP \n")]
    [InlineData(0xFUL, "MCG status:RIPV EIPV MCIP LMCE \n")]
    public void Format_McgStatus_ListsSetBits(ulong mcgStatus, string expected)
    {
        string text = Mcelog.Format(new McelogInput(0, 1, 0x8000000000000000, mcgStatus, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        Assert.Contains("\n" + expected + "MCi status:\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_SraoMemoryScrub_MatchesGolden()
    {
        var rec = new McelogInput(
            Cpu: 0, Bank: 8, Status: 0xBD000000004000CF, McgStatus: 0x5, Addr: 0x180020, Misc: 0x86,
            McgCap: 0x1000C14, ApicId: 0, SocketId: 0, Tsc: 0x2E11AFF65EEA, Time: 1598967234, Ip: 0, Cs: 0);
        const string expected =
            "CPU 0 BANK 8 TSC 2e11aff65eea \n"
            + "MISC 86 ADDR 180020 \n"
            + "TIME 1598967234\n"
            + "MCG status:RIPV MCIP \n"
            + "MCi status:\n"
            + "Uncorrected error\n"
            + "Error enabled\n"
            + "MCi_MISC register valid\n"
            + "MCi_ADDR register valid\n"
            + "SRAO\n"
            + "MCA: MEMORY CONTROLLER MS_CHANNELunspecified_ERR\n"
            + "Transaction: Memory scrubbing error\n"
            + "STATUS bd000000004000cf MCGSTATUS 5\n"
            + "MCGCAP 1000c14 APICID 0 SOCKETID 0 \n"
            + "CPUID Vendor Intel Family 6 Model 85 Step 4\n";
        Assert.Equal(expected, Mcelog.Format(rec, new McelogOptions(McelogLevelStyle.Classic, 0, 0x50654)));
    }

    [Fact]
    public void Format_SrarDataLoadWithInexactRip_MatchesGolden()
    {
        var rec = new McelogInput(
            Cpu: 3, Bank: 1, Status: 0xBD80000000100134, McgStatus: 0x5, Addr: 0x7F5A1000, Misc: 0x8C,
            McgCap: 0, ApicId: 0x21, SocketId: 1, Tsc: 0, Time: 0, Ip: 0x7F5A2B3C, Cs: 0x33);
        const string expected =
            "CPU 3 BANK 1 \n"
            + "RIP !INEXACT! 33:7f5a2b3c\n"
            + "MISC 8c ADDR 7f5a1000 \n"
            + "MCG status:RIPV MCIP \n"
            + "MCi status:\n"
            + "Uncorrected error\n"
            + "Error enabled\n"
            + "MCi_MISC register valid\n"
            + "MCi_ADDR register valid\n"
            + "SRAR\n"
            + "MCA: Data CACHE Level-1 Data-Read Error\n"
            + "STATUS bd80000000100134 MCGSTATUS 5\n"
            + "APICID 21 SOCKETID 1 \n";
        Assert.Equal(expected, Mcelog.Format(rec, McelogOptions.For(McelogLevelStyle.Modern)));
    }

    [Fact]
    public void Format_RipWithEipv_IsExactAndCsPadded()
    {
        string text = Mcelog.Format(new McelogInput(0, 1, 0x8000000000000000, 0x7, 0, 0, 0, 0, 0, 0, 0, 0xFFFFFFFF81000000, 0x10));
        Assert.Contains("\nRIP 10:ffffffff81000000\n", text, StringComparison.Ordinal);
        string low = Mcelog.Format(new McelogInput(0, 1, 0x8000000000000000, 0x7, 0, 0, 0, 0, 0, 0, 0, 0x1000, 0x3));
        Assert.Contains("\nRIP 03:1000\n", low, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_IoMca_PrintsRootPort()
    {
        // mcelog input/iomca: STATUS 0x9c00000000000e0b with MISCV; MISC names segment 0, bus 0x80, dev 3, fn 0.
        ulong misc = (0UL << 32) | (0x80UL << 24) | (3UL << 19) | (0UL << 16);
        string text = Mcelog.Format(new McelogInput(2, 4, 0x9C00000000000E0B, 0, 0, misc, 0, 0, 1, 0, 0, 0, 0));
        Assert.Contains(
            "MCA: BUS error: 1 2 Level-3 Generic Generic IO Request-did-not-timeout\nIO MCA reported by root port 0:80:03.0\n",
            text,
            StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ThermalBankCase.Hot, "Processor 5 heated above trip temperature. Throttling enabled.\nPlease check your system cooling. Performance will be impacted\n")]
    [InlineData(ThermalBankCase.Cool, "Processor 5 below trip temperature. Throttling disabled\n")]
    public void Format_ThermalBank_DecodesThermalInsteadOfMca(ThermalBankCase @case, string lines)
    {
        ulong status = @case == ThermalBankCase.Hot ? 1UL : 0UL;
        string text = Mcelog.Format(new McelogInput(5, Mcelog.ThermalBank, status, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
        Assert.Equal(
            "CPU 5 THERMAL EVENT \n" + lines + "STATUS " + status + " MCGSTATUS 0\nAPICID 0 SOCKETID 0 \n",
            text);
    }

    public enum ThermalBankCase
    {
        Hot,
        Cool,
    }

    [Theory]
    [InlineData(0, "BANK 0")]
    [InlineData(127, "BANK 127")]
    [InlineData(128, "THERMAL EVENT")]
    [InlineData(129, "Undecoded extended event 81")]
    [InlineData(218, "Timeout waiting for exception on other CPUs")]
    [InlineData(255, "ACPI/APEI reported error")]
    public void BankName_SoftwareBanks_HaveExtendedNames(int bank, string expected)
    {
        Assert.Equal(expected, Mcelog.BankName(bank));
    }

    [Theory]
    [InlineData(0x000306F2u, 0, "CPUID Vendor Intel Family 6 Model 63 Step 2")]
    [InlineData(0x00A20F10u, 2, "CPUID Vendor AMD Family 25 Model 1 Step 0")]
    [InlineData(0x00000F41u, 9, "CPUID Vendor Unknown vendor Family 15 Model 4 Step 1")]
    public void Format_CpuId_DecodesFamilyModelStep(uint cpuid, byte vendor, string expected)
    {
        string text = Mcelog.Format(
            new McelogInput(0, 1, 0x8000000000000000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0),
            new McelogOptions(McelogLevelStyle.Classic, vendor, cpuid));
        Assert.EndsWith("\n" + expected + "\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatDump_PrintsDisclaimerOnceBeforeAllRecords()
    {
        var a = new McelogInput(0, 1, 0x9000000000000151, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        var b = new McelogInput(1, 2, 0x9000000000000151, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        string dump = Mcelog.FormatDump([a, b], McelogOptions.Default);
        Assert.Equal(Mcelog.Header() + Mcelog.Format(a) + Mcelog.Format(b), dump);
        Assert.Equal("Hardware event. This is not a software error.\n", Mcelog.Header());
        Assert.Equal(string.Empty, Mcelog.FormatDump([], McelogOptions.Default));
    }

    [Fact]
    public void FormatDevice_PrintsDisclaimerAndIndexPerRecord()
    {
        var a = new McelogInput(0, 1, 0x9000000000000151, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        var b = new McelogInput(1, 2, 0x9000000000000151, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        string dump = Mcelog.FormatDevice([a, b], McelogOptions.Default);
        Assert.Equal(Mcelog.Header() + "MCE 0\n" + Mcelog.Format(a) + Mcelog.Header() + "MCE 1\n" + Mcelog.Format(b), dump);
    }

    [Fact]
    public void Format_Deterministic_NoWallClockInTime()
    {
        // Deviation pinned: TIME prints the simulated seconds only; zero TIME and TSC print nothing.
        var rec = new McelogInput(0, 1, 0x8000000000000000, 0, 0, 0, 0, 0, 0, 0, 86400, 0, 0);
        Assert.Contains("\nTIME 86400\nMCG status:", Mcelog.Format(rec), StringComparison.Ordinal);
        string zero = Mcelog.Format(rec with { Time = 0 });
        Assert.DoesNotContain("TIME", zero, StringComparison.Ordinal);
        Assert.StartsWith("CPU 0 BANK 1 \nMCG status:", zero, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 0, 0, 0)]
    [InlineData(0, -1, 0, 0)]
    [InlineData(0, 256, 0, 0)]
    [InlineData(0, 0, -1, 0)]
    [InlineData(0, 0, 0, -1)]
    public void Format_OutOfRangeFields_Throw(int cpu, int bank, int apicId, int socketId)
    {
        var rec = new McelogInput(cpu, bank, 0, 0, 0, 0, 0, apicId, socketId, 0, 0, 0, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcelog.Format(rec));
    }
}
