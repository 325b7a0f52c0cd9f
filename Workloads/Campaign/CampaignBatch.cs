using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Pipeline;

namespace Mca.Workloads.Campaign;

/// <summary>
/// One batch of a campaign: its machines' ECS world and error source, stepped one epoch at a time by
/// the parallel engine (one thread at a time). Tallies and per-machine outcomes are computed here,
/// in parallel; the consumer only adds them up in order.
/// </summary>
internal sealed class CampaignBatch : IBatchStepper<EpochOutput>
{
    private readonly CampaignOptions _options;
    private readonly int _batchIndex;
    private readonly MachineOutcome[] _outcomes;
    private MachineBatch? _machines;
    private IBatchRecorder? _recorder;
    private IErrorSource? _source;
    private EpochOutput? _idle;
    private bool[]? _touched;
    private MachineStateHash[]? _hashes;

    public CampaignBatch(CampaignOptions options, int batchIndex, int firstMachineId, int machineCount)
    {
        _options = options;
        _batchIndex = batchIndex;
        FirstMachineId = firstMachineId;
        MachineCount = machineCount;
        _outcomes = new MachineOutcome[machineCount];
    }

    public int BatchIndex => _batchIndex;
    public int FirstMachineId { get; }
    public int MachineCount { get; }
    public ReadOnlySpan<MachineOutcome> Outcomes => _outcomes;
    public IErrorSource? Source => _source;
    /// <summary>DIMMs of the batch's machines (set at the last epoch).</summary>
    public long Dimms { get; private set; }

    /// <summary>
    /// Runs the batch through every epoch on the calling thread and returns what it produced; the world is
    /// dropped at the end (the streaming engine, <see cref="BatchStream"/>). <paramref name="each"/> sees each
    /// epoch's output in epoch order.
    /// </summary>
    public BatchResult RunAll(Action<EpochOutput>? each, CancellationToken ct)
    {
        var epochs = new CampaignCounts[_options.EpochCount];
        for (int e = 0; e < epochs.Length; e++)
        {
            ct.ThrowIfCancellationRequested();
            var output = Step(e);
            epochs[e] = output.Counts;
            each?.Invoke(output.Epoch == e ? output : output with { Epoch = e });
        }

        return new BatchResult(_batchIndex, FirstMachineId, _outcomes, epochs, Dimms);
    }

    public EpochOutput Step(int epochIndex)
    {
        var o = _options;
        if (_machines is null)
        {
            _source = o.Source(FirstMachineId, MachineCount, o.DurationNs);
            _machines = MachineBatches.Create(o.Machine, o.Policy, FirstMachineId, MachineCount, o.Seed, _source, literalPolling: o.LiteralPolling, foldCorrectedRuns: true);
            _recorder = o.Recorder?.Invoke(_machines);
        }

        var batch = _machines;
        long end = Math.Min((epochIndex + 1L) * o.EpochNs, o.DurationNs);
        batch.RunUntil(end);
        if (end == o.DurationNs)
        {
            batch.CloseRuns();
        }
        var events = batch.Events.Events;
        if (events.IsEmpty && !o.KeepEvents && epochIndex != o.EpochCount - 1)
        {
            // Nothing happened and nothing is recorded: the batch's one shared empty output (idle epochs cost no allocation).
            return _idle ??= new EpochOutput(epochIndex, _batchIndex, FirstMachineId, default, null);
        }

        var counts = default(CampaignCounts);
        (counts.DimmTriggers, counts.SocketTriggers, counts.UesOnRetiredPages) = batch.TakeDaemonCounters();
        if (end == o.DurationNs)
        {
            counts.PagesRetiredAtEnd = batch.RetiredPages(o.DurationNs - 1);
        }

        bool ser = o.Machine.Ser;
        foreach (ref readonly var e in events)
        {
            counts.Tally(in e, ser, o.Machine.RebootDowntimeNs, o.DurationNs);
            Account(in e, ser, o.Machine.RebootDowntimeNs, o.DurationNs);
        }

        if (epochIndex == o.EpochCount - 1)
        {
            CloseOutcomes(batch, o.DurationNs);
        }

        HandlerEvent[]? kept = null;
        RecordedInput[]? inputs = null;
        MachineStateHash[]? hashes = null;
        EpochRecord? record = null;
        if (_recorder is { } recorder)
        {
            var touched = StateHashes(recorder, events);
            if (o.Encoder is { } encoder)
            {
                // Encoded here, in parallel; the engine's buffers are reused right after.
                record = encoder.Encode(epochIndex, _batchIndex, FirstMachineId, events, recorder.Inputs, touched);
                if (record is null)
                {
                    // Recorded, and nothing happened: empty, not absent.
                    (kept, inputs, hashes) = ([], [], []);
                }
            }
            else
            {
                kept = events.ToArray();
                inputs = recorder.Inputs.ToArray();
                hashes = touched.ToArray();
            }
        }

        if (epochIndex == o.EpochCount - 1)
        {
            // The last epoch: release the world and its recorder; only the outcomes are needed from here on.
            _machines = null;
            _recorder = null;
        }

        batch.Events.Clear();
        _recorder?.EpochDone();

        return new EpochOutput(epochIndex, _batchIndex, FirstMachineId, counts, kept, inputs, hashes, record);
    }

