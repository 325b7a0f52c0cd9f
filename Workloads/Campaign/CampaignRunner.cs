using System.Buffers.Binary;
using System.IO.Hashing;
using Mca.Ecs;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Campaign;

/// <summary>
/// Runs a Monte Carlo campaign (docs/design.md "Determinism rules"): machines are
/// cut into fixed-size batches, each an independent ECS world; the worker pool steps batches epoch
/// by epoch; one consumer merges outputs in (epoch, batch) order for totals, progress and recording.
/// Same seed and options give the same result and digest for any thread count.
/// </summary>
public static class CampaignRunner
{
    /// <summary>
    /// Runs the campaign. Batches stream (<see cref="BatchStream"/>): each is built, run through every epoch and
    /// dropped by one worker, so memory is bounded by the threads, not the fleet, and <paramref name="record"/> sees
    /// each batch's epochs in turn, in batch order (a recording spools them). With <see cref="CampaignOptions.Lockstep"/>
    /// every batch lives for the run and is stepped epoch by epoch (<see cref="BatchRunner"/>), and
    /// <paramref name="record"/> sees (epoch, batch) order: what a replay's frame-by-frame verification needs.
    /// Either way the result is the same.
    /// </summary>
    /// <param name="options">The campaign.</param>
    /// <param name="progress">Called in order from the consumer as work is merged.</param>
    /// <param name="record">Every batch's output of every epoch.</param>
    /// <param name="ct">Stops the run (throws <see cref="OperationCanceledException"/>).</param>
    /// <param name="sink">Sees each finished batch in batch order, and may supply batches already run (a checkpoint).</param>
    public static CampaignResult Run(CampaignOptions options, Action<CampaignProgress>? progress = null, Action<EpochOutput>? record = null, IBatchSink? sink = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.Lockstep ? RunLockstep(options, progress, record, sink, ct) : RunStreaming(options, progress, record, sink, ct);
    }

    /// <summary>Batches of the run: their count, and each one's first machine id and size.</summary>
    public static int BatchCount(CampaignOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (int)((options.Machines + (long)options.BatchSize - 1) / options.BatchSize);
    }

    /// <summary>Runs batch <paramref name="b"/> of the campaign through every epoch on the calling thread (a comparison's arm).</summary>
    public static BatchResult RunBatch(CampaignOptions options, int b, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Batch(options, b).RunAll(null, ct);
    }

    private static CampaignBatch Batch(CampaignOptions options, int b)
    {
        int first = b * options.BatchSize;
        return new CampaignBatch(options, b, options.FirstMachineId + first, Math.Min(options.BatchSize, options.Machines - first));
    }

    private static CampaignResult RunStreaming(CampaignOptions options, Action<CampaignProgress>? progress, Action<EpochOutput>? record, IBatchSink? sink, CancellationToken ct)
    {
        int count = BatchCount(options);
        int threads = Math.Max(1, options.Threads);
        var builder = new CampaignResultBuilder(options);
        long machineEpochs = (long)options.Machines * options.EpochCount;
        BatchStream.Run<(BatchResult Result, IReadOnlyList<EpochOutput>? Outputs, bool Resumed)>(count, threads, window: 4 * threads, (b, token) =>
        {
            if (sink?.Resume(b) is { } done)
            {
                return (done, record is null ? null : sink.ResumeOutputs(b), true);
            }

            var outputs = record is null ? null : new List<EpochOutput>(options.EpochCount);
            var result = Batch(options, b).RunAll(outputs is null ? null : outputs.Add, token);
            return (result, outputs, false);
        }, (b, item) =>
        {
            if (item.Outputs is { } outputs)
            {
                // The sinks see the encoded frames first: the recorder hands their pooled bytes back as it writes them.
                if (!item.Resumed)
                {
                    sink?.Outputs(item.Result, outputs);
                }

                foreach (var output in outputs)
                {
                    record!(output);
                }
            }

            builder.Add(item.Result);
            sink?.Done(item.Result, item.Resumed);
            progress?.Invoke(new CampaignProgress(builder.MachinesAdded * (long)options.EpochCount, machineEpochs, builder.MachinesAdded, options.DurationNs, builder.Total.HandlerEvents, builder.Total));
        }, ct);

        return builder.Build();
    }

