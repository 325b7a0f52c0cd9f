namespace Mca.Replay;

/// <summary>
/// Walks a replay's frames one epoch at a time: <see cref="Take"/> returns the machine sections of one
/// epoch (machines in a range, in machine order). Epochs must be taken in increasing order.
/// </summary>
internal sealed class FrameCursor : IDisposable
{
    private readonly IEnumerator<ReplayFrame> _frames;
    private readonly int _firstMachine;
    private readonly int _endMachine;
    private ReplayFrame? _peeked;
    private bool _done;

    public FrameCursor(IEnumerable<ReplayFrame> frames, int firstMachine = 0, int endMachine = int.MaxValue)
    {
        _frames = frames.GetEnumerator();
        _firstMachine = firstMachine;
        _endMachine = endMachine;
    }

    /// <summary>Called with each frame as it is read (tallies, progress).</summary>
    public Action<ReplayFrame>? OnFrame { get; init; }

    /// <summary>The sections of <paramref name="epoch"/> (skipping any earlier epoch not taken).</summary>
    public List<MachineFrame> Take(int epoch)
    {
        var sections = new List<MachineFrame>();
        while (Peek() is { } f && f.Epoch <= epoch)
        {
            _peeked = null;
            if (f.Epoch < epoch)
            {
                continue;
            }

            foreach (var m in f.Machines)
            {
                if (m.Machine >= _firstMachine && m.Machine < _endMachine)
                {
                    sections.Add(m);
                }
            }
        }

        return sections;
    }

    /// <summary>Reads what is left (so the reader's end-of-file checks run); returns whether any frame was left.</summary>
    public bool Drain()
    {
        bool any = false;
        while (Peek() is not null)
        {
            _peeked = null;
            any = true;
        }

        return any;
    }

    public void Dispose() => _frames.Dispose();

    private ReplayFrame? Peek()
    {
        if (_peeked is null && !_done)
        {
            if (_frames.MoveNext())
            {
                _peeked = _frames.Current;
                OnFrame?.Invoke(_peeked);
            }
            else
            {
                _done = true;
            }
        }

        return _peeked;
    }
}
