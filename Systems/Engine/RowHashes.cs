using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Systems.Engine;

/// <summary>
/// The kept hashes of one kind of per-machine row (bank instances, CPUs) for <see cref="MachineBatch.StateHash"/>:
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
    private readonly T[] _rows;
    private readonly int _perMachine;
    private readonly ulong[] _hash;
    private readonly ulong[] _sum;
    private readonly bool[] _hashed;
    private readonly T[] _template;
    private readonly ulong[] _templateHash;

    // A row is marked when it will be hashed before its machine's next sum is read: written since the last update,
    // or of a machine not hashed yet (all of whose rows are hashed at its first sum). Marking a marked row is a no-op.
    private readonly bool[] _marked;
    private (int Machine, int Row, int Index)[] _pending = [];
    private int _pendingCount;

    /// <summary>
    /// Keeps hashes of <paramref name="rowCount"/> rows, <paramref name="perMachine"/> per machine; nothing is hashed
    /// yet. <paramref name="template"/> holds one machine's rows as they boot (any rows are correct; rows equal to
    /// them are only hashed faster); it is kept, not copied, and must not change.
    /// </summary>
    public RowHashes(T[] rows, int rowCount, int machineCount, int perMachine, T[] template)
    {
        if (template.Length != perMachine)
        {
            throw new ArgumentException($"a template of {template.Length} rows: expected {perMachine}", nameof(template));
        }

        _rows = rows;
        _template = template;
        _templateHash = new ulong[perMachine];
        for (int i = 0; i < perMachine; i++)
        {
            _templateHash[i] = Hash(_template, i, i);
        }

        _perMachine = perMachine;
        _hash = new ulong[rowCount];
        _sum = new ulong[machineCount];
        _hashed = new bool[machineCount];
        _marked = new bool[rowCount];
        Array.Fill(_marked, true);
    }

    /// <summary>
    /// Machine <paramref name="machine"/>'s sum (its rows start at <paramref name="first"/>) as of the last
    /// <see cref="Update"/>; the first call for a machine hashes all its rows.
    /// </summary>
    public ulong Sum(int machine, int first)
    {
        if (!_hashed[machine])
        {
            HashMachine(machine, first);
        }

        return _sum[machine];
    }

    private void HashMachine(int machine, int first)
    {
        ulong sum = 0;
        for (int i = 0; i < _perMachine; i++)
        {
            bool asBooted = MemoryMarshal.AsBytes(_rows.AsSpan(first + i, 1)).SequenceEqual(MemoryMarshal.AsBytes(_template.AsSpan(i, 1)));
            ulong h = asBooted ? _templateHash[i] : Hash(_rows, first + i, i);
            _hash[first + i] = h;
            _marked[first + i] = false;
            sum = unchecked(sum + h);
        }

        _sum[machine] = sum;
        _hashed[machine] = true;
    }

    /// <summary>The sum of the rows starting at <paramref name="first"/>, computed afresh (to check the marks).</summary>
    public static ulong SumUncached(T[] rows, int first, int perMachine)
    {
        ulong sum = 0;
        for (int i = 0; i < perMachine; i++)
        {
            sum = unchecked(sum + Hash(rows, first + i, i));
        }

        return sum;
    }

    /// <summary>Marks row <paramref name="index"/> of the machine whose rows start at <paramref name="first"/> written.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Mark(int machine, int first, int index)
    {
        // A row written again before the next update is queued once: the check inlines into every writer, the queueing does not.
        int row = first + index;
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

        _pending[_pendingCount++] = (machine, row, index);
    }

    /// <summary>Marks every row of the machine whose rows start at <paramref name="first"/> written.</summary>
    public void MarkAll(int machine, int first)
    {
        for (int i = 0; i < _perMachine; i++)
        {
            Mark(machine, first, i);
        }
    }

    /// <summary>Rehashes the marked rows and updates their machines' sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Update()
    {
        for (int k = 0; k < _pendingCount; k++)
        {
            var (m, row, index) = _pending[k];
            ulong h = Hash(_rows, row, index);
            _sum[m] = unchecked(_sum[m] - _hash[row] + h);
            _hash[row] = h;
            _marked[row] = false;
        }

        _pendingCount = 0;
    }

    private static ulong Hash(T[] rows, int row, int index) =>
        System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(rows.AsSpan(row, 1)), index);
}