    private static CampaignResult RunLockstep(CampaignOptions options, Action<CampaignProgress>? progress, Action<EpochOutput>? record, IBatchSink? sink, CancellationToken ct)
    {
        var batches = new List<CampaignBatch>();
        for (int b = 0, n = BatchCount(options); b < n; b++)
        {
            batches.Add(Batch(options, b));
        }

        int epochs = options.EpochCount;
        var total = default(CampaignCounts);
        var perBatch = new CampaignCounts[batches.Count][];
        int threads = Math.Max(1, options.Threads);
        BatchRunner.Run<CampaignBatch, EpochOutput>(batches, epochs, threads, channelCapacity: 64 * threads, (epoch, batch, output) =>
        {
            total.Add(output.Counts);
            (perBatch[batch] ??= new CampaignCounts[epochs])[epoch] = output.Counts;
            record?.Invoke(output);
            if (batch == batches.Count - 1)
            {
                progress?.Invoke(new CampaignProgress((epoch + 1L) * options.Machines, (long)epochs * options.Machines, epoch == epochs - 1 ? options.Machines : 0, Math.Min((epoch + 1L) * options.EpochNs, options.DurationNs), total.HandlerEvents, in total));
            }
        }, ct);

        var builder = new CampaignResultBuilder(options);
        foreach (var b in batches)
        {
            var result = new BatchResult(b.BatchIndex, b.FirstMachineId, b.Outcomes.ToArray(), perBatch[b.BatchIndex] ?? new CampaignCounts[epochs], b.Dimms);
            builder.Add(result);
            sink?.Done(result, false);
        }

        return builder.Build();
    }
}

/// <summary>Something that sees a campaign's finished batches in batch order (a shard file, a journal, a per-machine table).</summary>
public interface IBatchSink
{
    /// <summary>A batch already run (from a checkpoint), or null to run it; called from the workers, concurrently.</summary>
    BatchResult? Resume(int batch) => null;

    /// <summary>
    /// With recording on: the epoch outputs of a batch <see cref="Resume"/> supplied, so the recorder gets the frames of
    /// batches that are not run again; null when the sink has none (the batch then cannot be resumed for a recording).
    /// </summary>
    IReadOnlyList<EpochOutput>? ResumeOutputs(int batch) => null;

    /// <summary>With recording on: a newly run batch's epoch outputs, on the consumer, just before they are recorded (their bytes are lent).</summary>
    void Outputs(BatchResult result, IReadOnlyList<EpochOutput> outputs)
    {
    }

    /// <summary>Called in batch order, on the consumer, with each finished batch; <paramref name="resumed"/> when it came from <see cref="Resume"/>.</summary>
    void Done(BatchResult result, bool resumed);
}

/// <summary>
/// Folds batch results, in batch (machine) order, into a <see cref="CampaignResult"/>: the totals from the epoch
/// counts, the digest over machine outcomes in machine order, the per-machine sums. <c>mca merge</c> uses it too,
/// so a merged run and an unsharded one give the same result by construction.
/// </summary>
public sealed class CampaignResultBuilder
{
    private static readonly int OutcomeCount = Enum.GetValues<CampaignOutcome>().Length;
    private readonly XxHash128 _hash = new();
    private readonly CountSums[] _sums = new CountSums[OutcomeCount];
    private readonly CampaignCounts[] _epochs;
    private readonly int _machines;
    private readonly long _durationNs;
    private readonly long _epochNs;
    private readonly byte[] _scratch = new byte[8];
    private CampaignCounts _total;
    private readonly ImportanceBias? _bias;
    private readonly WeightedSums[] _weighted = new WeightedSums[OutcomeCount];
    private double _sumW, _sumW2;
    private int _reset, _withUc, _withVmce;
    private long _dimms, _dimmsWithCe;

