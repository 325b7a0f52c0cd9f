using System.Globalization;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay;

/// <summary>
/// Compares two runs epoch by epoch: each side's machine sections of one epoch, in machine order. The
/// divergence of an epoch is the earliest (time, then input before event before state hash, then machine)
/// of every machine's first difference.
/// </summary>
internal static class EpochComparer
{
    /// <summary>The first divergence in <paramref name="epoch"/>, or null if both sides agree on every machine in range.</summary>
    public static ReplayDivergence? Compare(int epoch, long epochEndNs, IReadOnlyList<MachineFrame> expected, IReadOnlyList<MachineFrame> actual, int firstMachine = 0, int endMachine = int.MaxValue)
    {
        ReplayDivergence? best = null;
        foreach (var d in Divergences(epoch, epochEndNs, expected, actual, firstMachine, endMachine))
        {
            if (best is null || d.TimeNs < best.TimeNs || (d.TimeNs == best.TimeNs && Rank(d) < Rank(best)))
            {
                best = d;
            }
        }

        return best;
    }

    /// <summary>Every machine in range whose sections differ in <paramref name="epoch"/>, in machine order.</summary>
    public static List<int> DifferingMachines(int epoch, long epochEndNs, IReadOnlyList<MachineFrame> expected, IReadOnlyList<MachineFrame> actual, int firstMachine = 0, int endMachine = int.MaxValue) =>
        [.. Divergences(epoch, epochEndNs, expected, actual, firstMachine, endMachine).Select(d => d.Machine)];

    /// <summary>The order of divergences at one instant: an input before an event before a state hash.</summary>
    public static int Rank(ReplayDivergence d) => d.What switch
    {
        "input" or "inputs" => 0,
        "event" or "events" => 1,
        _ => 2,
    };

    /// <summary>Each machine's first difference, walking both sides' sections (each in machine order) together.</summary>
    private static IEnumerable<ReplayDivergence> Divergences(int epoch, long epochEndNs, IReadOnlyList<MachineFrame> expected, IReadOnlyList<MachineFrame> actual, int firstMachine, int endMachine)
    {
        int i = 0, j = 0;
        while (i < expected.Count || j < actual.Count)
        {
            int a = i < expected.Count ? expected[i].Machine : int.MaxValue;
            int b = j < actual.Count ? actual[j].Machine : int.MaxValue;
            int machine = Math.Min(a, b);
            var e = a == machine ? expected[i++] : null;
            var x = b == machine ? actual[j++] : null;
            if (machine >= firstMachine && machine < endMachine && CompareMachine(machine, epoch, epochEndNs, e, x) is { } d)
            {
                yield return d;
            }
        }
    }

