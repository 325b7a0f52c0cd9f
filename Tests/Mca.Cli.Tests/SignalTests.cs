using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Mca.Cli.Tests;

/// <summary>README "Outputs and interrupts": SIGINT and SIGTERM stop a campaign cleanly; kill -9 leaves nothing complete-looking.</summary>
public sealed partial class SignalTests : IDisposable
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly string _dir = Directory.CreateTempSubdirectory("mca-signals-").FullName;

    private readonly List<Process> _started = [];

    public void Dispose()
    {
        // A failed test must not leave its 200,000-machine campaign running.
        foreach (var p in _started)
        {
            try
            {
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: true);
                    p.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Never started or already reaped.
            }
        }

        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData(2, 130)]
    [InlineData(15, 143)]
    public async Task Campaign_Signal_ExitsWithOneLineAndNothingLeft(int signal, int exitCode)
    {
        using var mca = Start();
        await WaitForProgress(mca);
        Assert.Equal(0, Kill(mca.Id, signal));
        string err = await Finish(mca);
        Assert.Equal(exitCode, mca.ExitCode);
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("mca: ", StringComparison.Ordinal));
        Assert.Matches(@"^mca: campaign interrupted at \d+ % of 200,000 machine-years \(200,000 machines, 365 days\); nothing written$", line);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public async Task Campaign_Kill9_NoFileUnderAFinalName()
    {
        using var mca = Start();
        await WaitForProgress(mca);
        Assert.Equal(0, Kill(mca.Id, 9));
        await Finish(mca);
        Assert.False(File.Exists(Path.Combine(_dir, "x.json")));
        Assert.False(File.Exists(Path.Combine(_dir, "y.mcar")));
        Assert.All(Directory.GetFileSystemEntries(_dir), f => Assert.StartsWith(".", Path.GetFileName(f), StringComparison.Ordinal));
    }

    private Process Start()
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in new[] { typeof(Program).Assembly.Location, "campaign", "--machines", "200000", "--threads", "2", "--json", Path.Combine(_dir, "x.json"), "--record", Path.Combine(_dir, "y.mcar") })
        {
            info.ArgumentList.Add(a);
        }

        var p = Process.Start(info)!;
        _started.Add(p);
        return p;
    }

    /// <summary>Reads stderr until the first progress line (the run has started and its outputs are open).</summary>
    private static async Task WaitForProgress(Process mca)
    {
        using var cts = new CancellationTokenSource(Bound);
        while (await mca.StandardError.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith("campaign: ", StringComparison.Ordinal))
            {
                return;
            }
        }

        Assert.Fail("mca ended before showing progress");
    }

    private static async Task<string> Finish(Process mca)
    {
        using var cts = new CancellationTokenSource(Bound);
        var err = mca.StandardError.ReadToEndAsync(cts.Token);
        var output = mca.StandardOutput.ReadToEndAsync(cts.Token);
        await mca.WaitForExitAsync(cts.Token);
        await output;
        return await err;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
