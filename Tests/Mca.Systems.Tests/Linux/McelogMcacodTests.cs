using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>MCACOD classes (Intel SDM vol. 3B 15.9) as mcelog words them (mcelog p4.c).</summary>
public class McelogMcacodTests
{
    [Theory]
    // Simple codes (Intel SDM vol. 3B 15.9.1).
    [InlineData(0x0000, "No Error")]
    [InlineData(0x0001, "Unclassified")]
    [InlineData(0x0002, "Microcode ROM parity error")]
    [InlineData(0x0003, "External error")]
    [InlineData(0x0004, "FRC error")]
    [InlineData(0x0005, "Internal parity error")]
    [InlineData(0x0006, "SMM Handler Code Access Violation")]
    [InlineData(0x0400, "Internal Timer error")]
    [InlineData(0x0401, "Internal unclassified error: 401")]
    [InlineData(0x07FF, "Internal unclassified error: 7ff")]
    [InlineData(0x0007, "Unknown Error 7")]
    [InlineData(0x0020, "Unknown Error 20")]
    [InlineData(0x0200, "Unknown Error 200")]
    [InlineData(0x2000, "Unknown Error 2000")]
    // Generic memory hierarchy 0000 0000 0000 11LL.
    [InlineData(0x000C, "Level-0 Generic cache hierarchy error")]
    [InlineData(0x000E, "Level-2 Generic cache hierarchy error")]
    [InlineData(0x000F, "Level-3 Generic cache hierarchy error")]
    // TLB 0000 0000 0001 TTLL.
    [InlineData(0x0010, "Instruction TLB Level-0 Error")]
    [InlineData(0x0015, "Data TLB Level-1 Error")]
    [InlineData(0x001A, "Generic TLB Level-2 Error")]
    [InlineData(0x001F, "Unknown TLB Level-3 Error")]
    // Cache 0000 0001 RRRR TTLL, every request type.
    [InlineData(0x0100, "Instruction CACHE Level-0 Generic Error")]
    [InlineData(0x0115, "Data CACHE Level-1 Read Error")]
    [InlineData(0x0129, "Generic CACHE Level-1 Write Error")]
    [InlineData(0x0134, "Data CACHE Level-0 Data-Read Error")]
    [InlineData(0x0136, "Data CACHE Level-2 Data-Read Error")]
    [InlineData(0x0145, "Data CACHE Level-1 Data-Write Error")]
    [InlineData(0x0150, "Instruction CACHE Level-0 Instruction-Fetch Error")]
    [InlineData(0x0151, "Instruction CACHE Level-1 Instruction-Fetch Error")]
    [InlineData(0x0166, "Data CACHE Level-2 Prefetch Error")]
    [InlineData(0x017A, "Generic CACHE Level-2 Eviction Error")]
    [InlineData(0x018B, "Generic CACHE Level-3 Snoop Error")]
    [InlineData(0x0190, "Instruction CACHE Level-0 UNKNOWN Error")]
    [InlineData(0x01FC, "Unknown CACHE Level-0 UNKNOWN Error")]
    // Bus 0000 1PPT RRRR IILL.
    [InlineData(0x0800, "BUS error: -1 -1 Level-0 Local-CPU-originated-request Generic Memory-access Request-did-not-timeout")]
    [InlineData(0x0B15, "BUS error: -1 -1 Level-1 Responed-to-request Read Reserved Request-timed-out")]
    [InlineData(0x0C2A, "BUS error: -1 -1 Level-2 Observed-error-as-third-party Write IO Request-did-not-timeout")]
    [InlineData(0x0E0B, "BUS error: -1 -1 Level-3 Generic Generic IO Request-did-not-timeout")]
    [InlineData(0x0F9F, "BUS error: -1 -1 Level-3 Generic UNKNOWN Other-transaction Request-timed-out")]
    // Memory controller 0000 0000 1MMM CCCC: each MMM, channel 0, 14 and unspecified.
    [InlineData(0x0080, "MEMORY CONTROLLER GEN_CHANNEL0_ERR\nTransaction: Generic undefined request")]
    [InlineData(0x008F, "MEMORY CONTROLLER GEN_CHANNELunspecified_ERR\nTransaction: Generic undefined request")]
    [InlineData(0x0090, "MEMORY CONTROLLER RD_CHANNEL0_ERR\nTransaction: Memory read error")]
    [InlineData(0x009F, "MEMORY CONTROLLER RD_CHANNELunspecified_ERR\nTransaction: Memory read error")]
    [InlineData(0x00A0, "MEMORY CONTROLLER WR_CHANNEL0_ERR\nTransaction: Memory write error")]
    [InlineData(0x00AF, "MEMORY CONTROLLER WR_CHANNELunspecified_ERR\nTransaction: Memory write error")]
    [InlineData(0x00B0, "MEMORY CONTROLLER AC_CHANNEL0_ERR\nTransaction: Address/Command error")]
    [InlineData(0x00BF, "MEMORY CONTROLLER AC_CHANNELunspecified_ERR\nTransaction: Address/Command error")]
    [InlineData(0x00C0, "MEMORY CONTROLLER MS_CHANNEL0_ERR\nTransaction: Memory scrubbing error")]
    [InlineData(0x00CE, "MEMORY CONTROLLER MS_CHANNEL14_ERR\nTransaction: Memory scrubbing error")]
    [InlineData(0x00CF, "MEMORY CONTROLLER MS_CHANNELunspecified_ERR\nTransaction: Memory scrubbing error")]
    [InlineData(0x00D0, "MEMORY CONTROLLER RES5_CHANNEL0_ERR\nTransaction: Reserved 5")]
    [InlineData(0x00EF, "MEMORY CONTROLLER RES6_CHANNELunspecified_ERR\nTransaction: Reserved 6")]
    [InlineData(0x00F3, "MEMORY CONTROLLER RES7_CHANNEL3_ERR\nTransaction: Reserved 7")]
    // Memory used as cache 0000 0010 1MMM CCCC (mcelog p4.c).
    [InlineData(0x02C1, "Memory as cache: MEMORY CONTROLLER MS_CHANNEL1_ERR\nTransaction: Memory scrubbing error")]
    // Filter bit 12 is reported, then masked before classification.
    [InlineData(0x1000, "corrected filtering (some unreported errors in same region)\nNo Error")]
    [InlineData(0x1136, "corrected filtering (some unreported errors in same region)\nData CACHE Level-2 Data-Read Error")]
    [InlineData(0x10CF, "corrected filtering (some unreported errors in same region)\nMEMORY CONTROLLER MS_CHANNELunspecified_ERR\nTransaction: Memory scrubbing error")]
    [InlineData(0x110A, "corrected filtering (some unreported errors in same region)\nGeneric CACHE Level-2 Generic Error")]
    public void DecodeMcacod_Classic_MatchesMcelogWording(int mcacod, string expected)
    {
        Assert.Equal(expected, Mcelog.DecodeMcacod(mcacod, McelogLevelStyle.Classic));
        Assert.Equal(expected, Mcelog.DecodeMcacod(mcacod));
    }

