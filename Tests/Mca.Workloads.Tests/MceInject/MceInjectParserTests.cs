using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Workloads.MceInject;

namespace Mca.Workloads.Tests.MceInject;

public class MceInjectParserTests
{
    private static MceRecord Single(string text)
    {
        IReadOnlyList<MceRecord> records = MceInjectParser.Parse(text, "t.mce");
        Assert.Single(records);
        return records[0];
    }

    [Theory]
    // mce-inject mce.lex: the STATUS symbols and what each ORs in.
    [InlineData("VAL", MciStatusBits.Val)]
    [InlineData("OVER", MciStatusBits.Over)]
    [InlineData("UC", MciStatusBits.Uc)]
    [InlineData("EN", MciStatusBits.En)]
    [InlineData("PCC", MciStatusBits.Pcc)]
    [InlineData("S", MciStatusBits.S)]
    [InlineData("AR", MciStatusBits.Ar)]
    [InlineData("TES_YELLOW", 1UL << 54)]
    [InlineData("CORRECTED", MciStatusBits.Val | MciStatusBits.En)]
    [InlineData("UNCORRECTED", MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En)]
    [InlineData("FATAL", MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En | MciStatusBits.Pcc)]
    [InlineData("UCNA", 0UL)]
    [InlineData("SRAO", MciStatusBits.S)]
    [InlineData("SRAR", MciStatusBits.S | MciStatusBits.Ar)]
    [InlineData("0x17a", 0x17AUL)]
    [InlineData("", 0UL)]
    public void Status_EachSymbol_OrsItsBits(string symbol, ulong expected)
    {
        Assert.Equal(expected, Single("CPU 0 STATUS " + symbol).Status);
    }

    [Theory]
    // mce-inject mce.lex; Linux asm/mce.h: the MCGSTATUS symbols.
    [InlineData("RIPV", 0x1UL)]
    [InlineData("EIPV", 0x2UL)]
    [InlineData("MCIP", 0x4UL)]
    [InlineData("LMCES", 0x8UL)]
    [InlineData("TES_P", 1UL << 11)]
    [InlineData("SEAM_NR", 1UL << 12)]
    [InlineData("0x5", 0x5UL)]
    [InlineData("", 0UL)]
    public void McgStatus_EachSymbol_OrsItsBits(string symbol, ulong expected)
    {
        Assert.Equal(expected, Single("CPU 0 MCGSTATUS " + symbol).McgStatus);
    }

    [Fact]
    public void Status_ListOfSymbolsAndNumbers_OrsAll()
    {
        MceRecord record = Single("CPU 0 STATUS UNCORRECTED SRAR 0x134 0x10000");
        Assert.Equal(0xB180000000010134UL, record.Status);
    }

    [Fact]
    public void Status_AfterAddrAndMisc_AssignsAndLosesValidBits()
    {
        // mce-inject mce.y: STATUS assigns, so a STATUS after ADDR loses ADDRV.
        MceRecord before = Single("CPU 0 STATUS VAL ADDR 0x1000 MISC 0x86");
        Assert.Equal(MciStatusBits.Val | MciStatusBits.AddrV | MciStatusBits.MiscV, before.Status);
        MceRecord after = Single("CPU 0 ADDR 0x1000 MISC 0x86 STATUS VAL");
        Assert.Equal(MciStatusBits.Val, after.Status);
        Assert.Equal(0x1000UL, after.Addr);
        Assert.Equal(0x86UL, after.Misc);
    }

    [Fact]
    public void AddrAndMisc_SetValidBits()
    {
        Assert.Equal(MciStatusBits.AddrV, Single("CPU 0 ADDR 0x180020").Status);
        Assert.Equal(MciStatusBits.MiscV, Single("CPU 0 MISC 0x86").Status);
    }

    [Fact]
    public void Fields_EveryNumericTerm_IsStored()
    {
        MceRecord record = Single(
            "CPU 3 BANK 9 TSC 0x1234 TIME 1700000000 SOCKETID 1 APICID 0x21 MCGCAP 0x1000c14 "
            + "ADDR 0x180020 MISC 0x86 PROCESSOR 0:0x50654 RIP 0x10:0xffffffff81000000");
        Assert.Equal(3, record.Cpu);
        Assert.Equal(9, record.Bank);
        Assert.Equal(0x1234UL, record.Tsc);
        Assert.Equal(1700000000UL, record.Time);
        Assert.Equal(1, record.SocketId);
        Assert.Equal(0x21, record.ApicId);
        Assert.Equal(0x1000C14UL, record.McgCap);
        Assert.Equal(0x180020UL, record.Addr);
        Assert.Equal(0x86UL, record.Misc);
        Assert.Equal((ushort)0x10, record.Cs);
        Assert.Equal(0xFFFFFFFF81000000UL, record.Ip);
        Assert.Equal(1, record.Line);
    }

    [Theory]
    [InlineData("RIP 12343434", 0, 12343434UL)]
    [InlineData("RIP 0x73:0x1eadbabe", 0x73, 0x1EADBABEUL)]
    [InlineData("RIP 0x10:<0xffffffff8100abcd>{do_machine_check}", 0x10, 0xFFFFFFFF8100ABCDUL)]
    [InlineData("RIP 16 : < 100 > { x }", 16, 100UL)]
    public void Rip_ThreeForms_SetCsAndIp(string term, int cs, ulong ip)
    {
        MceRecord record = Single("CPU 0 " + term);
        Assert.Equal((ushort)cs, record.Cs);
        Assert.Equal(ip, record.Ip);
    }

