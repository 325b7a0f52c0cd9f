using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 8 (docs/design.md): VIRQ_MCA wakes dom0's handler after its latency; it fetches and acks
/// telemetry, URGENT then NONURGENT, and writes each bank record to mcelog (Linux drivers/xen/mcelog.c; Xen mctelem.c).
/// </summary>
internal sealed class LogDom0System
{
    private readonly MachineBatch _batch;
    /// <summary>Dom0's index among the machine's domains (-1 if the shape has none).</summary>
    private readonly int _dom0;

    public LogDom0System(MachineBatch batch)
    {
        _batch = batch;
        _dom0 = batch.DomainIndexOf(0);
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new Dom0Due(this);
        _batch.World.ForEachRow<MachineState, Dom0Due>(machines, ref due);
    }

    private void Run(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up)
        {
            return;
        }

        int d0 = _dom0;
        bool listening = d0 >= 0 && _batch.DomainsOf(m)[d0] is { VirqMcaBound: true, RunState: DomainRunState.Running };
        if (s.VirqPending)
        {
            s.VirqPending = false;
            if (listening)
            {
                _batch.Emit(_batch.NewEvent(m, HandlerEventKind.VirqSent));
                s.Dom0FetchAtNs = Math.Min(s.Dom0FetchAtNs, s.NowNs + _batch.Spec.Dom0LogLatencyNs);
            }
        }

        if (s.Dom0FetchAtNs <= s.NowNs)
        {
            s.Dom0FetchAtNs = long.MaxValue;
            if (listening)
            {
                Drain(m, urgent: true);
                Drain(m, urgent: false);
            }
        }
    }

    /// <summary>The system's pass over the machines due this round (machine rows are machine indices).</summary>
    private readonly struct Dom0Due(LogDom0System system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Run(row, ref s);
    }

    /// <summary>The consumer loop: fetch the oldest record, log its banks, ack it; stop at NODATA.</summary>
    private void Drain(int machine, bool urgent)
    {
        // Bounded by the pool size: every ack frees one entry.
        for (int guard = 0; guard < 64; guard++)
        {
            int cookie = _batch.Telemetry.Fetch(machine, urgent);
            if (cookie < 0)
            {
                return;
            }

            _batch.Telemetry.LogToDom0(machine, cookie);
            _batch.Telemetry.Ack(machine, urgent, cookie);
        }
    }
}
