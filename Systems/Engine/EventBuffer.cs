using Mca.Systems.Events;

namespace Mca.Systems.Engine;

/// <summary>
/// A growable, reusable buffer of handler events: no allocation once it reached its working size. Beyond its
/// own small array it borrows a large one, first from the thread's spare, then from a process-wide stack, and
/// gives it back on <see cref="Clear"/>, so the many batches of a fleet, which fill their buffers one at a time
/// per thread, share a few large arrays instead of each growing its own (a fresh fleet of 10,000 machines
/// allocated a third of a GB).
/// </summary>
public sealed class EventBuffer
{
    /// <summary>Large arrays kept for reuse process-wide (a few per worker thread suffice).</summary>
    private const int SharedMax = 16;

    private static readonly Stack<HandlerEvent[]> Shared = new();

    /// <summary>The large array this thread gave back last (see <see cref="Borrow"/>).</summary>
    [ThreadStatic]
    private static HandlerEvent[]? t_spare;

    private readonly HandlerEvent[] _own;
    private HandlerEvent[] _items;

    public EventBuffer(int initialCapacity = 256)
    {
        _own = new HandlerEvent[Math.Max(4, initialCapacity)];
        _items = _own;
    }

    public int Count { get; private set; }

    /// <summary>The events added since the last <see cref="Clear"/>, valid until the next <see cref="Add"/> or <see cref="Clear"/>.</summary>
    public ReadOnlySpan<HandlerEvent> Events => _items.AsSpan(0, Count);

    public void Add(in HandlerEvent e)
    {
        if (Count == _items.Length)
        {
            Grow();
        }

        _items[Count++] = e;
    }

    public void Clear()
    {
        Count = 0;
        if (!ReferenceEquals(_items, _own))
        {
            GiveBack(_items);
            _items = _own;
        }
    }

    private void Grow()
    {
        var larger = Borrow(_items.Length * 2);
        _items.AsSpan().CopyTo(larger);
        if (!ReferenceEquals(_items, _own))
        {
            GiveBack(_items);
        }

        _items = larger;
    }

    private static HandlerEvent[] Borrow(int minimum)
    {
        // First the array this thread gave back last: the batches a worker steps in turn pass it along, and no
        // other thread can take it in between (a warm buffer never allocates, whatever else runs).
        var spare = t_spare;
        if (spare is not null && spare.Length >= minimum)
        {
            t_spare = null;
            return spare;
        }

        lock (Shared)
        {
            while (Shared.TryPop(out var array))
            {
                if (array.Length >= minimum)
                {
                    return array;
                }
            }
        }

        return new HandlerEvent[minimum];
    }

    private static void GiveBack(HandlerEvent[] array)
    {
        // The thread keeps the larger of its spare and this array; the other goes to the shared stack.
        var spare = t_spare;
        if (spare is null || spare.Length <= array.Length)
        {
            t_spare = array;
            if (spare is null)
            {
                return;
            }

            array = spare;
        }

        lock (Shared)
        {
            if (Shared.Count >= SharedMax)
            {
                // Full: keep the larger of the top and this one.
                if (Shared.Peek().Length >= array.Length)
                {
                    return;
                }

                Shared.Pop();
            }

            Shared.Push(array);
        }
    }
}
