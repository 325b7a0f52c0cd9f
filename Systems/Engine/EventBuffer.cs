using Mca.Systems.Events;

namespace Mca.Systems.Engine;

/// <summary>A growable, reusable buffer of handler events: no allocation once it reached its working size.</summary>
public sealed class EventBuffer
{
    private HandlerEvent[] _items;

    public EventBuffer(int initialCapacity = 256)
    {
        _items = new HandlerEvent[Math.Max(4, initialCapacity)];
    }

    public int Count { get; private set; }

    public ReadOnlySpan<HandlerEvent> Events => _items.AsSpan(0, Count);

    public void Add(in HandlerEvent e)
    {
        if (Count == _items.Length)
        {
            Array.Resize(ref _items, _items.Length * 2);
        }

        _items[Count++] = e;
    }

    public void Clear() => Count = 0;
}
