using System.Diagnostics;
using Mca.Cli.Output;

namespace Mca.Cli.Tests;

/// <summary>README "Outputs and interrupts": outputs never destroy anything and appear all or none.</summary>
public sealed class OutputSafetyTests : IDisposable
{
    private static readonly string[] Small = ["campaign", "--machines", "64", "--days", "14", "--quiet"];

    private readonly string _dir = Directory.CreateTempSubdirectory("mca-outputs-").FullName;

    public void Dispose()
    {
        OutputFile.FaultsForTests.Clear();
        Directory.Delete(_dir, recursive: true);
    }

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static string OneLine(string err)
    {
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: ", line, StringComparison.Ordinal);
        return line;
    }

    private void AssertRefused(string contains, string[] args, params string[] leftAlone)
    {
        var r = Mca(args);
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        Assert.Contains(contains, OneLine(r.Err), StringComparison.Ordinal);
        Assert.Equal(leftAlone.Order(StringComparer.Ordinal), Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    public static TheoryData<string, string, string> BadPaths => new()
    {
        { "--json", "", "--json: expected a file name, found an empty string" },
        { "--record", "", "--record: expected a file name, found an empty string" },
        { "--plot", "", "--plot: expected a file name, found an empty string" },
        { "--json", "/proc/x.json", "--json: cannot create a file in '/proc'" },
        { "--record", "/proc/x.mcar", "--record: cannot create a file in '/proc'" },
        { "--json", "/tmp", "--json: expected a file, found a directory '/tmp'" },
        { "--record", "/tmp/", "--record: expected a file, found a directory" },
        { "--json", "/no-such-dir/x.json", "--json: expected a file in an existing directory" },
        { "--plot", "/no-such-dir/x.png", "--plot: expected a file in an existing directory" },
        { "--record", "-", "--record: expected a file name, found '-'" },
    };

    [Theory]
    [MemberData(nameof(BadPaths))]
    public void Campaign_BadOutputPath_OneLineExit2BeforeTheRun(string option, string path, string expected) =>
        AssertRefused(expected, [.. Small, option, path]);

    [Theory]
    [InlineData("", "--output: expected a file name")]
    [InlineData("/proc/x.mcar", "--output: cannot create a file in '/proc'")]
    [InlineData("/tmp", "--output: expected a file, found a directory")]
    [InlineData("/no-such-dir/x.mcar", "--output: expected a file in an existing directory")]
    public void Extract_BadOutputPath_OneLineExit2(string path, string expected)
    {
        string replay = Record();
        AssertRefused(expected, ["replay", "extract", replay, "--machine", "1", "-o", path], "r.mcar");
    }

    [Fact]
    public void Campaign_JsonToDevNull_RunsAndLeavesTheDevice()
    {
        var r = Mca([.. Small, "--json", "/dev/null"]);
        Assert.Equal(0, r.Code);
        Assert.Equal(FileStatKind.CharacterDevice, FileStat.Of("/dev/null")?.Kind);
    }

    [Fact]
    public void Campaign_JsonToDevFull_OneLineExit2AndTheDeviceStays()
    {
        var r = Mca([.. Small, "--json", "/dev/full"]);
        Assert.Equal(2, r.Code);
        Assert.Equal("mca: /dev/full: cannot write: No space left on device", OneLine(r.Err));
        Assert.Equal(FileStatKind.CharacterDevice, FileStat.Of("/dev/full")?.Kind);
    }

    [Fact]
    public async Task Campaign_JsonToFifo_ReaderGetsTheJson()
    {
        string fifo = PathOf("fifo");
        Process.Start("mkfifo", [fifo])!.WaitForExit();
        var reader = Task.Run(() => File.ReadAllText(fifo));
        var r = Mca([.. Small, "--json", fifo]);
        Assert.Equal(0, r.Code);
        string text = await reader.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Contains("\"digest\"", text, StringComparison.Ordinal);
        Assert.Equal(FileStatKind.Fifo, FileStat.Of(fifo)?.Kind);
    }

    [Fact]
    public void Campaign_JsonToSymlink_TargetGetsItAndTheLinkStays()
    {
        Directory.CreateDirectory(PathOf("sub"));
        string target = PathOf("sub/real.json");
        File.WriteAllText(target, "old");
        string link = PathOf("link.json");
        File.CreateSymbolicLink(link, "sub/real.json");
        var r = Mca([.. Small, "--json", link]);
        Assert.Equal(0, r.Code);
        Assert.Equal("sub/real.json", new FileInfo(link).LinkTarget);
        Assert.Contains("\"digest\"", File.ReadAllText(target), StringComparison.Ordinal);
        Assert.Equal(["real.json"], Directory.GetFileSystemEntries(PathOf("sub")).Select(Path.GetFileName));
    }

    [Fact]
    public void Campaign_JsonWithoutFile_JsonOnStdoutTableOnStderr()
    {
        foreach (string[] json in new[] { new[] { "--json" }, ["--json", "-"] })
        {
            var r = Mca([.. Small, .. json]);
            Assert.Equal(0, r.Code);
            Assert.StartsWith("{", r.Out, StringComparison.Ordinal);
            Assert.Contains("handler events", r.Err, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFileSystemEntries(_dir));
        }
    }

    [Fact]
    public void Campaign_SameFileTwice_Refused()
    {
        string x = PathOf("x.json");
        AssertRefused("--record: expected a file of its own, found", [.. Small, "--json", x, "--record", x]);
        File.WriteAllText(x, "keep");
        AssertRefused("the same file as --json", [.. Small, "--json", x, "--plot", Path.ChangeExtension(x, ".png"), "--record", PathOf("./x.json")], "x.json");
        Assert.Equal("keep", File.ReadAllText(x));
    }

    [Fact]
    public void Campaign_OutputOnSpecFile_Refused()
    {
        string spec = PathOf("a.yaml");
        File.WriteAllText(spec, Mca("campaign", "--print-spec").Out);
        AssertRefused("the same file as --workload", [.. Small, "--workload", spec, "--json", spec], "a.yaml");
    }

    [Fact]
    public void Campaign_OutputOnHardLinkToSpecFile_Refused()
    {
        string spec = PathOf("a.yaml");
        File.WriteAllText(spec, Mca("campaign", "--print-spec").Out);
        Process.Start("ln", [spec, PathOf("b.json")])!.WaitForExit();
        AssertRefused("the same file as --workload", [.. Small, "--workload", spec, "--json", PathOf("b.json")], "a.yaml", "b.json");
    }

    [Fact]
    public void Extract_OutputOnInput_Refused()
    {
        string replay = Record();
        AssertRefused("--output: expected a file other than the command's input", ["replay", "extract", replay, "--machine", "1", "-o", replay], "r.mcar");
        Process.Start("ln", [replay, PathOf("h.mcar")])!.WaitForExit();
        AssertRefused("the same file as FILE", ["replay", "extract", replay, "--machine", "1", "-o", PathOf("h.mcar")], "r.mcar", "h.mcar");
    }

    [Fact]
    public void Campaign_FullDiskMidRecording_OneLineExit2NothingLeft()
    {
        string record = PathOf("r.mcar");
        OutputFile.FaultsForTests[record] = new OutputFault(Wrap: s => new FullAfter(s, 4096));
        var r = Mca(["campaign", "--machines", "2000", "--days", "60", "--quiet", "--threads", "2", "--record", record, "--json", PathOf("x.json")]);
        Assert.Equal(2, r.Code);
        Assert.Equal($"mca: {record}: cannot write: No space left on device", OneLine(r.Err));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Campaign_SecondOutputFailsToWrite_NoneWritten()
    {
        string json = PathOf("x.json");
        File.WriteAllText(json, "old");
        OutputFile.FaultsForTests[PathOf("x.png")] = new OutputFault(Wrap: s => new FullAfter(s, 0));
        var r = Mca([.. Small, "--json", json, "--record", PathOf("r.mcar"), "--plot", PathOf("x.png")]);
        Assert.Equal(2, r.Code);
        Assert.Contains("x.png: cannot write", OneLine(r.Err), StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(json));
        Assert.Equal(["x.json"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Campaign_LaterRenameFails_EarlierRenamesUndone()
    {
        string json = PathOf("x.json");
        File.WriteAllText(json, "old");
        OutputFile.FaultsForTests[PathOf("x.png")] = new OutputFault(FailRename: true);
        var r = Mca([.. Small, "--json", json, "--record", PathOf("r.mcar"), "--plot", PathOf("x.png")]);
        Assert.Equal(2, r.Code);
        Assert.Contains("x.png: cannot write", OneLine(r.Err), StringComparison.Ordinal);
        Assert.Equal("old", File.ReadAllText(json));
        Assert.Equal(["x.json"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Campaign_OverwritesRegularFiles_NoTempLeft()
    {
        string json = PathOf("x.json");
        File.WriteAllText(json, "old");
        var r = Mca([.. Small, "--json", json, "--record", PathOf("r.mcar"), "--plot", PathOf("x.svg")]);
        Assert.Equal(0, r.Code);
        Assert.Contains("\"digest\"", File.ReadAllText(json), StringComparison.Ordinal);
        Assert.Equal(["r.mcar", "x.json", "x.svg"], Directory.GetFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(0, Mca("replay", "verify", PathOf("r.mcar"), "--quiet").Code);
    }

    private string Record()
    {
        string replay = PathOf("r.mcar");
        Assert.Equal(0, Mca([.. Small, "--record", replay]).Code);
        return replay;
    }

    /// <summary>A disk that fills after <paramref name="room"/> bytes (ENOSPC's message, as a real full disk gives).</summary>
    private sealed class FullAfter(Stream inner, long room) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _written;

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_written + buffer.Length > room)
            {
                throw new IOException("No space left on device");
            }

            inner.Write(buffer);
            _written += buffer.Length;
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
