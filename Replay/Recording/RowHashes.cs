using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Replay.Recording;

/// <summary>A machine's rows of one kind, read-only (from the batch's views).</summary>
internal delegate ReadOnlySpan<T> RowsOf<T>(int machine);

/// <summary>
/// The kept hashes of one kind of per-machine row (bank instances, CPUs) for <see cref="BatchRecorder.StateHash(int)"/>:
/// one XXH3-64 per row, seeded with the row's index within its machine, and per machine their wrapping sum.
/// A machine's rows are first hashed when its sum is first asked for (most machines of a fleet never are: a
/// state hash is taken only for machines with something to record); from then on, rows marked written are
/// rehashed by <see cref="Update"/> and the others are never read again. At that first hash, a row still as
/// it was at boot (byte for byte the same as the template, a booted machine's rows) takes the template's
/// hash: comparing is a fraction of hashing, and most of a machine's rows never change.
/// </summary>
internal sealed class RowHashes<T>
    where T : unmanaged
{
    private readonly RowsOf<T> _rowsOf;
    private readonly int _perMachine;
    private readonly ulong[] _hash;
    private readonly ulong[] _sum;
    private readonly bool[] _hashed;
    private readonly T[] _template;
    private readonly ulong[] _templateHash;

    // A row is marked when it will be hashed before its machine's next sum is read: written since the last update,
    // or of a machine not hashed yet (all of whose rows are hashed at its first sum). Marking a marked row is a no-op.
    private readonly bool[] _marked;
    private (int Machine, int Index)[] _pending = [];
    private int _pendingCount;

    /// <summary>
    /// Keeps hashes of <paramref name="machineCount"/> machines' rows, <paramref name="perMachine"/> each, read
    /// through <paramref name="rowsOf"/>; nothing is hashed yet. <paramref name="template"/> holds one machine's rows
    /// as they boot (any rows are correct; rows equal to them are only hashed faster); it is kept, not copied.
    /// </summary>
    public RowHashes(RowsOf<T> rowsOf, int machineCount, int perMachine, T[] template)
    {
        if (template.Length != perMachine)
        {
            throw new ArgumentException($"a template of {template.Length} rows: expected {perMachine}", nameof(template));
        }

        _rowsOf = rowsOf;
        _template = template;
        _templateHash = new ulong[perMachine];
        for (int i = 0; i < perMachine; i++)
        {
            _templateHash[i] = Hash(_template, i);
        }

        _perMachine = perMachine;
        _hash = new ulong[machineCount * perMachine];
        _sum = new ulong[machineCount];
        _hashed = new bool[machineCount];
        _marked = new bool[machineCount * perMachine];
        Array.Fill(_marked, true);
    }

    /// <summary>Machine <paramref name="machine"/>'s sum as of the last <see cref="Update"/>; the first call for a machine hashes all its rows.</summary>
    public ulong Sum(int machine)
    {
        if (!_hashed[machine])
        {
            HashMachine(machine);
        }

        return _sum[machine];
    }

    private void HashMachine(int machine)
    {
        var rows = _rowsOf(machine);
        int first = machine * _perMachine;
        ulong sum = 0;
        for (int i = 0; i < _perMachine; i++)
        {
            bool asBooted = MemoryMarshal.AsBytes(rows.Slice(i, 1)).SequenceEqual(MemoryMarshal.AsBytes(_template.AsSpan(i, 1)));
            ulong h = asBooted ? _templateHash[i] : Hash(rows, i);
            _hash[first + i] = h;
            _marked[first + i] = false;
            sum = unchecked(sum + h);
        }

        _sum[machine] = sum;
        _hashed[machine] = true;
    }

    /// <summary>The sum of <paramref name="rows"/> (one machine's), computed afresh (to check the marks).</summary>
    public static ulong SumUncached(ReadOnlySpan<T> rows)
    {
        ulong sum = 0;
        for (int i = 0; i < rows.Length; i++)
        {
            sum = unchecked(sum + Hash(rows, i));
        }

        return sum;
    }

    /// <summary>Marks row <paramref name="index"/> of machine <paramref name="machine"/> written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Mark(int machine, int index)
    {
        // A row written again before the next update is queued once: the check inlines into every writer, the queueing does not.
        int row = (machine * _perMachine) + index;
        if (!_marked[row])
        {
            Queue(machine, row, index);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Queue(int machine, int row, int index)
    {
        _marked[row] = true;
        if (_pendingCount == _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(64, _pending.Length * 2));
        }

        _pending[_pendingCount++] = (machine, index);
    }

    /// <summary>Marks every row of machine <paramref name="machine"/> written.</summary>
    public void MarkAll(int machine)
    {
        for (int i = 0; i < _perMachine; i++)
        {
            Mark(machine, i);
        }
    }

    /// <summary>Rehashes the marked rows and updates their machines' sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update()
    {
        for (int k = 0; k < _pendingCount; k++)
        {
            var (m, index) = _pending[k];
            int row = (m * _perMachine) + index;
            ulong h = Hash(_rowsOf(m), index);
            _sum[m] = unchecked(_sum[m] - _hash[row] + h);
            _hash[row] = h;
            _marked[row] = false;
        }

        _pendingCount = 0;
    }

    private static ulong Hash(ReadOnlySpan<T> rows, int index) =>
        System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(rows.Slice(index, 1)), index);
}
