using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Ecs;

/// <summary>Fixed-shape access: the rows of a component that lives in one archetype, and iteration over a subset of them.</summary>
/// <remarks>
/// A simulation whose entities are created once and never move (every CPU of every machine in one archetype, in
/// creation order) knows an entity's row without a lookup: machine m's rows are m, its CPUs' rows m * cpus + c.
/// <see cref="Rows{T}"/> hands out that column and <see cref="ForEachRow{T1, TCallback}"/> runs a struct callback over
/// the rows a caller names (the machines due now), as <see cref="ForEach{T1, TCallback}"/> does over a query.
/// </remarks>
public sealed partial class World
{
    private Archetype?[] _rowsArchetype = [];
    private int[] _rowsVersion = [];

    /// <summary>
    /// Every <typeparamref name="T"/> row, in creation order: valid until the next structural change. Every entity with
    /// <typeparamref name="T"/> must share one archetype (a fixed-shape world); an empty span if there is none.
    /// </summary>
    /// <exception cref="InvalidOperationException">Entities with <typeparamref name="T"/> live in more than one archetype.</exception>
    public Span<T> Rows<T>()
        where T : unmanaged
    {
        int id = IdOf<T>();
        Archetype? archetype = id < 0 ? null : RowsArchetype(id, typeof(T));
        return archetype is null ? [] : archetype.Column<T>(archetype.SlotOf(id)).AsSpan(0, archetype.Count);
    }

    /// <summary>
    /// Calls <paramref name="callback"/> with each of <paramref name="rows"/> (indices into <see cref="Rows{T}"/>'s
    /// column, visited in the order given) and a ref to its component. Allocation-free; structural changes during
    /// the call throw, as in <see cref="ForEach{T1, TCallback}"/>. The callback may be a ref struct, so it can hold
    /// the spans of the other columns it reads (a machine's CPU and bank rows).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A row is not a row of the column.</exception>
    public void ForEachRow<T1, TCallback>(ReadOnlySpan<int> rows, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEachRow<T1>, allows ref struct
    {
        var column = Rows<T1>();
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)column.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"expected rows 0..{column.Length - 1} of {typeof(T1).Name}");
            }
        }

        _iterationDepth++;
        try
        {
            ForEachRowCore<T1, TCallback>(rows, ref MemoryMarshal.GetReference(column), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    // Out of line and free of exception handling so the callback inlines (see the remarks on World.Queries).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachRowCore<T1, TCallback>(ReadOnlySpan<int> rows, ref T1 c1, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEachRow<T1>, allows ref struct
    {
        TCallback local = callback;
        foreach (int row in rows)
        {
            local.Update(row, ref Unsafe.Add(ref c1, (nint)(uint)row));
        }

        callback = local;
    }

    /// <summary>The one non-empty archetype holding component <paramref name="id"/>, cached until the structure changes.</summary>
    private Archetype? RowsArchetype(int id, Type type)
    {
        if (id < _rowsArchetype.Length && _rowsVersion[id] == _structureVersion + 1)
        {
            return _rowsArchetype[id];
        }

        Archetype? found = null;
        foreach (Archetype archetype in Archetypes)
        {
            if (archetype.Count > 0 && archetype.SlotOf(id) >= 0)
            {
                if (found is not null)
                {
                    throw new InvalidOperationException($"{type.Name} rows live in more than one archetype; expected a fixed-shape world where every entity with it has the same components.");
                }

                found = archetype;
            }
        }

        if (id >= _rowsArchetype.Length)
        {
            int size = Math.Max(id + 1, _rowsArchetype.Length * 2);
            Array.Resize(ref _rowsArchetype, size);
            Array.Resize(ref _rowsVersion, size);
        }

        _rowsArchetype[id] = found;
        _rowsVersion[id] = _structureVersion + 1; // +1: a fresh slot (0) is never taken for valid
        return found;
    }
}
