using BenchmarkDotNet.Attributes;
using Mca.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Bench.Replay;

/// <summary>
/// <c>mca replay show FILE --machine M</c> on the default campaign's replay as <c>mca campaign --record</c> writes it
/// (10,000 machines x 365 days, hashes only: issue 21's target is under 0.1 s). <c>ReplayShow_Machine</c> opens the
/// file, reads its index and the machine's frames, re-simulates the machine alone from the header's spec and checks
/// it against the recorded hashes, for the machine with the most sections; <c>ReplayShow_IdleMachine</c> does the
/// same for a machine with no section (open and index only). The process's start and JIT (about 0.09 s for
/// <c>mca --version</c>) are not in these figures.
/// </summary>
[MemoryDiagnoser]
public class ReplayShowBenchmarks
{
    private string _path = "";
    private int _busy;
    private int _idle;

    [GlobalSetup]
    public void GlobalSetup()
    {
        _path = Path.Combine(Path.GetTempPath(), "mca-bench-show-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".mcar");
        ReplayWriter.Record(_path, new CampaignSpec(), Environment.ProcessorCount);
        using var reader = ReplayReader.Open(_path);
        var ids = reader.Index.MachineIds;
        int best = 0;
        for (int i = 0; i < ids.Length; i++)
        {
            best = reader.Index.MachineFrames[i].Length > reader.Index.MachineFrames[best].Length ? i : best;
        }

        _busy = ids[best];
        _idle = Enumerable.Range(0, reader.Header.MachineCount).First(m => Array.BinarySearch(ids, m) < 0);
    }

    [GlobalCleanup]
    public void GlobalCleanup() => File.Delete(_path);

    [Benchmark]
    public int ReplayShow_Machine() => ReplayShow.Machine(_path, _busy).Entries.Count;

    [Benchmark]
    public int ReplayShow_IdleMachine() => ReplayShow.Machine(_path, _idle).Entries.Count;
}
