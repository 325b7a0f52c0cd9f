using System.Diagnostics;
using System.Reflection;

namespace Mca.Cli.Tests;

/// <summary>
/// <c>mca</c> is a .NET tool: the Cli project packs as one, and the package installs into a tool path
/// whose <c>mca</c> runs. The install reads only the freshly packed folder (a nuget.config that clears
/// every other source), so the test needs no network and cannot pick up another package called mca.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-tool-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void PackThenInstall_ToolPath_McaVersionRuns()
    {
        string repo = RepoRoot();
        string configuration = typeof(Program).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        string packages = Path.Combine(_dir, "pkg");
        string tools = Path.Combine(_dir, "tools");

        // --no-build: the test run has just built the Cli project in this configuration.
        var pack = Dotnet("pack", Path.Combine(repo, "Cli", "Mca.Cli.csproj"), "-c", configuration, "--no-build", "-o", packages, "-nologo");
        Assert.True(pack.Code == 0, "dotnet pack failed:\n" + pack.Out + pack.Err);
        Assert.Single(Directory.GetFiles(packages, "mca.*.nupkg"));

        string config = Path.Combine(_dir, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{packages}" />
              </packageSources>
            </configuration>
            """);
        var install = Dotnet("tool", "install", "mca", "--tool-path", tools, "--configfile", config);
        Assert.True(install.Code == 0, "dotnet tool install failed:\n" + install.Out + install.Err);

        var version = Exec(Path.Combine(tools, "mca"), "--version");
        Assert.True(version.Code == 0, "mca --version failed:\n" + version.Out + version.Err);
        string expected = typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
        Assert.Equal(expected, version.Out.Trim());
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Mca.Ecs.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("no Mca.Ecs.sln above " + AppContext.BaseDirectory);
    }

    private static (int Code, string Out, string Err) Dotnet(params string[] args) =>
        Exec(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet", args);

    private static (int Code, string Out, string Err) Exec(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        // A tool install must not try the machine's telemetry or first-run steps.
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        // A bound on a hung process, not a speed assertion.
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in 5 minutes");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
