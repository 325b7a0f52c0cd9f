using System.Globalization;
using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>
/// The mce-test soft-injection suite against the Linux handler: every case of
/// <see cref="SoftInjCases"/> at the kernel era it was written for, and on the modern kernel.
/// Checks follow cases.sh: the panic (grep "panic" | grep msg), "Machine check: &lt;msg&gt;", the timeout
/// line, the mcelog comparison (mce_cmp: CPU, BANK, RIP, MISC, ADDR, STATUS, MCGSTATUS; records with
/// STATUS 0 dropped; sorted), and the SIGBUS of the injecting process.
/// </summary>
public class SoftInjSuiteTests
{
    private const string HwErr = "[Hardware Error]: ";

    public static TheoryData<string> CaseKeys()
    {
        var data = new TheoryData<string>();
        foreach (SoftInjCase c in SoftInjCases.All)
        {
            data.Add(c.Key);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseKeys))]
    public void SoftInj_AtSuiteEra_MeetsSuiteExpectation(string key)
    {
        SoftInjCase c = SoftInjCases.Get(key);
        var options = new LinuxMachineOptions { CpuCount = 4, BankCount = 10, Ser = c.Ser, Era = c.SuiteEra, PollAfterInjection = false };
        Verify(c, c.AtSuiteEra, options);
    }

    [Theory]
    [MemberData(nameof(CaseKeys))]
    public void SoftInj_OnModernKernel_MeetsModernExpectation(string key)
    {
        SoftInjCase c = SoftInjCases.Get(key);
        var options = new LinuxMachineOptions { CpuCount = 4, BankCount = 10, Ser = c.Ser, Era = LinuxTableEra.Modern };
        Verify(c, c.AtModern, options);
    }

    [Fact]
    public void Cases_CoverEveryDirectoryOfTheSuite()
    {
        var dirs = new SortedSet<string>(StringComparer.Ordinal);
        foreach (SoftInjCase c in SoftInjCases.All)
        {
            dirs.Add(c.Dir);
            Assert.False(string.IsNullOrWhiteSpace(c.Origin));
            Assert.NotEmpty(SoftInjText.Parse(c.Data));
        }

        Assert.Equal(["non-panic", "panic", "panic_noser", "panic_npcc", "panic_ucr", "poll_noser", "poll_ucr", "recoverable_ucr"], dirs);
        Assert.Equal(65, SoftInjCases.All.Count);
    }

    [Fact]
    public void SoftInjText_Corrected_ParsesHoldAddrMiscAndEmptyRecords()
    {
        List<MceRecord> records = SoftInjText.Parse(SoftInjCases.Get("non-panic/corrected (ser)").Data);
        Assert.Equal(4, records.Count);
        Assert.Equal(InjectFlags.Hold, records[0].Flags);
        Assert.Equal(0x9400000000000000UL, records[0].Status);
        Assert.Equal(0xabcdUL, records[0].Addr);
        Assert.Equal(0UL, records[1].Status);
        Assert.Equal(0x9C00000000000000UL, records[2].Status);
        Assert.Equal(0xabcdUL, records[2].Misc);
    }

    [Fact]
    public void SoftInjText_DecimalRipAndMisc_ParseAsC()
    {
        MceRecord r = SoftInjText.Parse("CPU 0 BANK 4\nMCGSTATUS MCIP\nSTATUS FATAL S\nRIP 0x10:12343434\nMISC 11")[0];
        Assert.Equal(12343434UL, r.Ip);
        Assert.Equal((ushort)0x10, r.Cs);
        Assert.Equal(11UL, r.Misc);
        Assert.Equal(0xBB00000000000000UL, r.Status);
        Assert.Equal(4UL, r.McgStatus);
    }

    private static void Verify(SoftInjCase c, SoftInjExpect expect, LinuxMachineOptions options)
    {
        List<MceRecord> records = SoftInjText.Parse(c.Data);
        LinuxRunResult result = LinuxHandler.Run(records, options);
        string context = $"{c.Key} at {options.Era}: {expect.Note}\n" + string.Join('\n', result.Console);

        // Panic: the first panic is the printed one; cases.sh greps "panic" lines for ": <msg>".
        Assert.True(expect.Panic == result.Panic, $"panic '{result.Panic}', expected '{expect.Panic}'\n{context}");
        if (expect.Panic is null)
        {
            Assert.Empty(result.Panics);
        }
        else
        {
            Assert.Contains(result.Console, line => line.Contains("panic", StringComparison.Ordinal) && line.EndsWith(": " + expect.Panic, StringComparison.Ordinal));
        }

        // Exception message: the "Machine check: <msg>" line.
        if (expect.Reason is null)
        {
            Assert.DoesNotContain(result.Console, line => line.Contains("Machine check: ", StringComparison.Ordinal));
        }
        else
        {
            Assert.True(result.Console.Contains(HwErr + "Machine check: " + expect.Reason), $"no 'Machine check: {expect.Reason}'\n{context}");
        }

        if (expect.LaterPanic is not null)
        {
            Assert.True(
                result.Panics.Skip(1).Any(p => p.Message == expect.LaterPanic && p.Reason == expect.LaterReason && !p.Printed),
                $"no later panic '{expect.LaterPanic}' ({expect.LaterReason})\n{context}");
        }

        // Timeout: old kernels print it in mce_panic, modern ones list the missing CPUs.
        string timeoutLine = options.Era == LinuxTableEra.Modern
            ? "CPUs not responding to MCE broadcast"
            : "Some CPUs didn't answer in synchronization";
        Assert.True(expect.Timeout == result.Console.Any(line => line.Contains(timeoutLine, StringComparison.Ordinal)), $"timeout line expected: {expect.Timeout}\n{context}");

        // The mcelog comparison.
        List<string> expected = Dump(SoftInjText.Parse(expect.Log ?? c.Data).Select(ToLogged), expect.RemoveRip);
        List<string> actual = Dump(result.Logged, expect.RemoveRip);
        Assert.True(expected.SequenceEqual(actual), $"mcelog differs\nexpected:\n{string.Join('\n', expected)}\nactual:\n{string.Join('\n', actual)}\n{context}");

        if (expect.Killed is bool killed)
        {
            Assert.True(killed == result.Actions.Any(a => a.Kind == LinuxActionKind.Sigbus), $"killed expected: {killed}\n{context}");
        }

        if (expect.MemoryFailurePfns is { } pfns)
        {
            Assert.Equal(pfns, result.Actions.Where(a => a.Kind == LinuxActionKind.MemoryFailure).Select(a => a.Pfn).ToArray());
        }

        Assert.False(result.Halted);
    }

    private static LoggedMce ToLogged(MceRecord r) => new()
    {
        Cpu = r.Cpu,
        Bank = r.Bank,
        Status = r.Status,
        McgStatus = r.McgStatus,
        Addr = r.Addr,
        Misc = r.Misc,
        Ip = r.Ip,
        Cs = r.Cs,
    };

    /// <summary>mce_reformat_for_cmp: one line per record, STATUS 0 records dropped, sorted.</summary>
    private static List<string> Dump(IEnumerable<LoggedMce> records, bool removeRip)
    {
        var lines = new List<string>();
        foreach (LoggedMce m in records)
        {
            if (m.Status == 0)
            {
                continue;
            }

            string rip = removeRip ? "" : string.Create(CultureInfo.InvariantCulture, $"RIP 0x{m.Cs:x2}:0x{m.Ip:x} ");
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"CPU {m.Cpu} BANK {m.Bank} {rip}MISC 0x{m.Misc:x} ADDR 0x{m.Addr:x} STATUS 0x{m.Status:x} MCGSTATUS 0x{m.McgStatus:x}"));
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