    /// <summary>State hashes of the machines that had events this epoch, in machine order (valid until the next step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ReadOnlySpan<MachineStateHash> StateHashes(IBatchRecorder recorder, ReadOnlySpan<HandlerEvent> events)
    {
        _touched ??= new bool[MachineCount];
        _hashes ??= new MachineStateHash[MachineCount];
        foreach (ref readonly var e in events)
        {
            _touched[e.Machine - FirstMachineId] = true;
        }

        int n = 0;
        for (int i = 0; i < MachineCount; i++)
        {
            if (_touched[i])
            {
                _touched[i] = false;
                _hashes[n++] = new MachineStateHash(FirstMachineId + i, recorder.StateHash(i));
            }
        }

        return _hashes.AsSpan(0, n);
    }

    /// <summary>Adds one event to its machine's outcome: the hashed facts, and the machine's counts by <see cref="CampaignCounts.Tally"/>.</summary>
    private void Account(in HandlerEvent e, bool ser, long rebootDowntimeNs, long horizonNs)
    {
        ref var m = ref _outcomes[e.Machine - FirstMachineId];
        m.EventHash = Mix(m.EventHash ^ HashEvent(in e));
        m.Counts.Tally(in e, ser, rebootDowntimeNs, horizonNs);
        switch (e.Kind)
        {
            case HandlerEventKind.CorrectedRun:
                m.CorrectedErrors += e.Arg;
                m.LogsDelivered += e.RunLogged;
                m.LogsLost += e.RunLost;
                break;
            case HandlerEventKind.Reset:
                if (m.Resets++ == 0)
                {
                    m.FirstResetNs = e.TimeNs;
                }

                break;
            case HandlerEventKind.MceEntered:
                m.MceEvents++;
                break;
            case HandlerEventKind.ErrorArrived:
                if ((e.Status & Systems.Hardware.MciStatusBits.Uc) != 0)
                {
                    m.UncorrectedArrivals++;
                }
                else
                {
                    m.CorrectedErrors += e.ErrorCount;
                }

                break;
            case HandlerEventKind.VmceInjected when e.IsTargetVcpu:
                m.VmceInjected++;
                break;
            case HandlerEventKind.DomainCrashed:
                m.DomainsCrashed++;
                break;
            case HandlerEventKind.Dom0Logged:
                m.LogsDelivered++;
                break;
            case HandlerEventKind.LogLost:
                m.LogsLost++;
                break;
            default:
                break;
        }
    }

    /// <summary>The batch's last epoch: each machine's facts that are read off the world, not counted from events.</summary>
    private void CloseOutcomes(MachineBatch batch, long horizonNs)
    {
        var facts = _source as IWorkloadFacts;
        for (int i = 0; i < MachineCount; i++)
        {
            ref var m = ref _outcomes[i];
            (m.Counts.DimmTriggers, m.Counts.SocketTriggers, m.Counts.UesOnRetiredPages) = batch.DaemonCountersOf(i);
            m.Counts.PagesRetiredAtEnd = batch.RetiredPagesOf(i, horizonNs - 1);
            m.DimmsWithCe = facts?.DimmsWithCe(i) ?? 0;
            for (int c = 0; c < 4; c++)
            {
                m.CpuPrimaries[c] = facts?.CpuPrimaries(i, c) ?? 0;
            }
        }

        Dimms = facts is null ? 0 : (long)facts.DimmsPerMachine * MachineCount;
    }

    /// <summary>A 64-bit hash of every field of an event (a pure function of its bytes).</summary>
    internal static ulong HashEvent(in HandlerEvent e)
    {
        // Field by field: struct padding never reaches the hash.
        Span<ulong> fields =
        [
            (ulong)e.TimeNs,
            ((ulong)(uint)e.Machine << 32) | ((ulong)e.Kind << 16) | (ushort)e.Cpu,
            ((ulong)(ushort)e.Bank << 32) | ((ulong)(ushort)e.Domain << 16) | (ushort)e.Vcpu,
            e.Status,
            e.Addr,
            e.Misc,
            (ulong)e.Arg,
            (ulong)e.Arg2,
        ];
        return System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(fields));
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