    [Theory]
    // mcelog p4.c: since 2021 only cache levels move to LL+1; LL = 11 has no name then.
    [InlineData(0x0134, "Data CACHE Level-1 Data-Read Error")]
    [InlineData(0x0136, "Data CACHE Level-3 Data-Read Error")]
    [InlineData(0x0150, "Instruction CACHE Level-1 Instruction-Fetch Error")]
    [InlineData(0x017A, "Generic CACHE Level-3 Eviction Error")]
    [InlineData(0x018B, "Generic CACHE UNKNOWN Snoop Error")]
    [InlineData(0x000E, "Level-2 Generic cache hierarchy error")]
    [InlineData(0x0015, "Data TLB Level-1 Error")]
    [InlineData(0x0C2A, "BUS error: -1 -1 Level-2 Observed-error-as-third-party Write IO Request-did-not-timeout")]
    [InlineData(0x00CF, "MEMORY CONTROLLER MS_CHANNELunspecified_ERR\nTransaction: Memory scrubbing error")]
    public void DecodeMcacod_Modern_MovesOnlyCacheLevels(int mcacod, string expected)
    {
        Assert.Equal(expected, Mcelog.DecodeMcacod(mcacod, McelogLevelStyle.Modern));
    }

    [Fact]
    public void DecodeMcacod_BusWithSocketAndCpu_PrintsThem()
    {
        Assert.Equal(
            "BUS error: 1 12 Level-3 Generic Generic IO Request-did-not-timeout",
            Mcelog.DecodeMcacod(0x0E0B, McelogLevelStyle.Classic, 1, 12));
    }

    [Fact]
    public void DecodeMcacod_EveryCode_IsOneOrMoreNonEmptyLines()
    {
        for (int code = 0; code <= 0xFFFF; code++)
        {
            foreach (McelogLevelStyle style in new[] { McelogLevelStyle.Classic, McelogLevelStyle.Modern })
            {
                string text = Mcelog.DecodeMcacod(code, style);
                Assert.DoesNotContain(string.Empty, text.Split('\n'));
            }
        }
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(0x10000)]
    public void DecodeMcacod_OutOfRange_Throws(int mcacod)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcelog.DecodeMcacod(mcacod));
    }

    [Fact]
    public void DecodeMcacod_UndefinedStyle_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Mcelog.DecodeMcacod(0x17A, (McelogLevelStyle)7));
    }
}
