using System.Diagnostics;
using Mca.Systems.Components;

namespace Mca.Systems.Engine;

/// <summary>
/// When each machine of a batch next has work: the agenda of next-event times, the rule that computes a
/// machine's next instant (an arrival, a useful poll, dom0's fetch, a reboot or a domain restart), and the
/// poll-scan cache that lets an empty poll be skipped in closed form. The row table tells it when a machine's
/// banks are written (<see cref="BanksWritten"/>), the only thing that can make a skipped poll find something.
/// </summary>
internal sealed class BatchScheduler
{
    private readonly MachineBatch _batch;
    private readonly Agenda _agenda;
    private readonly int[] _due;
    /// <summary>Per machine: whether a polled bank holds a valid record, kept until a bank of the machine is written.</summary>
    private readonly PollScan[] _pollScan;
    /// <summary>The bank rows in some CPU's poll mask, the only ones a poll can find (the same on every machine: cmci_discover).</summary>
    private int[] _polledRows = [];

    internal BatchScheduler(MachineBatch batch)
    {
        _batch = batch;
        _agenda = new Agenda(batch.MachineCount);
        _due = new int[batch.MachineCount];
        _pollScan = new PollScan[batch.MachineCount]; // every machine starts PollScan.Stale (0)
    }

    /// <summary>
    /// Takes every machine whose next instant is before <paramref name="endNs"/> off the agenda, moves each to that
    /// instant and returns them (valid until the next call); empty when nothing is due.
    /// </summary>
    internal ReadOnlySpan<int> TakeDue(long endNs)
    {
        var machines = _batch.Machines;
        int count = 0;
        while (_agenda.Count > 0 && _agenda.Peek().TimeNs < endNs)
        {
            var (time, m) = _agenda.Pop();
            Debug.Assert(time >= machines[m].NowNs, "time never goes back");
            machines[m].NowNs = time;
            _due[count++] = m;
        }

        return _due.AsSpan(0, count);
    }

    /// <summary>Puts every machine of <paramref name="machines"/> back on the agenda at its next instant.</summary>
    internal void ScheduleAll(ReadOnlySpan<int> machines)
    {
        foreach (int m in machines)
        {
            Schedule(m);
        }
    }

    /// <summary>Recomputes a machine's next instant and puts it on the agenda (nothing if it has none).</summary>
    internal void Schedule(int machine)
    {
        long next = NextEventNs(machine);
        if (next != long.MaxValue)
        {
            _agenda.Push(next, machine);
        }
    }

    /// <summary>A bank of <paramref name="machine"/> was (or may have been) written: its poll scan is stale.</summary>
    internal void BanksWritten(int machine) => _pollScan[machine] = PollScan.Stale;

    /// <summary>Lists the polled banks once CMCI ownership is known (after the first boot).</summary>
    internal void ListPolledBanks() => _polledRows = PolledRows();

    /// <summary>The machine's next instant with work: an arrival, a useful poll, dom0's fetch, a reboot or a restart.</summary>
    public long NextEventNs(int machine)
    {
        ref var m = ref _batch.Machines[machine];
        long next = _batch.Source.NextArrivalNs(machine);
        if (m.Phase == MachinePhase.Hung)
        {
            // A hung machine never runs again, so nothing is due (its later errors are never taken).
            return long.MaxValue;
        }

        if (m.Phase == MachinePhase.Down)
        {
            // Nothing runs while down; errors due meanwhile arrive once it is up again.
            return m.UpAtNs;
        }

        next = Math.Max(next, m.NowNs);
        next = Math.Min(next, m.Dom0FetchAtNs);
        next = Math.Min(next, NextRestartNs(machine));
        // The bank scan only matters when the poll would come first.
        if (m.NextPollNs < next && (_batch.LiteralPolling || PollWouldFind(machine)))
        {
            next = m.NextPollNs;
        }

        return next;
    }

    private long NextRestartNs(int machine)
    {
        long next = long.MaxValue;
        foreach (ref var d in _batch.DomainsOf(machine))
        {
            if (d.RunState != DomainRunState.Running)
            {
                next = Math.Min(next, d.RestartAtNs);
            }
        }

        return next;
    }

    /// <summary>
    /// Whether the next poll round would find a valid bank (so it must be visited). The bank scan is kept
    /// per machine until a bank of it is written (<see cref="BanksWritten"/>).
    /// </summary>
    public bool PollWouldFind(int machine)
    {
        if (_batch.Machines[machine].PostResetPollDue)
        {
            return true;
        }

        ref PollScan scan = ref _pollScan[machine];
        if (scan == PollScan.Stale)
        {
            scan = ScanPolledBanks(machine) ? PollScan.Finds : PollScan.Empty;
        }

        return scan == PollScan.Finds;
    }

    private int[] PolledRows()
    {
        var spec = _batch.Spec;
        var polled = new bool[spec.BankInstanceCount];
        var cpus = _batch.CpusOf(0);
        for (int c = 0; c < cpus.Length; c++)
        {
            for (int b = 0; b < spec.BankCount; b++)
            {
                if ((cpus[c].PollMask & (1UL << b)) != 0)
                {
                    polled[spec.BankInstanceOf(c, b)] = true;
                }
            }
        }

        var rows = new List<int>();
        for (int row = 0; row < polled.Length; row++)
        {
            if (polled[row])
            {
                rows.Add(row);
            }
        }

        return [.. rows];
    }

    /// <summary><see cref="PollWouldFind"/> with the banks scanned afresh (to check the bank marks).</summary>
    public bool PollWouldFindUncached(int machine) => _batch.Machines[machine].PostResetPollDue || ScanPolledBanks(machine);

    /// <summary>Whether a polled bank holds a valid record, real or interposed.</summary>
    private bool ScanPolledBanks(int machine)
    {
        var banks = _batch.BanksOf(machine);
        foreach (int row in _polledRows)
        {
            ref readonly var b = ref banks[row];
            if (((b.Status | (b.InterposedCpu >= 0 ? b.InterposedStatus : 0)) & Hardware.MciStatusBits.Val) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