    public CampaignResultBuilder(CampaignOptions options)
        : this(options?.Machines ?? throw new ArgumentNullException(nameof(options)), options.DurationNs, options.EpochNs, options.EpochCount, options.Bias)
    {
    }

    public CampaignResultBuilder(int machines, long durationNs, long epochNs, int epochCount, ImportanceBias? bias = null)
    {
        _bias = bias;
        _machines = machines;
        _durationNs = durationNs;
        _epochNs = epochNs;
        _epochs = new CampaignCounts[epochCount];
    }

    /// <summary>Machines added so far.</summary>
    public int MachinesAdded { get; private set; }

    /// <summary>The totals so far.</summary>
    public CampaignCounts Total => _total;

    /// <summary>Adds the next batch (the batches must come in machine order for the digest).</summary>
    public void Add(BatchResult batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Epochs.Length != _epochs.Length)
        {
            throw new ArgumentException($"batch {batch.Batch} has {batch.Epochs.Length} epochs: expected {_epochs.Length}", nameof(batch));
        }

        for (int e = 0; e < _epochs.Length; e++)
        {
            _epochs[e].Add(in batch.Epochs[e]);
            _total.Add(in batch.Epochs[e]);
        }

        foreach (ref readonly var m in batch.Machines.AsSpan())
        {
            _reset += m.Resets > 0 ? 1 : 0;
            _withUc += m.UncorrectedArrivals > 0 ? 1 : 0;
            _withVmce += m.VmceInjected > 0 ? 1 : 0;
            _dimmsWithCe += m.DimmsWithCe;
            AppendOutcome(_hash, in m, _scratch);
            for (int o = 0; o < _sums.Length; o++)
            {
                _sums[o].Add(m.Value((CampaignOutcome)o));
            }

            if (_bias is { } bias)
            {
                double w = bias.Weight(in m.CpuPrimaries);
                _sumW += w;
                _sumW2 += w * w;
                for (int o = 0; o < _weighted.Length; o++)
                {
                    _weighted[o].Add(w, m.Value((CampaignOutcome)o));
                }
            }
        }

        _dimms += batch.Dimms;
        MachinesAdded += batch.Machines.Length;
    }

    /// <summary>The result (once every machine is added).</summary>
    public CampaignResult Build() => Build(_machines);

    /// <summary>The result over <paramref name="machines"/> machines (a run that stopped early: <see cref="MachinesAdded"/>).</summary>
    public CampaignResult Build(int machines) => new()
    {
        Machines = machines,
        DurationNs = _durationNs,
        Counts = _total,
        MachinesReset = _reset,
        MachinesWithUncorrected = _withUc,
        MachinesWithVmce = _withVmce,
        Digest = Convert.ToHexStringLower(_hash.GetCurrentHash()),
        Dimms = _dimms,
        DimmsWithCe = _dimmsWithCe,
        Outcomes = (CountSums[])_sums.Clone(),
        EpochCounts = (CampaignCounts[])_epochs.Clone(),
        EpochNs = _epochNs,
        Weighted = _bias is null ? null : new ImportanceEstimates(_bias, (WeightedSums[])_weighted.Clone(), _sumW, _sumW2),
    };

    /// <summary>Feeds one machine's outcome to the digest, field by field in little-endian order.</summary>
    private static void AppendOutcome(XxHash128 hash, in MachineOutcome m, Span<byte> scratch)
    {
        Span<long> fields = [m.Resets, m.MceEvents, m.UncorrectedArrivals, m.VmceInjected, m.DomainsCrashed, m.LogsDelivered, m.LogsLost, m.CorrectedErrors, (long)m.EventHash];
        foreach (long f in fields)
        {
            BinaryPrimitives.WriteInt64LittleEndian(scratch, f);
            hash.Append(scratch);
        }
    }
}
