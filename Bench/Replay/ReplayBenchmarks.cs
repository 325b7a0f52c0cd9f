using BenchmarkDotNet.Attributes;
using Mca.Replay;
using Mca.Replay.Recording;
using Mca.Workloads.Campaign;

namespace Mca.Bench.Replay;

/// <summary>
/// Replay files (issue 6): a recorded campaign of 1,000 default machines for 30 simulated days under the
/// <c>storm</c> workload (rfc2009 policy, batches of 512, daily epochs, seed 1), run once in <see cref="GlobalSetup"/>
/// with its epoch outputs kept in memory. <c>ReplayWriter_Record</c> writes them all to a file
/// (<see cref="ReplayWriter.Create(string, CampaignSpec, WorkloadCatalog?, ReplayContents, bool)"/>, <c>Append</c>,
/// <c>Complete</c>: encoding, LZ4, index, fsync, rename); <c>ReplayReader_ReadFrames</c> opens that file and
/// reads and checks every frame, touching every event and input; <c>ReplayReader_ReadMachine</c> reads one
/// machine's frames through the index of an open reader. <c>MB/s</c> is file bytes (10^6 per MB) and
/// <c>Events/s</c> handler events plus recorded inputs per wall-clock second, for the whole-file methods;
/// <c>Op/s</c> for <c>ReadMachine</c> is machines read per second. The files store every input and event
/// (<c>--record-inputs --record-events</c>), as when these figures were first taken; <see cref="ReplayShowBenchmarks"/>
/// measures the default hash-only file, whose machines are re-simulated.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ReplayThroughputConfig))]
public class ReplayBenchmarks : IReplayThroughputBenchmark
{
    // Daily epochs (60 frames), as when the figures in Bench/README.md were first taken; campaigns default to weekly ones.
    private static readonly CampaignSpec Spec = new() { Machines = 1_000, Days = 30, Workload = "storm", EpochDays = 1 };

    private static readonly Lazy<ReplayUnits> FileUnits = new(CountFile);

    private List<EpochOutput> _outputs = [];
    private CampaignResult? _result;
    private string _recordPath = "";
    private string _readPath = "";
    private ReplayReader? _reader;
    private int _machine;

    [GlobalSetup]
    public void GlobalSetup()
    {
        (_outputs, _result) = RunCampaign();
        string stem = Path.Combine(Path.GetTempPath(), "mca-bench-replay-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _recordPath = stem + "-record.mcar";
        _readPath = stem + "-read.mcar";
        Write(_readPath, _outputs, _result);
        _reader = ReplayReader.Open(_readPath);
        var ids = _reader.Index.MachineIds;
        _machine = ids[ids.Length / 2];
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _reader?.Dispose();
        _reader = null;
        File.Delete(_recordPath);
        File.Delete(_readPath);
    }

    [Benchmark]
    public long ReplayWriter_Record() => Write(_recordPath, _outputs, _result!);

    [Benchmark]
    public long ReplayReader_ReadFrames()
    {
        using var reader = ReplayReader.Open(_readPath);
        long sum = 0;
        foreach (var frame in reader.ReadFrames())
        {
            foreach (var m in frame.Machines)
            {
                sum += Touch(m);
            }
        }

        return sum;
    }

    [Benchmark]
    public long ReplayReader_ReadMachine()
    {
        long sum = 0;
        foreach (var (_, section) in _reader!.ReadMachine(_machine))
        {
            sum += Touch(section);
        }

        return sum;
    }

    ReplayUnits? IReplayThroughputBenchmark.UnitsPerOperation(string method) =>
        method is nameof(ReplayWriter_Record) or nameof(ReplayReader_ReadFrames) ? FileUnits.Value : null;

    private static long Touch(MachineFrame m)
    {
        long sum = m.Machine;
        foreach (var e in m.Events)
        {
            sum += e.TimeNs ^ (long)e.Status ^ (long)e.Addr ^ (int)e.Kind;
        }

        foreach (var i in m.Inputs)
        {
            sum += i.Error.TimeNs ^ (long)i.Error.Status ^ (long)i.Error.Addr ^ i.Error.Cpu;
        }

        return sum;
    }

    private static (List<EpochOutput> Outputs, CampaignResult Result) RunCampaign()
    {
        var outputs = new List<EpochOutput>();
        var result = CampaignRunner.Run(Spec.ToOptions(threads: 1) with { Recorder = BatchRecorder.Attach, Lockstep = true }, progress: null, record: outputs.Add);
        return (outputs, result);
    }

    private static long Write(string path, List<EpochOutput> outputs, CampaignResult result)
    {
        using var writer = ReplayWriter.Create(path, Spec, contents: ReplayContents.All);
        foreach (var output in outputs)
        {
            writer.Append(output);
        }

        writer.Complete(result);
        return writer.BytesWritten;
    }

    /// <summary>The file's bytes and its events plus inputs, from one recording in the host process.</summary>
    private static ReplayUnits CountFile()
    {
        var (outputs, result) = RunCampaign();
        string path = Path.Combine(Path.GetTempPath(), "mca-bench-replay-" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "-count.mcar");
        try
        {
            using var writer = ReplayWriter.Create(path, Spec, contents: ReplayContents.All);
            foreach (var output in outputs)
            {
                writer.Append(output);
            }

            writer.Complete(result);
            return new ReplayUnits(writer.BytesWritten, writer.EventCount + writer.InputCount);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
