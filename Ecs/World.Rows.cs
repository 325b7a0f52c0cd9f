using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Ecs;

/// <summary>Fixed-shape access: the rows of a component that lives in one archetype, and iteration over a subset of them.</summary>
/// <remarks>
/// A simulation whose entities are created once and never move (every CPU of every machine in one archetype, in
/// creation order) knows an entity's row without a lookup: machine m's row is m, its CPUs' rows m * cpus + c.
/// <see cref="Freeze"/> ends creation, <see cref="Groups{T}"/> then hands out a component's rows cut per
/// owner, <see cref="Rows{T}"/> the whole column, and <see cref="ForEachRow{T1, TCallback}"/> runs a struct callback
/// over the rows a caller names (the machines due now).
/// </remarks>
public sealed partial class World
{
    private Archetype?[] _rowsArchetype = [];
    private bool[] _rowsFound = [];

    /// <summary>Whether <see cref="Freeze"/> was called: no entity is created again.</summary>
    public bool IsFrozen => _frozen;

    /// <summary>
    /// Ends creation: from now on <c>Create</c> throws, so every column keeps its array and views from
    /// <see cref="Groups{T}"/> and <see cref="Rows{T}"/> stay valid. Components are still read and written in place.
    /// Freezing twice is a no-op.
    /// </summary>
    public void Freeze() => _frozen = true;

    /// <summary>
    /// The <typeparamref name="T"/> rows of a frozen world cut into <paramref name="groups"/> consecutive groups of
    /// equal size (the rows of each owner, when entities were created owner by owner). Every entity with
    /// <typeparamref name="T"/> must share one archetype, as for <see cref="Rows{T}"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The world is not frozen, or the rows live in more than one archetype.</exception>
    /// <exception cref="ArgumentException">The rows do not split into <paramref name="groups"/> equal groups.</exception>
    public RowGroups<T> Groups<T>(int groups)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(groups);
        if (!_frozen)
        {
            throw new InvalidOperationException($"{typeof(T).Name} rows cut into groups: expected a frozen world (call Freeze after creating the entities).");
        }

        int id = IdOf<T>();
        Archetype? archetype = id < 0 ? null : RowsArchetype(id, typeof(T));
        int count = archetype?.Count ?? 0;
        if (count % groups != 0)
        {
            throw new ArgumentException($"{count} {typeof(T).Name} rows do not split into {groups} equal groups.", nameof(groups));
        }

        return archetype is null ? new RowGroups<T>([], groups, 0) : new RowGroups<T>(archetype.Column<T>(archetype.SlotOf(id)), groups, count / groups);
    }

    /// <summary>
    /// Every <typeparamref name="T"/> row, in creation order: valid until the next entity is created. Every entity with
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
    /// column, visited in the order given) and a ref to its component. Allocation-free. The world must be frozen, so
    /// the callback cannot create an entity and move the column under it. The callback may be a ref struct, so it can
    /// hold the spans of the other columns it reads (a machine's CPU and bank rows).
    /// </summary>
    /// <exception cref="InvalidOperationException">The world is not frozen.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A row is not a row of the column.</exception>
    public void ForEachRow<T1, TCallback>(ReadOnlySpan<int> rows, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEachRow<T1>, allows ref struct
    {
        if (!_frozen)
        {
            throw new InvalidOperationException($"ForEachRow over {typeof(T1).Name}: expected a frozen world (call Freeze after creating the entities).");
        }

        var column = Rows<T1>();
        foreach (int row in rows)
        {
            if ((uint)row >= (uint)column.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), row, $"expected rows 0..{column.Length - 1} of {typeof(T1).Name}");
            }
        }

        ForEachRowCore<T1, TCallback>(rows, ref MemoryMarshal.GetReference(column), ref callback);
    }

    // Out of line, away from the checks and their throws, so the JIT compiles the loop on its own and inlines the callback.
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

    /// <summary>The one non-empty archetype holding component <paramref name="id"/>; cached once the world is frozen.</summary>
    private Archetype? RowsArchetype(int id, Type type)
    {
        if (id < _rowsFound.Length && _rowsFound[id])
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

        if (!_frozen)
        {
            return found;
        }

        if (id >= _rowsArchetype.Length)
        {
            int size = Math.Max(id + 1, _rowsArchetype.Length * 2);
            Array.Resize(ref _rowsArchetype, size);
            Array.Resize(ref _rowsFound, size);
        }

        _rowsArchetype[id] = found;
        _rowsFound[id] = true;
        return found;
    }
}
