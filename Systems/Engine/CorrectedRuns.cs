using Mca.Systems.Events;
using Mca.Systems.Hardware;

namespace Mca.Systems.Engine;

/// <summary>
/// Folds each machine's routine corrected-error events into one <see cref="HandlerEventKind.CorrectedRun"/>
/// (docs/design.md, "Corrected errors at their own instants"). A routine event (a CE arriving, a CMCI, a CE
/// logout, a non-urgent commit, a VIRQ, a CE record dom0 logs) joins the machine's open run; any other event
/// closes it first, and so does the first routine event of a later simulated day (runs never span midnight, so
/// no run depends on where the campaign's epochs end). The literal mode emits every routine event and a
/// closed-form run adds its counts at once; the run events, and so the digest, are the same.
/// </summary>
internal sealed class CorrectedRuns
{
    /// <summary>A run lies within one simulated day, [k x DayNs, (k + 1) x DayNs).</summary>
    public const long DayNs = 86_400 * Model.MachineSpec.NsPerSecond;

    private readonly Run[] _open;
    private readonly int _firstMachineId;
    private readonly EventBuffer _events;

    public CorrectedRuns(int firstMachineId, int machineCount, EventBuffer events)
    {
        _firstMachineId = firstMachineId;
        _open = new Run[machineCount];
        _events = events;
    }

    /// <summary>The first instant of the day after the one holding <paramref name="timeNs"/>: a closed-form run ends before it.</summary>
    public static long NextDayNs(long timeNs) => ((timeNs / DayNs) + 1) * DayNs;

    /// <summary>Whether an event is routine corrected-error handling, which a run stands for.</summary>
    public static bool IsRoutine(in HandlerEvent e) => e.Kind switch
    {
        HandlerEventKind.ErrorArrived or HandlerEventKind.PollFound or HandlerEventKind.Dom0Logged => (e.Status & MciStatusBits.Uc) == 0,
        HandlerEventKind.CmciRaised or HandlerEventKind.VirqSent => true,
        HandlerEventKind.TelemetryCommitted => !e.IsUrgent,
        HandlerEventKind.LogLost => e.LossCause == LossCause.Dom0Buffer && (e.Status & MciStatusBits.Uc) == 0,
        _ => false,
    };

    /// <summary>Adds a routine event to its machine's open run.</summary>
    public void Add(in HandlerEvent e)
    {
        int machine = e.Machine - _firstMachineId;
        ref var r = ref _open[machine];
        if (r.Events > 0 && r.FirstNs / DayNs != e.TimeNs / DayNs)
        {
            Close(machine);
        }

        if (r.Events == 0)
        {
            r.FirstNs = e.TimeNs;
        }

        r.Events++;
        switch (e.Kind)
        {
            case HandlerEventKind.ErrorArrived:
                r.Errors += e.ErrorCount;
                break;
            case HandlerEventKind.CmciRaised:
                r.Cmcis++;
                break;
            case HandlerEventKind.PollFound:
                r.Finds++;
                break;
            case HandlerEventKind.Dom0Logged:
                r.Logged++;
                break;
            case HandlerEventKind.LogLost:
                r.Lost++;
                break;
            default:
                break;
        }
    }

    /// <summary>Adds what a closed-form run handled, starting at <paramref name="firstNs"/>, to the machine's open run.</summary>
    public void Add(int machine, long firstNs, long errors, long cmcis, long finds, long logged, long lost, long events)
    {
        ref var r = ref _open[machine];
        if (r.Events > 0 && r.FirstNs / DayNs != firstNs / DayNs)
        {
            Close(machine);
        }

        if (r.Events == 0)
        {
            r.FirstNs = firstNs;
        }

        r.Events += events;
        r.Errors += errors;
        r.Cmcis += cmcis;
        r.Finds += finds;
        r.Logged += logged;
        r.Lost += lost;
    }

    /// <summary>Closes the machine's open run into the batch's events, if it has one.</summary>
    public void Close(int machine)
    {
        ref var r = ref _open[machine];
        if (r.Events == 0)
        {
            return;
        }

        _events.Add(new HandlerEvent
        {
            TimeNs = r.FirstNs,
            Machine = _firstMachineId + machine,
            Kind = HandlerEventKind.CorrectedRun,
            Cpu = -1,
            Bank = -1,
            Domain = -1,
            Vcpu = -1,
            Arg = r.Errors,
            Arg2 = r.Cmcis,
            Status = (ulong)r.Finds,
            Addr = (ulong)r.Logged,
            Misc = (ulong)r.Events | ((ulong)r.Lost << 32),
        });
        r = default;
    }

    /// <summary>Closes, machine by machine, every open run of a day before the one holding <paramref name="endNs"/> (nothing can join those any more).</summary>
    public void CloseDaysBefore(long endNs)
    {
        long day = endNs / DayNs;
        for (int m = 0; m < _open.Length; m++)
        {
            if (_open[m].Events > 0 && _open[m].FirstNs / DayNs < day)
            {
                Close(m);
            }
        }
    }

    /// <summary>Closes every open run, machine by machine (the end of the campaign).</summary>
    public void CloseAll()
    {
        for (int m = 0; m < _open.Length; m++)
        {
            Close(m);
        }
    }

    private struct Run
    {
        public long FirstNs;
        public long Events;
        public long Errors;
        public long Cmcis;
        public long Finds;
        public long Logged;
        public long Lost;
    }
}
