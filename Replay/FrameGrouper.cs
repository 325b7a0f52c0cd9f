using System.Globalization;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>
/// Groups one batch's epoch by machine: a stable counting sort of its inputs and events on the machine's
/// index in the batch, so each machine's items keep the engine's order. The items are copied into reused
/// buffers in grouped order (the writer then reads them sequentially, and the engine's buffers can be
/// reused at once); comparisons turn the groups into <see cref="MachineFrame"/>s.
/// </summary>
internal sealed class FrameGrouper
{
    private int[] _inputStart = new int[257];
    private int[] _eventStart = new int[257];
    private RecordedInput[] _inputs = new RecordedInput[64];
    private HandlerEvent[] _events = new HandlerEvent[64];
    private ulong[] _hash = new ulong[256];
    private bool[] _hasHash = new bool[256];
    private int[] _cursor = new int[256];

    public int Epoch { get; private set; }
    public int Batch { get; private set; }
    public int FirstMachineId { get; private set; }

    /// <summary>Machines in the batch as far as the output shows (the highest local index seen + 1).</summary>
    public int Span { get; private set; }

    /// <summary>Machines that have inputs, events or a state hash.</summary>
    public int MachineCount { get; private set; }

    /// <summary>All events and inputs grouped.</summary>
    public int TotalEvents { get; private set; }
    public int TotalInputs { get; private set; }

    public void Group(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Events is null || output.Inputs is null || output.StateHashes is null)
        {
            throw new ArgumentException("the campaign ran without recording: expected CampaignOptions.KeepEvents = true", nameof(output));
        }

        Group(output.Epoch, output.Batch, output.FirstMachineId, output.Events, output.Inputs, output.StateHashes);
    }

    public void Group(int epoch, int batch, int first, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, ReadOnlySpan<MachineStateHash> hashes)
    {
        Epoch = epoch;
        Batch = batch;
        FirstMachineId = first;
        int span = 0;
        foreach (ref readonly var e in events)
        {
            span = Math.Max(span, Local(e.Machine, first) + 1);
        }

        foreach (ref readonly var i in inputs)
        {
            span = Math.Max(span, Local(i.Machine, first) + 1);
        }

        foreach (ref readonly var h in hashes)
        {
            span = Math.Max(span, Local(h.Machine, first) + 1);
        }

        Span = span;
        TotalEvents = events.Length;
        TotalInputs = inputs.Length;
        Ensure(ref _inputStart, span + 1);
        Ensure(ref _eventStart, span + 1);
        Ensure(ref _hash, span);
        Ensure(ref _hasHash, span);
        Ensure(ref _cursor, span);
        Ensure(ref _inputs, inputs.Length);
        Ensure(ref _events, events.Length);
        Array.Clear(_inputStart, 0, span + 1);
        Array.Clear(_eventStart, 0, span + 1);
        Array.Clear(_hasHash, 0, span);

        // Counting sort: counts, prefix sums, then a stable scatter.
        foreach (ref readonly var i in inputs)
        {
            _inputStart[i.Machine - first + 1]++;
        }

        foreach (ref readonly var e in events)
        {
            _eventStart[e.Machine - first + 1]++;
        }

        for (int m = 0; m < span; m++)
        {
            _inputStart[m + 1] += _inputStart[m];
            _eventStart[m + 1] += _eventStart[m];
        }

        Scatter(inputs, first);
        Scatter(events, first);
        foreach (ref readonly var h in hashes)
        {
            int local = h.Machine - first;
            if (_hasHash[local])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"machine {h.Machine} has two state hashes in epoch {epoch}: expected one"), nameof(hashes));
            }

            _hasHash[local] = true;
            _hash[local] = h.Hash;
        }

        int present = 0;
        for (int m = 0; m < span; m++)
        {
            present += Has(m) ? 1 : 0;
        }

        MachineCount = present;
    }

    /// <summary>Whether local machine <paramref name="local"/> has anything this epoch.</summary>
    public bool Has(int local) => InputCount(local) > 0 || EventCount(local) > 0 || _hasHash[local];

    public int InputCount(int local) => _inputStart[local + 1] - _inputStart[local];

    public int EventCount(int local) => _eventStart[local + 1] - _eventStart[local];

    public ref readonly RecordedInput Input(int local, int k) => ref _inputs[_inputStart[local] + k];

    public ref readonly HandlerEvent Event(int local, int k) => ref _events[_eventStart[local] + k];

    public ulong? Hash(int local) => _hasHash[local] ? _hash[local] : null;

    /// <summary>The grouped output as machine sections (allocates; for comparisons, not for the writer).</summary>
    public MachineFrame[] ToSections()
    {
        var sections = new MachineFrame[MachineCount];
        int n = 0;
        for (int m = 0; m < Span; m++)
        {
            if (!Has(m))
            {
                continue;
            }

            var inputs = new RecordedInput[InputCount(m)];
            for (int k = 0; k < inputs.Length; k++)
            {
                inputs[k] = Input(m, k);
            }

            var events = new HandlerEvent[EventCount(m)];
            for (int k = 0; k < events.Length; k++)
            {
                events[k] = Event(m, k);
            }

            sections[n++] = new MachineFrame(FirstMachineId + m, inputs, events, Hash(m));
        }

        return sections;
    }

    private void Scatter(ReadOnlySpan<RecordedInput> inputs, int first)
    {
        // _inputStart[m] is where machine m's inputs start; a cursor per machine walks through them.
        var cursor = _cursor;
        Array.Clear(cursor, 0, Span);
        foreach (ref readonly var i in inputs)
        {
            int m = i.Machine - first;
            _inputs[_inputStart[m] + cursor[m]++] = i;
        }
    }

    private void Scatter(ReadOnlySpan<HandlerEvent> events, int first)
    {
        var cursor = _cursor;
        Array.Clear(cursor, 0, Span);
        foreach (ref readonly var e in events)
        {
            int m = e.Machine - first;
            _events[_eventStart[m] + cursor[m]++] = e;
        }
    }

    private static int Local(int machine, int first)
    {
        long local = (long)machine - first;
        if (local is < 0 or > 1 << 20)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"machine {machine} is not in the batch starting at machine {first}"));
        }

        return (int)local;
    }

    private static void Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }
}
