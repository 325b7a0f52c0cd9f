using System.Diagnostics;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Tests;

/// <summary>
/// README "Bad input": every bad input to every command is one line on stderr starting <c>mca: </c>, names
/// where the mistake is and what was expected, never a .NET type or stack trace; exit 2 and nothing on stdout.
/// One table per command; <c>{dir}</c> in an argument is a per-test directory holding the fixtures below.
/// </summary>
public sealed class BadInputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-badinput-").FullName;

    public BadInputTests()
    {
        Write("noval.mce", "CPU 0 BANK 8\nSTATUS 0x9f\n");
        Write("zero.mce", "CPU 0 BANK 8\nSTATUS 0\n");
        Write("missing.mce", "CPU 0 BANK 8 ADDR 0x1000\n");
        Write("bare.mce", "CPU 0 BANK 8\nSTATUS\n");
        Write("deep.yaml", new string('[', 50_000));
        Write("deepmap.yaml", string.Concat(Enumerable.Repeat("{a: ", 50_000)) + "1" + new string('}', 50_000));
        Write("deepblock.yaml", string.Concat(Enumerable.Repeat("- ", 5_000)) + "1\n");
        Write("rate.yaml", "workload: field\nmachines: 1\ndays: 1\nfield:\n  fault_rate_scale: 1e12\n");
        Write("storms.yaml", "workload: storm\nmachines: 1\ndays: 1\nstorm:\n  storms_per_machine_year: 1e6\n  storm_ce_per_second: 1000\n");
        Write("window.yaml", "workload: field\nmachines: 1\ndays: 1\nfield:\n  ce_window_hours: 24\n");
        Write("big.yaml", "# " + new string('x', (1 << 20) + 10) + "\n");
        File.WriteAllBytes(Path.Combine(_dir, "latin1.mce"), [.. "CPU 0 BANK 8 STATUS UC # caf"u8, 0xe9, (byte)'\n']);
        Process.Start("mkfifo", [Path.Combine(_dir, "fifo")])!.WaitForExit();
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(_dir, name), text);

    private (int Code, string Out, string Err) Mca(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run([.. args.Select(a => a.Replace("{dir}", _dir, StringComparison.Ordinal))], stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString().Replace(_dir, "{dir}", StringComparison.Ordinal));
    }

    private void AssertBad(string[] args, string contains)
    {
        var r = Mca(args);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: ", line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("`1", line, StringComparison.Ordinal);
        Assert.Equal(2, r.Code);
        // Nothing was written next to the inputs.
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp*"));
    }

    public static TheoryData<string[], string> RunCases => new()
    {
        { ["run", "{dir}/noval.mce"], "{dir}/noval.mce:2:1: expected a STATUS with VAL (bit 63) set, found status 0x000000000000009f without VAL" },
        { ["run", "{dir}/noval.mce", "--handler", "linux"], "{dir}/noval.mce:2:1: expected a STATUS with VAL (bit 63) set, found status 0x000000000000009f without VAL" },
        { ["run", "{dir}/zero.mce"], "{dir}/zero.mce:2:1: expected a STATUS with VAL (bit 63) set, found status 0x0000000000000000 without VAL" },
        { ["run", "{dir}/zero.mce", "--handler", "linux"], "{dir}/zero.mce:2:1: expected a STATUS with VAL (bit 63) set" },
        { ["run", "{dir}/missing.mce"], "{dir}/missing.mce:1:1: expected a STATUS with VAL (bit 63) set in this record, found no STATUS" },
        { ["run", "{dir}/missing.mce", "--handler", "linux"], "{dir}/missing.mce:1:1: expected a STATUS with VAL (bit 63) set in this record" },
        { ["run", "{dir}/bare.mce"], "{dir}/bare.mce:2:1: expected a STATUS with VAL (bit 63) set" },
        { ["run", "{dir}/bare.mce", "--handler", "linux"], "{dir}/bare.mce:2:1: expected a STATUS with VAL (bit 63) set" },
        { ["run", ""], "mca: expected a scenario file name, found an empty string" },
        { ["run", "/dev/zero"], "/dev/zero: expected at most 16 MiB of scenario text, found more" },
        { ["run", "/dev/urandom"], "/dev/urandom: expected at most 16 MiB of scenario text, found more" },
        { ["run", "{dir}/fifo"], "{dir}/fifo: expected a writer on this FIFO within 5 s, found none" },
        { ["run", "{dir}/sub"], "{dir}/sub: expected a scenario file, found a directory" },
        { ["run", "{dir}/nothing.mce"], "{dir}/nothing.mce: expected a scenario file, found no such file" },
        { ["run", "{dir}/latin1.mce"], "{dir}/latin1.mce: expected scenario text in UTF-8, found an invalid byte at offset 28" },
        { ["run", "{dir}/noval.mce", "--handler", "bogus"], "mca: --handler: expected one of xen, linux, found 'bogus' (see mca --help)" },
        { ["run", "{dir}/noval.mce", "--policy", "bogus"], "mca: --policy: expected one of rfc2009, rfc2009-impacted, xen, found 'bogus'" },
        { ["run"], "FILE" },
    };

    [Theory]
    [MemberData(nameof(RunCases))]
    public void Run(string[] args, string contains) => AssertBad(args, contains);

    public static TheoryData<string[], string> CampaignCases => new()
    {
        { ["campaign", "--workload", "{dir}/deep.yaml"], "{dir}/deep.yaml:1:33: expected a spec nested at most 32 levels deep, found deeper nesting" },
        { ["campaign", "--workload", "{dir}/deepmap.yaml"], "expected a spec nested at most 32 levels deep" },
        { ["campaign", "--workload", "{dir}/deepblock.yaml"], "expected a spec nested at most 32 levels deep" },
        { ["campaign", "--workload", "/dev/zero"], "/dev/zero: expected at most 1 MiB of campaign spec text, found more" },
        { ["campaign", "--workload", "/dev/urandom"], "/dev/urandom: expected at most 1 MiB of campaign spec text, found more" },
        { ["campaign", "--workload", "{dir}/big.yaml"], "{dir}/big.yaml: expected at most 1 MiB of campaign spec text, found more" },
        { ["campaign", "--workload", "{dir}/fifo"], "{dir}/fifo: expected a writer on this FIFO within 5 s, found none" },
        { ["campaign", "--workload", "{dir}/sub.yaml"], "{dir}/sub.yaml: expected a campaign spec file, found no such file" },
        { ["campaign", "--workload", ""], "--workload: expected one of field, storm, none or a spec FILE.yaml, found ''" },
        { ["campaign", "--workload", "{dir}/rate.yaml"], "{dir}/rate.yaml:5:21: field.fault_rate_scale: expected > 0 and <= 10000 (at 1e4 every DIMM takes about 100 faults a year; more only adds run time), found 1e12" },
        { ["campaign", "--workload", "{dir}/storms.yaml"], "storm.storm_ce_per_second: expected at most 1e10 storm CEs per machine-year" },
        { ["campaign", "--workload", "{dir}/window.yaml"], "{dir}/window.yaml:5:3: field.ce_window_hours: expected a field parameter" },
        { ["campaign", "--machines", "x"], "mca: --machines: expected a whole number, found 'x' (see mca --help)" },
        { ["campaign", "--machines", "0"], "--machines: expected a number of machines from 1 to 10,000,000, found 0" },
        { ["campaign", "--days", "1.5"], "mca: --days: expected a whole number of days, found '1.5'" },
        { ["campaign", "--seed", "-1"], "mca: --seed: expected a whole number, 0 or more, found '-1'" },
        { ["campaign", "--epoch-days", "x"], "mca: --epoch-days: expected a whole number of days, found 'x'" },
        { ["campaign", "--threads", "x"], "mca: --threads: expected a whole number, found 'x'" },
        { ["campaign", "--policy", "nope"], "mca: --policy: expected one of rfc2009, rfc2009-impacted, xen, found 'nope'" },
    };

    [Theory]
    [MemberData(nameof(CampaignCases))]
    public void Campaign(string[] args, string contains) => AssertBad(args, contains);

    [Fact]
    public void Campaign_BatchesBeyondMemory_AreRefusedBeforeTheRun()
    {
        // Batches stream, so the fleet never decides memory; a batch per thread that cannot fit does.
        var spec = new CampaignSpec { Machines = CampaignSpec.MachinesMax, BatchSize = 65_536 };
        Assert.True(MemoryEstimate.BytesFor(spec, threads: 1024) > MemoryEstimate.AvailableBytes(), "this host could hold 1,024 batches of 65,536 machines: the refusal cannot be seen here");
        AssertBad(["campaign", "--machines", "10000000", "--batch-size", "65536", "--threads", "1024", "--json", "{dir}/out.json"], "mca: --batch-size: expected batches that fit in memory on 1024 threads (about 15.9 KB per machine of this shape: at most ");
        Assert.False(File.Exists(Path.Combine(_dir, "out.json")));
    }

    [Fact]
    public void UnreadableFile_IsOneLine()
    {
        // Root reads through file modes, but not a write-only sysctl; anyone else is stopped by mode 000.
        string path = "/proc/sys/vm/compact_memory";
        if ((!Environment.IsPrivilegedProcess || !File.Exists(path)) && OperatingSystem.IsLinux())
        {
            path = Path.Combine(_dir, "locked.mce");
            Write("locked.mce", "CPU 0 BANK 8 STATUS UC\n");
            File.SetUnixFileMode(path, UnixFileMode.None);
        }

        AssertBad(["run", path], path.Replace(_dir, "{dir}", StringComparison.Ordinal) + ": expected a readable scenario file, found permission denied");
        AssertBad(["campaign", "--workload", path], ": expected a readable campaign spec file, found permission denied");
    }

    public static TheoryData<string[], string> DecodeAndGradeCases => new()
    {
        { ["decode", "0x8000000000000000", "--bank", "256"], "mca: --bank: expected a bank number 0..255 (struct mce's bank is a u8), found 256" },
        { ["decode", "0x8000000000000000", "--bank", "-1"], "mca: --bank: expected a bank number 0..255 (struct mce's bank is a u8), found -1" },
        { ["decode", "0x8000000000000000", "--bank", "x"], "mca: --bank: expected a whole number, found 'x'" },
        { ["decode", "x"], "mca: STATUS: expected a hexadecimal 64-bit number, found 'x'" },
        { ["grade", "--status", "0xbd80000000100134", "--context", "bogus"], "mca: --context: expected one of user, kernel, kernel-recov, found 'bogus'" },
        { ["grade", "--status", "x"], "mca: --status: expected a hexadecimal 64-bit number, found 'x'" },
    };

    [Theory]
    [MemberData(nameof(DecodeAndGradeCases))]
    public void DecodeAndGrade(string[] args, string contains) => AssertBad(args, contains);

    public static TheoryData<string[], string> ReplayCases => new()
    {
        { ["replay", "show", ""], "mca: expected a replay file name, found an empty string" },
        { ["replay", "verify", ""], "mca: expected a replay file name, found an empty string" },
        { ["replay", "show", "{dir}/fifo"], "{dir}/fifo: expected a replay file (a regular file: it is read by seeking), found a FIFO" },
        { ["replay", "show", "/dev/zero"], "/dev/zero: expected a replay file (a regular file: it is read by seeking), found a character device" },
        { ["replay", "run", "/dev/urandom", "--policy", "xen"], "/dev/urandom: expected a replay file (a regular file: it is read by seeking), found a character device" },
        { ["replay", "extract", "{dir}/sub", "--machine", "0", "-o", "{dir}/x.mce"], "{dir}/sub: expected a replay file (a regular file: it is read by seeking), found a directory" },
        { ["replay", "diff", "{dir}/none.mcar", "/dev/null"], "{dir}/none.mcar: expected a replay file, found no such file" },
        { ["replay", "diff", "{dir}/noval.mce", ""], "mca: expected a replay file name, found an empty string" },
        { ["replay", "show", "{dir}/noval.mce"], "{dir}/noval.mce" },
        { ["replay", "show", "{dir}/noval.mce", "--machine", "q"], "mca: --machine: expected a whole number, found 'q'" },
    };

    [Theory]
    [MemberData(nameof(ReplayCases))]
    public void Replay(string[] args, string contains) => AssertBad(args, contains);

    public static TheoryData<string[], string> RootCases => new()
    {
        { ["--version", "x"], "mca: --version: expected no other arguments, found 'x'" },
        { ["frobnicate"], "mca: Unrecognized command or argument 'frobnicate'" },
        { ["xen-mceinj", "-t", "x"], "mca: --type: expected a whole number, found 'x'" },
        { ["xen-mceinj", "--table", "2014"], "mca: --table: expected one of current, 2010, found '2014'" },
    };

    [Theory]
    [MemberData(nameof(RootCases))]
    public void Root(string[] args, string contains) => AssertBad(args, contains);
}
