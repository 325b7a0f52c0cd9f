using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Workloads.MceInject;

namespace Mca.Workloads.Tests.MceInject;

/// <summary>
/// The sample files of andikleen/mce-inject test/, re-typed. test/corrected is listed
/// in the reference but was not in the stored repository, so it is not covered.
/// </summary>
public class MceInjectSampleTests
{
    [Fact]
    public void CorrectedYellow_ParsesAsCorrectedWithYellowThreshold()
    {
        const string text =
            "# Log corrected errors with yellow status (corrected errors above the predefined threshold).\n"
            + "CPU 0 BANK 3\n"
            + "MCGSTATUS TES_P\n"
            + "STATUS CORRECTED TES_YELLOW\n";
        MceRecord record = Assert.Single(MceInjectParser.Parse(text, "corrected-yellow"));
        Assert.Equal(
            new MceRecord
            {
                Cpu = 0,
                Bank = 3,
                McgStatus = McgStatusBits.TesP,
                Status = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.ThresholdYellow,
                Line = 2,
                Column = 1,
                StatusLine = 4,
                StatusColumn = 1,
            },
            record);
        Assert.Equal(0x9040000000000000UL, record.Status);
    }

    [Fact]
    public void Fatal_ParsesAsFatalWithDecimalRip()
    {
        const string text = "# WARNING\n# this will panic your machine!\n# don't try casually\nCPU 0\nSTATUS fatal\nRIP 12343434\n\n";
        MceRecord record = Assert.Single(MceInjectParser.Parse(text, "fatal"));
        Assert.Equal(
            new MceRecord { Status = 0xB200000000000000UL, Ip = 12343434, Line = 4, Column = 1, StatusLine = 5, StatusColumn = 1 },
            record);
    }

    [Fact]
    public void Uncorrected_EipvInStatusList_IsRejectedAsMceInjectDoes()
    {
        // The stored test/uncorrected puts EIPV (an MCG_STATUS bit) in a STATUS list; mce.y's status
        // rule has no EIPV, so the real tool stops with a syntax error there too.
        const string text = "# this should just kill the process\nCPU 0 BANK 1\nSTATUS uncorrected EIPV\nADDR 0x1234\nRIP 0xdeadbabe\n";
        ScenarioException error = Assert.Throws<ScenarioException>(() => MceInjectParser.Parse(text, "uncorrected"));
        Assert.Equal("uncorrected:3:20: expected a STATUS bit (EIPV belongs in MCGSTATUS), found 'EIPV'", error.Message);
    }

    [Fact]
    public void Uncorrected_OlderVersionWithoutEipv_Parses()
    {
        // The earlier test/uncorrected, as quoted on linux-kernel: no EIPV.
        const string text = "# this should just kill the process\nCPU 0 BANK 1\nSTATUS UNCORRECTED\nADDR 0x1234\n";
        MceRecord record = Assert.Single(MceInjectParser.Parse(text, "uncorrected"));
        Assert.Equal(
            new MceRecord { Bank = 1, Status = 0xB400000000000000UL, Addr = 0x1234, Line = 2, Column = 1, StatusLine = 3, StatusColumn = 1 },
            record);
    }

    [Fact]
    public void UncorrectedSeamNr_ParsesAllMcgBitsAndNoBroadcast()
    {
        const string text =
            "# this is used for testing MCE during TDX SEAM non-root mode\n"
            + "CPU 0 BANK 1\n"
            + "MCGSTATUS RIPV EIPV MCIP LMCES SEAM_NR\n"
            + "NOBROADCAST\n"
            + "STATUS UNCORRECTED AR S 0x134\n"
            + "ADDR 0x1234\n"
            + "MISC 0x8\n"
            + "RIP 0xdeadbabe\n";
        MceRecord record = Assert.Single(MceInjectParser.Parse(text, "uncorrected-seam-nr"));
        Assert.Equal(
            new MceRecord
            {
                Bank = 1,
                McgStatus = 0x100FUL,
                Flags = InjectFlags.NoBroadcast,
                Status = 0xBD80000000000134UL,
                Addr = 0x1234,
                Misc = 0x8,
                Ip = 0xDEADBABE,
                Line = 2,
                Column = 1,
                StatusLine = 5,
                StatusColumn = 1,
            },
            record);
    }

    [Fact]
    public void MceTestSraoSample_FromLinuxMceTestScripts_Parses()
    {
        // The SRAO record mce-test's page-poisoning scripts feed to mce-inject.
        const string text = "CPU 3 BANK 2\nSTATUS UNCORRECTED SRAO 0x17a\nMCGSTATUS RIPV MCIP\nADDR 0x1234000\nMISC 0x8c\nRIP 0x73:0x1eadbabe\n";
        MceRecord record = Assert.Single(MceInjectParser.Parse(text, "srao"));
        Assert.Equal(0xBD0000000000017AUL, record.Status);
        Assert.Equal(0x5UL, record.McgStatus);
        Assert.Equal((ushort)0x73, record.Cs);
        Assert.True(Mcacod.L3ExplicitWriteback == MciStatusBits.Mcacod(record.Status));
    }
}
