using Mca.Systems.Events;

namespace Mca.Systems.Engine;

/// <summary>
/// A growable, reusable buffer of handler events: no allocation once it reached its working size. Beyond its
/// own small array it borrows a large one from a process-wide stack and gives it back on <see cref="Clear"/>,
/// so the many batches of a fleet, which fill their buffers one at a time per thread, share a few large
/// arrays instead of each growing its own (a fresh fleet of 10,000 machines allocated a third of a GB).
/// </summary>
public sealed class EventBuffer
{
    /// <summary>Large arrays kept for reuse process-wide (a few per worker thread suffice).</summary>
    private const int MaxShared = 16;

    private static readonly Stack<HandlerEvent[]> Shared = new();

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
        lock (Shared)
        {
            if (Shared.Count < MaxShared)
            {
                Shared.Push(array);
            }
        }
    }
}