    [Theory]
    [InlineData("HOLD", InjectFlags.Hold)]
    [InlineData("NOBROADCAST", InjectFlags.NoBroadcast)]
    [InlineData("IRQBROADCAST", InjectFlags.IrqBroadcast)]
    [InlineData("NMIBROADCAST", InjectFlags.NmiBroadcast)]
    [InlineData("IN_IRQ", InjectFlags.InIrq)]
    [InlineData("IN_PROC", InjectFlags.InProc)]
    [InlineData("POLL", InjectFlags.Poll)]
    [InlineData("EXCP", InjectFlags.Excp)]
    [InlineData("HOLD NOBROADCAST IN_IRQ", InjectFlags.Hold | InjectFlags.NoBroadcast | InjectFlags.InIrq)]
    // mce.y: the context and the raise mode are single fields, so the last keyword wins.
    [InlineData("IN_IRQ IN_PROC", InjectFlags.InProc)]
    [InlineData("IN_PROC IN_IRQ", InjectFlags.InIrq)]
    [InlineData("POLL EXCP", InjectFlags.Excp)]
    [InlineData("EXCP POLL", InjectFlags.Poll)]
    public void Flags_EachKeyword_SetsItsFlag(string flags, InjectFlags expected)
    {
        Assert.Equal(expected, Single("CPU 0 STATUS UC " + flags).Flags);
    }

    [Fact]
    public void Flags_PerRecord_StartCleared()
    {
        IReadOnlyList<MceRecord> records = MceInjectParser.Parse("CPU 0 HOLD POLL\nCPU 1 STATUS UC", "t");
        Assert.Equal(InjectFlags.Hold | InjectFlags.Poll, records[0].Flags);
        Assert.Equal(InjectFlags.None, records[1].Flags);
    }

    [Theory]
    [InlineData("cpu 0 bank 2 status uncorrected srao 0x17a mcgstatus ripv mcip")]
    [InlineData("Cpu 0 Bank 2 Status Uncorrected Srao 0x17A McgStatus Ripv Mcip")]
    [InlineData("CPU 0 BANK 2 STATUS UNCORRECTED SRAO 0X17A MCGSTATUS RIPV MCIP")]
    public void Keywords_AnyCase_ParseAlike(string text)
    {
        MceRecord record = Single(text);
        Assert.Equal(2, record.Bank);
        Assert.Equal(0xB10000000000017AUL, record.Status);
        Assert.Equal(0x5UL, record.McgStatus);
    }

    [Theory]
    // mce-inject mce.lex: C hex, octal and decimal; "RIP 12343434" is decimal.
    [InlineData("12343434", 12343434UL)]
    [InlineData("0x0", 0UL)]
    [InlineData("0", 0UL)]
    [InlineData("017", 15UL)]
    [InlineData("0xDeadBeef", 0xDEADBEEFUL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    [InlineData("0xffffffffffffffff", ulong.MaxValue)]
    [InlineData("01777777777777777777777", ulong.MaxValue)]
    public void Numbers_CForms_ParseToValue(string number, ulong expected)
    {
        Assert.Equal(expected, Single("CPU 0 TSC " + number).Tsc);
    }

    [Fact]
    public void Start_CpuWithBank_SetsBoth()
    {
        MceRecord record = Single("CPU 2 7 STATUS 0");
        Assert.Equal(2, record.Cpu);
        Assert.Equal(7, record.Bank);
    }

    [Fact]
    public void Start_Mce_ZeroesEverything()
    {
        MceRecord record = Single("MCE NOBROADCAST");
        Assert.Equal(new MceRecord { Flags = InjectFlags.NoBroadcast, Line = 1, Column = 1 }, record);
    }

    [Fact]
    public void Start_KernelPanicForm_SetsCpuMcgBankStatus()
    {
        // mce-inject mce.y: "CPU n: MACHINE CHECK EXCEPTION: mcg BANK b: status".
        MceRecord record = Single("CPU 1: Machine Check Exception: 0x5 Bank 8: 0xbd000000004000cf\nADDR 0x180020 MISC 0x86");
        Assert.Equal(1, record.Cpu);
        Assert.Equal(0x5UL, record.McgStatus);
        Assert.Equal(8, record.Bank);
        Assert.Equal(0xBD000000004000CFUL | MciStatusBits.AddrV | MciStatusBits.MiscV, record.Status);
    }

    [Fact]
    public void Records_EachCpuOrMce_StartsANewZeroedRecordWithItsLine()
    {
        const string text = "# two records\nCPU 0 BANK 1\nSTATUS UC\n\n  MCE\n  BANK 4 # comment\nCPU 5 TSC 1";
        IReadOnlyList<MceRecord> records = MceInjectParser.Parse(text, "t");
        Assert.Equal(3, records.Count);
        Assert.Equal(new MceRecord { Bank = 1, Status = MciStatusBits.Uc, Line = 2, Column = 1, StatusLine = 3, StatusColumn = 1 }, records[0]);
        Assert.Equal(new MceRecord { Bank = 4, Line = 5, Column = 3 }, records[1]);
        Assert.Equal(new MceRecord { Cpu = 5, Tsc = 1, Line = 7, Column = 1 }, records[2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\t\n")]
    [InlineData("# only a comment")]
    [InlineData("\uFEFF# byte-order mark and a comment\n")]
    public void Parse_NoRecords_ReturnsEmpty(string text)
    {
        Assert.Empty(MceInjectParser.Parse(text, "t"));
    }

    [Fact]
    public void Parse_CrLfLineEnds_CountLinesAndParse()
    {
        IReadOnlyList<MceRecord> records = MceInjectParser.Parse("CPU 0\r\nSTATUS UC\r\nCPU 1\r\nSTATUS EN\r\n", "t");
        Assert.Equal(2, records.Count);
        Assert.Equal(3, records[1].Line);
    }
}
