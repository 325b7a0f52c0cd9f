using System.Text.Json;
using Mca.Replay;

namespace Mca.Cli.Tests;

/// <summary>
/// <c>mca replay shrink</c> (README "Shrink a failure to its cause"): a reset with one cause among thousands of
/// recorded corrected errors shrinks to that one input, the scenario written reproduces the reset under
/// <c>mca run</c>, and the re-simulation bound is respected and reported.
/// </summary>
public sealed class ShrinkTests : IDisposable
{
    private const string Spec = """
        machines: 10
        days: 30
        seed: 2
        policy: xen
        workload: storm
        storm:
          storms_per_machine_year: 100
          storm_duration_mean_minutes: 1
          storm_ce_per_second: 5
          storm_memory_fraction: 0.75
          ucna_per_machine_year: 0
          srao_per_machine_year: 0
          srar_per_machine_year: 0
          fatal_per_machine_year: 12
        """;

    private readonly string _dir = Directory.CreateTempSubdirectory("mca-shrink-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathOf(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A literal recording (every CE its own input) and a machine with a reset.</summary>
    private (string Replay, int Machine) Recorded()
    {
        File.WriteAllText(PathOf("ce.yaml"), Spec);
        string replay = PathOf("ce.mcar");
        var r = Mca("campaign", "--workload", PathOf("ce.yaml"), "--literal", "--record", replay, "--quiet");
        Assert.True(r.Code == 0, r.Err);
        var with = Mca("replay", "show", replay, "--with", "resets", "--json");
        using var doc = JsonDocument.Parse(with.Out);
        int machine = doc.RootElement.GetProperty("machines").EnumerateArray().First().GetProperty("machine").GetInt32();
        return (replay, machine);
    }

    [Fact]
    public void ResetAmongThousandsOfCes_ShrinksToOneInput_ThatMcaRunReproduces()
    {
        var (replay, machine) = Recorded();
        string min = PathOf("min.mce");
        var r = Mca("replay", "shrink", replay, "--machine", machine.ToString(System.Globalization.CultureInfo.InvariantCulture), "--until", "resets", "-o", min, "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.True(root.GetProperty("inputs_before").GetInt32() > 1_000, "thousands of recorded CEs");
        Assert.Equal(1, root.GetProperty("inputs_after").GetInt32());
        Assert.False(root.GetProperty("bound_reached").GetBoolean());
        Assert.InRange(root.GetProperty("resimulations").GetInt32(), 2, 200);

        var run = Mca("run", min, "--policy", "xen", "--json");
        Assert.True(run.Code == 0, run.Err);
        using var report = JsonDocument.Parse(run.Out);
        Assert.True(report.RootElement.GetProperty("reset").GetBoolean());
        Assert.Contains("EXCP", File.ReadAllText(min), StringComparison.Ordinal);
    }

    [Fact]
    public void Bound_IsRespectedAndReported_AndTheResultStillReproduces()
    {
        var (replay, machine) = Recorded();
        string min = PathOf("bounded.mce");
        var r = Mca("replay", "shrink", replay, "--machine", machine.ToString(System.Globalization.CultureInfo.InvariantCulture), "--until", "resets", "-o", min, "--max-resimulations", "3");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("in 3 re-simulations (bound reached: may not be minimal)", r.Err, StringComparison.Ordinal);
        var run = Mca("run", min, "--policy", "xen", "--json");
        using var report = JsonDocument.Parse(run.Out);
        Assert.True(report.RootElement.GetProperty("reset").GetBoolean());
    }

    [Fact]
    public void MachineWithoutTheOutcome_OneLine()
    {
        var (replay, _) = Recorded();
        var with = Mca("replay", "show", replay, "--with", "resets", "--json");
        using var doc = JsonDocument.Parse(with.Out);
        var reset = doc.RootElement.GetProperty("machines").EnumerateArray().Select(m => m.GetProperty("machine").GetInt32()).ToHashSet();
        int calm = Enumerable.Range(0, 10).First(m => !reset.Contains(m));
        var r = Mca("replay", "shrink", replay, "--machine", calm.ToString(System.Globalization.CultureInfo.InvariantCulture), "--until", "resets");
        Assert.Equal(2, r.Code);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--machine: expected a machine with resets in the recording", line, StringComparison.Ordinal);
        Assert.Equal(2, Mca("replay", "shrink", replay, "--machine", "0", "--until", "reboots").Code);
    }

    [Fact]
    public void DeltaDebug_FindsTheOneMinimalSubset()
    {
        var input = Enumerable.Range(0, 200).ToList();
        int runs = 0;
        var result = ReplayShrink.DeltaDebug(input, c => { runs++; return c.Contains(17) && c.Contains(150); }, () => false, out bool bound);
        Assert.Equal([17, 150], result);
        Assert.False(bound);
        Assert.InRange(runs, 1, 200);
    }
}
