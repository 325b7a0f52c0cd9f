using CsCheck;
using Mca.Systems.Linux;
using Mca.Workloads.MceInject;

namespace Mca.Workloads.Tests.MceInject;

public class MceInjectPropertyTests
{
    /// <summary>Records with the fields <c>--dump</c> prints; the rest stay default.</summary>
    private static readonly Gen<MceRecord> DumpableRecord =
        Gen.Select(
            Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int[0, 255], Gen.ULong, Gen.ULong, Gen.ULong),
            Gen.Select(Gen.ULong, Gen.ULong, Gen.UShort, Gen.ULong, Gen.ULong),
            (a, b) => new MceRecord
            {
                Cpu = a.Item1,
                Bank = a.Item2,
                Status = a.Item3,
                McgStatus = a.Item4,
                Addr = a.Item5,
                Misc = b.Item1,
                Ip = b.Item2,
                Cs = b.Item3,
                Tsc = b.Item4,
                Time = b.Item5,
            });

    /// <summary>Dump prints ten lines and a blank line per record.</summary>
    private const int DumpLinesPerRecord = 11;

    [Fact]
    public void Dump_ThenParse_RoundTripsRecords()
    {
        DumpableRecord.Array[1, 8].Sample(records =>
        {
            string text = MceInjectFormatter.Dump(records);
            IReadOnlyList<MceRecord> parsed = MceInjectParser.Parse(text, "dump");
            Assert.Equal(records.Length, parsed.Count);
            for (int i = 0; i < records.Length; i++)
            {
                // The dump's STATUS is its eighth line.
                int line = (i * DumpLinesPerRecord) + 1;
                Assert.Equal(records[i] with { Line = line, Column = 1, StatusLine = line + 7, StatusColumn = 1 }, parsed[i]);
            }
        });
    }

    [Fact]
    public void Dump_XenMceinjType0_MatchesMceInjectFormat()
    {
        var record = new MceRecord
        {
            Cpu = 0,
            Bank = 8,
            Status = 0xBD000000004000CF,
            McgStatus = 0x5,
            Addr = 0x180020,
            Misc = 0x86,
            Ip = 0x1EADBABE,
            Cs = 0x73,
            Tsc = 0xABC,
            Time = 42,
        };
        Assert.Equal(
            "CPU 0\nBANK 8\nTSC 0xabc\nTIME 42\nRIP 0x73:0x1eadbabe\nMISC 0x86\nADDR 0x180020\n"
            + "STATUS 0xbd000000004000cf\nMCGSTATUS 0x5\nPROCESSOR 0:0x0\n\n",
            MceInjectFormatter.Dump(record));
    }

    [Fact]
    public void Dump_ZeroRecord_PadsCsToTwoDigits()
    {
        Assert.Equal(
            "CPU 0\nBANK 0\nTSC 0x0\nTIME 0\nRIP 0x00:0x0\nMISC 0x0\nADDR 0x0\nSTATUS 0x0\nMCGSTATUS 0x0\nPROCESSOR 0:0x0\n\n",
            MceInjectFormatter.Dump(default(MceRecord)));
    }

    [Fact]
    public void Parse_RandomText_OnlyEverThrowsScenarioException()
    {
        Gen.String.Sample(text => ParseOrScenarioError(text), iter: 20_000);
    }

    [Fact]
    public void Parse_RandomBytesAsLatin1_OnlyEverThrowsScenarioException()
    {
        Gen.Byte.Array[0, 64]
            .Select(bytes => System.Text.Encoding.Latin1.GetString(bytes))
            .Sample(text => ParseOrScenarioError(text), iter: 20_000);
    }

    [Fact]
    public void Parse_RandomTokenSoup_OnlyEverThrowsScenarioException()
    {
        // Mostly well-formed record starts and terms with loose tokens mixed in: this reaches far deeper
        // into the grammar than random characters do, and every accepting path as well.
        string[] starts = ["CPU 0", "MCE", "CPU 1 2", "CPU 3: MACHINE CHECK EXCEPTION: 5 BANK 8: 0xb"];
        string[] terms =
        [
            "STATUS UC EN 0x17a", "STATUS", "MCGSTATUS RIPV MCIP", "MCGSTATUS", "BANK 3", "ADDR 0x10", "MISC 0x86",
            "RIP 7", "RIP 1:2", "RIP 0x10:<0x1>{f}", "TSC 1", "TIME 2", "SOCKETID 1", "APICID 2", "MCGCAP 0x1000c14",
            "PROCESSOR 0:0x50654", "HOLD", "NOBROADCAST", "IRQBROADCAST", "NMIBROADCAST", "IN_IRQ", "IN_PROC",
            "POLL", "EXCP", "STATUS FATAL SRAR TES_YELLOW", "MCGSTATUS LMCES TES_P SEAM_NR EIPV",
        ];
        string[] loose =
        [
            "CPU", "MCE", "BANK", "STATUS", "MCGSTATUS", "ADDR", "MISC", "RIP", "TSC", "TIME", "SOCKETID",
            "APICID", "MCGCAP", "PROCESSOR", "VAL", "OVER", "UC", "EN", "PCC", "S", "AR", "CORRECTED",
            "UNCORRECTED", "UCNA", "SRAO", "RIPV", "MACHINE", "CHECK", "EXCEPTION", "sym", ":", "<", ">", "{",
            "}", "0", "7", "255", "256", "0x17a", "0xffffffffffffffff", "0x1ffffffffffffffff", "010", "09",
            "#c\n", "\n", "-", "$",
        ];
        Gen<string> piece = Gen.Select(Gen.Int[0, 99], Gen.Int[0, 1023], (kind, i) =>
            kind < 20 ? starts[i % starts.Length] : kind < 85 ? terms[i % terms.Length] : loose[i % loose.Length]);
        int parsedRecords = 0;
        piece.Array[0, 16]
            .Select(pieces => string.Join(' ', pieces))
            .Sample(text => Interlocked.Add(ref parsedRecords, ParseOrScenarioError(text)), iter: 50_000);
        Assert.True(parsedRecords > 1000, $"only {parsedRecords} records parsed");
    }

    /// <summary>Parses and returns the record count, or checks the error is a well-formed ScenarioException.</summary>
    private static int ParseOrScenarioError(string text)
    {
        try
        {
            return MceInjectParser.Parse(text, "fuzz").Count;
        }
        catch (ScenarioException error)
        {
            Assert.StartsWith("fuzz:", error.Message, StringComparison.Ordinal);
            Assert.True(error.Line >= 1 && error.Column >= 1, error.Message);
            Assert.DoesNotContain('\n', error.Message);
            return 0;
        }
    }
}
