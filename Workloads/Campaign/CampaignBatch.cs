using System.Runtime.InteropServices;
using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Workloads.Campaign;

/// <summary>
/// One batch of a campaign: its machines' ECS world and error source, stepped one epoch at a time by
/// the parallel engine (one thread at a time). Tallies and per-machine outcomes are computed here,
/// in parallel; the consumer only adds them up in order.
/// </summary>
public sealed class CampaignBatch : IBatchStepper<EpochOutput>
{
    private readonly CampaignOptions _options;
    private readonly int _batchIndex;
    private readonly MachineOutcome[] _outcomes;
    private MachineBatch? _machines;
    private IErrorSource? _source;

    public CampaignBatch(CampaignOptions options, int batchIndex, int firstMachineId, int machineCount)
    {
        _options = options;
        _batchIndex = batchIndex;
        FirstMachineId = firstMachineId;
        MachineCount = machineCount;
        _outcomes = new MachineOutcome[machineCount];
    }

    public int FirstMachineId { get; }
    public int MachineCount { get; }
    public ReadOnlySpan<MachineOutcome> Outcomes => _outcomes;
    public IErrorSource? Source => _source;

    public EpochOutput Step(int epochIndex)
    {
        var o = _options;
        if (_machines is null)
        {
            _source = o.Source(FirstMachineId, MachineCount, o.DurationNs);
            _machines = new MachineBatch(o.Machine, o.Policy, FirstMachineId, MachineCount, o.Seed, _source, literalPolling: o.LiteralPolling);
        }

        var batch = _machines;
        long end = Math.Min((epochIndex + 1L) * o.EpochNs, o.DurationNs);
        batch.RunUntil(end);
        var counts = default(CampaignCounts);
        var events = batch.Events.Events;
        bool ser = o.Machine.Ser;
        foreach (ref readonly var e in events)
        {
            counts.Tally(in e, ser, o.Machine.RebootDowntimeNs, o.DurationNs);
            Account(in e);
        }

        var kept = o.KeepEvents ? events.ToArray() : null;
        if (epochIndex == o.EpochCount - 1)
        {
            // The last epoch: release the world; only the outcomes are needed from here on.
            _machines = null;
        }

        batch.Events.Clear();
        return new EpochOutput(epochIndex, _batchIndex, FirstMachineId, counts, kept);
    }

    private void Account(in HandlerEvent e)
    {
        ref var m = ref _outcomes[e.Machine - FirstMachineId];
        m.EventHash = Mix(m.EventHash ^ HashEvent(in e));
        switch (e.Kind)
        {
            case HandlerEventKind.Reset:
                m.Resets++;
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
                    m.CorrectedErrors += Math.Max(1, e.Arg2);
                }

                break;
            case HandlerEventKind.VmceInjected when e.Arg2 != 0:
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
