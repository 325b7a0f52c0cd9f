using System.Globalization;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>
/// Groups one <see cref="EpochOutput"/> by machine: a stable counting sort of its inputs and events on the
/// machine's index in the batch, so each machine's items keep the engine's order. The writer serializes
/// from it without copying; comparisons turn it into <see cref="MachineFrame"/>s. Buffers are reused.
/// </summary>
internal sealed class FrameGrouper
{
    private int[] _inputStart = new int[257];
    private int[] _eventStart = new int[257];
    private int[] _inputOrder = new int[64];
    private int[] _eventOrder = new int[64];
    private int[] _hashAt = new int[256];
    private int[] _cursor = new int[256];

    public EpochOutput Output { get; private set; } = null!;

    /// <summary>Machines in the batch as far as the output shows (the highest local index seen + 1).</summary>
    public int Span { get; private set; }

    /// <summary>Machines that have inputs, events or a state hash.</summary>
    public int MachineCount { get; private set; }

    public void Group(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Events is null || output.Inputs is null || output.StateHashes is null)
        {
            throw new ArgumentException("the campaign ran without recording: expected CampaignOptions.KeepEvents = true", nameof(output));
        }

        Output = output;
        var events = output.Events;
        var inputs = output.Inputs;
        var hashes = output.StateHashes;
        int first = output.FirstMachineId;
        int span = 0;
        foreach (ref readonly var e in events.AsSpan())
        {
            span = Math.Max(span, Local(e.Machine, first) + 1);
        }

        foreach (ref readonly var i in inputs.AsSpan())
        {
            span = Math.Max(span, Local(i.Machine, first) + 1);
        }

        foreach (var h in hashes)
        {
            span = Math.Max(span, Local(h.Machine, first) + 1);
        }

        Span = span;
        Ensure(ref _inputStart, span + 1);
        Ensure(ref _eventStart, span + 1);
        Ensure(ref _hashAt, span);
        Ensure(ref _cursor, span);
        Ensure(ref _inputOrder, inputs.Length);
        Ensure(ref _eventOrder, events.Length);
        Array.Clear(_inputStart, 0, span + 1);
        Array.Clear(_eventStart, 0, span + 1);
        Array.Fill(_hashAt, -1, 0, span);

        // Counting sort: counts, prefix sums, then a stable scatter.
        foreach (ref readonly var i in inputs.AsSpan())
        {
            _inputStart[i.Machine - first + 1]++;
        }

        foreach (ref readonly var e in events.AsSpan())
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
        for (int k = 0; k < hashes.Length; k++)
        {
            int local = hashes[k].Machine - first;
            if (_hashAt[local] >= 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"machine {hashes[k].Machine} has two state hashes in epoch {output.Epoch}: expected one"), nameof(output));
            }

            _hashAt[local] = k;
        }

        int present = 0;
        for (int m = 0; m < span; m++)
        {
            present += Has(m) ? 1 : 0;
        }

        MachineCount = present;
    }

    /// <summary>Whether local machine <paramref name="local"/> has anything this epoch.</summary>
    public bool Has(int local) => InputCount(local) > 0 || EventCount(local) > 0 || _hashAt[local] >= 0;

    public int InputCount(int local) => _inputStart[local + 1] - _inputStart[local];

    public int EventCount(int local) => _eventStart[local + 1] - _eventStart[local];

    public ref readonly RecordedInput Input(int local, int k) => ref Output.Inputs![_inputOrder[_inputStart[local] + k]];

    public ref readonly HandlerEvent Event(int local, int k) => ref Output.Events![_eventOrder[_eventStart[local] + k]];

    public ulong? Hash(int local) => _hashAt[local] >= 0 ? Output.StateHashes![_hashAt[local]].Hash : null;

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

            sections[n++] = new MachineFrame(Output.FirstMachineId + m, inputs, events, Hash(m));
        }

        return sections;
    }

    private void Scatter(RecordedInput[] inputs, int first)
    {
        // _inputStart[m] is where machine m's inputs start; a cursor per machine walks through them.
        var cursor = _cursor;
        Array.Clear(cursor, 0, Span);
        for (int k = 0; k < inputs.Length; k++)
        {
            int m = inputs[k].Machine - first;
            _inputOrder[_inputStart[m] + cursor[m]++] = k;
        }
    }

    private void Scatter(HandlerEvent[] events, int first)
    {
        var cursor = _cursor;
        Array.Clear(cursor, 0, Span);
        for (int k = 0; k < events.Length; k++)
        {
            int m = events[k].Machine - first;
            _eventOrder[_eventStart[m] + cursor[m]++] = k;
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

    private static void Ensure(ref int[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new int[Math.Max(length, buffer.Length * 2)];
        }
    }
}
