using System.Runtime.CompilerServices;
using System.Globalization;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>
/// Groups one batch's epoch by machine: a stable counting sort of its inputs and events on the machine's
/// index in the batch, so each machine's items keep the engine's order. Only positions are sorted (the
/// items stay where the engine put them, and are read through <see cref="EventAt"/> and <see cref="InputAt"/>
/// while those spans are valid); comparisons turn the groups into <see cref="MachineFrame"/>s.
/// </summary>
internal sealed class FrameGrouper
{
    private int[] _inputStart = new int[257];
    private int[] _eventStart = new int[257];
    private int[] _inputOrder = new int[64];
    private int[] _eventOrder = new int[64];
    private ulong[] _hash = new ulong[256];
    private bool[] _hasHash = new bool[256];

    /// <summary>Largest machine index within a batch that a frame may hold.</summary>
    private const int LocalMax = 1 << 20;

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

    /// <summary>Groups an output that kept its items (<c>CampaignOptions.Recorder</c> without an encoder).</summary>
    public void Group(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (output.Events is null || output.Inputs is null || output.StateHashes is null)
        {
            throw new ArgumentException("the campaign ran without recording: expected CampaignOptions.Recorder set", nameof(output));
        }

        Group(output.Epoch, output.Batch, output.FirstMachineId, output.Events, output.Inputs, output.StateHashes);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Group(int epoch, int batch, int first, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, ReadOnlySpan<MachineStateHash> hashes)
    {
        Epoch = epoch;
        Batch = batch;
        FirstMachineId = first;
        TotalEvents = events.Length;
        TotalInputs = inputs.Length;
        Array.Clear(_inputStart);
        Array.Clear(_eventStart);
        Array.Clear(_hasHash);

        // Counting sort: counts (shifted by one), prefix sums, then a stable scatter of positions.
        int span = 0;
        foreach (ref readonly var i in inputs)
        {
            int m = Local(i.Machine, first);
            span = Math.Max(span, m + 1);
            _inputStart[m + 1]++;
        }

        foreach (ref readonly var e in events)
        {
            int m = Local(e.Machine, first);
            span = Math.Max(span, m + 1);
            _eventStart[m + 1]++;
        }

        foreach (ref readonly var h in hashes)
        {
            int m = Local(h.Machine, first);
            span = Math.Max(span, m + 1);
            if (_hasHash[m])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"machine {h.Machine} has two state hashes in epoch {epoch}: expected one"), nameof(hashes));
            }

            _hasHash[m] = true;
            _hash[m] = h.Hash;
        }

        Span = span;
        for (int m = 0; m < span; m++)
        {
            _inputStart[m + 1] += _inputStart[m];
            _eventStart[m + 1] += _eventStart[m];
        }

        // Each machine's start is moved past its items while scattering, then every start is shifted back by one machine.
        Ensure(ref _inputOrder, inputs.Length);
        Ensure(ref _eventOrder, events.Length);
        for (int k = 0; k < inputs.Length; k++)
        {
            _inputOrder[_inputStart[inputs[k].Machine - first]++] = k;
        }

        for (int k = 0; k < events.Length; k++)
        {
            _eventOrder[_eventStart[events[k].Machine - first]++] = k;
        }

        int present = 0;
        for (int m = span; m > 0; m--)
        {
            _inputStart[m] = _inputStart[m - 1];
            _eventStart[m] = _eventStart[m - 1];
        }

        _inputStart[0] = 0;
        _eventStart[0] = 0;
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

    /// <summary>Where the <paramref name="k"/>-th input of local machine <paramref name="local"/> is in the grouped span.</summary>
    public int InputAt(int local, int k) => _inputOrder[_inputStart[local] + k];

    /// <summary>Positions of the grouped events in the grouped span, machine after machine (<see cref="EventAt"/> of every machine in turn).</summary>
    public ReadOnlySpan<int> EventOrder => _eventOrder.AsSpan(0, TotalEvents);

    /// <summary>Positions of the grouped inputs, machine after machine.</summary>
    public ReadOnlySpan<int> InputOrder => _inputOrder.AsSpan(0, TotalInputs);

    /// <summary>Where local machine <paramref name="local"/>'s events start in <see cref="EventOrder"/>.</summary>
    public int EventStart(int local) => _eventStart[local];

    /// <summary>Where local machine <paramref name="local"/>'s inputs start in <see cref="InputOrder"/>.</summary>
    public int InputStart(int local) => _inputStart[local];

    /// <summary>Where the <paramref name="k"/>-th event of local machine <paramref name="local"/> is in the grouped span.</summary>
    public int EventAt(int local, int k) => _eventOrder[_eventStart[local] + k];

    public ulong? Hash(int local) => _hasHash[local] ? _hash[local] : null;

    /// <summary>The grouped output as machine sections (allocates; for comparisons, not for the writer). The spans are the ones grouped.</summary>
    public MachineFrame[] ToSections(ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs)
    {
        var sections = new MachineFrame[MachineCount];
        int n = 0;
        for (int m = 0; m < Span; m++)
        {
            if (!Has(m))
            {
                continue;
            }

            var mine = new RecordedInput[InputCount(m)];
            for (int k = 0; k < mine.Length; k++)
            {
                mine[k] = inputs[InputAt(m, k)];
            }

            var happened = new HandlerEvent[EventCount(m)];
            for (int k = 0; k < happened.Length; k++)
            {
                happened[k] = events[EventAt(m, k)];
            }

            sections[n++] = new MachineFrame(FirstMachineId + m, mine, happened, Hash(m));
        }

        return sections;
    }

    /// <summary><see cref="ToSections(ReadOnlySpan{HandlerEvent}, ReadOnlySpan{RecordedInput})"/> of an output grouped with <see cref="Group(EpochOutput)"/>.</summary>
    public MachineFrame[] ToSections(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ToSections(output.Events!, output.Inputs!);
    }

    /// <summary>The machine's index in the batch; grows the per-machine arrays to hold it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Local(int machine, int first)
    {
        long local = (long)machine - first;
        return (ulong)local < (ulong)(_eventStart.Length - 1) ? (int)local : Outside(machine, first);
    }

    /// <summary><see cref="Local"/> past the arrays: grows them, or refuses a machine outside any batch's reach.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private int Outside(int machine, int first)
    {
        long local = (long)machine - first;
        if (local is < 0 or >= LocalMax)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"machine {machine} is not in the batch starting at machine {first}"));
        }

        Grow((int)local + 1);
        return (int)local;
    }

    private void Grow(int machines)
    {
        int size = Math.Max(machines, _hash.Length * 2);
        Array.Resize(ref _inputStart, size + 1);
        Array.Resize(ref _eventStart, size + 1);
        Array.Resize(ref _hash, size);
        Array.Resize(ref _hasHash, size);
    }

    private static void Ensure<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[Math.Max(length, buffer.Length * 2)];
        }
    }
}