    private static ReplayDivergence? CompareMachine(int machine, int epoch, long epochEndNs, MachineFrame? expected, MachineFrame? actual)
    {
        var ei = expected?.Inputs ?? [];
        var ai = actual?.Inputs ?? [];
        ReplayDivergence? input = null;
        if ((expected?.InputsStored ?? true) && (actual?.InputsStored ?? true))
        {
            int k = FirstDifference(ei, ai, static (in RecordedInput p, in RecordedInput q) => SameInput(p.Error, q.Error));
            if (k >= 0)
            {
                long t = Math.Min(k < ei.Length ? ei[k].Error.TimeNs : long.MaxValue, k < ai.Length ? ai[k].Error.TimeNs : long.MaxValue);
                input = new ReplayDivergence(machine, t, epoch, "input", k,
                    k < ei.Length ? ReplayText.Input(ei[k].Error) : ReplayDivergence.Nothing,
                    k < ai.Length ? ReplayText.Input(ai[k].Error) : ReplayDivergence.Nothing);
            }
        }
        else if (Count(expected, inputs: true) != Count(actual, inputs: true) || (expected?.InputHash ?? Empty) != (actual?.InputHash ?? Empty))
        {
            // Only the hashes are recorded: the divergence is this machine's epoch, with what the other run took there.
            long t = ai.Length > 0 ? ai[0].Error.TimeNs : epochEndNs;
            input = new ReplayDivergence(machine, t, epoch, "inputs", -1, Hashed(expected, inputs: true), Hashed(actual, inputs: true))
            {
                ActualItems = actual is { InputsStored: true } ? [.. ai.Select(i => ReplayText.Time(i.Error.TimeNs) + "  " + ReplayText.Input(i.Error))] : [],
            };
        }

        var ee = expected?.Events ?? [];
        var ae = actual?.Events ?? [];
        ReplayDivergence? evt = null;
        if ((expected?.EventsStored ?? true) && (actual?.EventsStored ?? true))
        {
            int k = FirstDifference(ee, ae, static (in HandlerEvent p, in HandlerEvent q) => p == q);
            if (k >= 0)
            {
                long t = Math.Min(k < ee.Length ? ee[k].TimeNs : long.MaxValue, k < ae.Length ? ae[k].TimeNs : long.MaxValue);
                evt = new ReplayDivergence(machine, t, epoch, "event", k,
                    k < ee.Length ? ReplayText.Event(ee[k]) : ReplayDivergence.Nothing,
                    k < ae.Length ? ReplayText.Event(ae[k]) : ReplayDivergence.Nothing);
            }
        }
        else if (Count(expected, inputs: false) != Count(actual, inputs: false) || (expected?.EventHash ?? Empty) != (actual?.EventHash ?? Empty))
        {
            long t = ae.Length > 0 ? ae[0].TimeNs : epochEndNs;
            evt = new ReplayDivergence(machine, t, epoch, "events", -1, Hashed(expected, inputs: false), Hashed(actual, inputs: false))
            {
                ActualItems = actual is { EventsStored: true } ? [.. ae.Select(e => ReplayText.Time(e.TimeNs) + "  " + ReplayText.Event(e))] : [],
            };
        }

        if (input is not null && (evt is null || input.TimeNs <= evt.TimeNs))
        {
            return input;
        }

        if (evt is not null)
        {
            return evt;
        }

        ulong? eh = expected?.StateHash;
        ulong? ah = actual?.StateHash;
        if (eh != ah)
        {
            return new ReplayDivergence(machine, epochEndNs, epoch, "state hash", -1, Hash(eh), Hash(ah));
        }

        return null;
    }

    /// <summary>The hash of no items (a machine absent from one side of an epoch took and did nothing).</summary>
    private static readonly uint Empty = Recording.SectionHash.Events([]);

    private static int Count(MachineFrame? f, bool inputs) => f is null ? 0 : inputs ? f.InputCount : f.EventCount;

    private static string Hashed(MachineFrame? f, bool inputs) => f is null
        ? ReplayDivergence.Nothing
        : string.Create(CultureInfo.InvariantCulture, $"{(inputs ? f.InputCount : f.EventCount)} {(inputs ? "inputs" : "events")}, hash 0x{(inputs ? f.InputHash : f.EventHash):x8}");

    private delegate bool Same<T>(in T a, in T b);

    private static int FirstDifference<T>(T[] a, T[] b, Same<T> same)
    {
        int n = Math.Min(a.Length, b.Length);
        for (int k = 0; k < n; k++)
        {
            if (!same(in a[k], in b[k]))
            {
                return k;
            }
        }

        return a.Length == b.Length ? -1 : n;
    }

    /// <summary>Field by field: every field of an injection is recorded and must replay exactly.</summary>
    internal static bool SameInput(in ErrorInjection a, in ErrorInjection b) =>
        a.TimeNs == b.TimeNs && a.Cpu == b.Cpu && a.BankIndex == b.BankIndex && a.Status == b.Status && a.Addr == b.Addr &&
        a.Misc == b.Misc && a.McgStatus == b.McgStatus && a.Signal == b.Signal && a.AutoSignal == b.AutoSignal &&
        a.Interposed == b.Interposed && a.Count == b.Count && a.Context == b.Context && a.InGuest == b.InGuest &&
        a.RunningDomain == b.RunningDomain && a.RunningVcpu == b.RunningVcpu;

    private static string Hash(ulong? h) => h is ulong v ? string.Create(CultureInfo.InvariantCulture, $"0x{v:x16}") : ReplayDivergence.Nothing;
}
