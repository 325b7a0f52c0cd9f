using System.Diagnostics;

namespace Mca.Systems.Engine;

/// <summary>
/// A binary min-heap of (time, machine) with a fixed capacity of one entry per machine. Ties are
/// broken by machine index, so the order of a round never depends on insertion history.
/// </summary>
internal sealed class Agenda
{
    private readonly long[] _times;
    private readonly int[] _machines;

    public Agenda(int capacity)
    {
        _times = new long[capacity];
        _machines = new int[capacity];
    }

    public int Count { get; private set; }

    public (long TimeNs, int Machine) Peek()
    {
        Debug.Assert(Count > 0, "peek on an empty agenda");
        return (_times[0], _machines[0]);
    }

    public void Push(long timeNs, int machine)
    {
        if (Count == _times.Length)
        {
            throw new InvalidOperationException($"agenda full ({Count}): a machine was scheduled twice");
        }

        int i = Count++;
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Less(timeNs, machine, _times[parent], _machines[parent]))
            {
                break;
            }

            _times[i] = _times[parent];
            _machines[i] = _machines[parent];
            i = parent;
        }

        _times[i] = timeNs;
        _machines[i] = machine;
    }

    public (long TimeNs, int Machine) Pop()
    {
        Debug.Assert(Count > 0, "pop on an empty agenda");
        var top = (_times[0], _machines[0]);
        int last = --Count;
        long t = _times[last];
        int m = _machines[last];
        int i = 0;
        while (true)
        {
            int child = (2 * i) + 1;
            if (child >= last)
            {
                break;
            }

            if (child + 1 < last && Less(_times[child + 1], _machines[child + 1], _times[child], _machines[child]))
            {
                child++;
            }

            if (!Less(_times[child], _machines[child], t, m))
            {
                break;
            }

            _times[i] = _times[child];
            _machines[i] = _machines[child];
            i = child;
        }

        _times[i] = t;
        _machines[i] = m;
        return top;
    }

    private static bool Less(long t1, int m1, long t2, int m2) => t1 < t2 || (t1 == t2 && m1 < m2);
}
