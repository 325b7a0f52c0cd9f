using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Ecs;

/// <summary>Queries and struct-callback iteration.</summary>
/// <remarks>
/// Each ForEach is split in two: the outer method guards the iteration depth with try/finally and calls a
/// <c>ForEachCore</c> that holds the loops. The JIT does not inline call sites inside a try region, so a loop
/// there would call the callback instead of inlining it (docs/performance.md, "ECS iteration"); the core method
/// has no exception handling and is kept out of line on purpose.
/// </remarks>
public sealed partial class World
{
    private readonly Dictionary<QueryDescription, Query> _queries = [];

    /// <summary>The query for <paramref name="description"/>, built on first use and cached per description.</summary>
    internal Query Query(in QueryDescription description)
    {
        if (!_queries.TryGetValue(description, out Query? query))
        {
            query = new Query(this, description);
            _queries.Add(description, query);
        }

        query.Refresh();
        return query;
    }

    /// <summary>The column start of <typeparamref name="T"/> in an archetype a ForEach visits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref T ColumnStart<T>(Archetype archetype, int componentId)
        where T : unmanaged
    {
        int slot = archetype.SlotOf(componentId);
        if (slot < 0)
        {
            ThrowHelper.QueryLacksComponent(typeof(T));
        }

        return ref MemoryMarshal.GetArrayDataReference(archetype.Column<T>(slot));
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEach<T1, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEach<T1>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachCore<T1, TCallback>(query.Archetypes, IdOf<T1>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachCore<T1, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEach<T1>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(ref Unsafe.Add(ref c1, row));
                local.Update(ref Unsafe.Add(ref c1, row + 1));
            }

            if (row < count)
            {
                local.Update(ref Unsafe.Add(ref c1, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEachWithEntity<T1, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachWithEntityCore<T1, TCallback>(query.Archetypes, IdOf<T1>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachWithEntityCore<T1, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row));
                local.Update(Unsafe.Add(ref entities, row + 1), ref Unsafe.Add(ref c1, row + 1));
            }

            if (row < count)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEach<T1, T2, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where TCallback : struct, IForEach<T1, T2>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachCore<T1, T2, TCallback>(query.Archetypes, IdOf<T1>(), IdOf<T2>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachCore<T1, T2, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, int id2, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where TCallback : struct, IForEach<T1, T2>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
            ref T2 c2 = ref ColumnStart<T2>(archetype, id2);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row));
                local.Update(ref Unsafe.Add(ref c1, row + 1), ref Unsafe.Add(ref c2, row + 1));
            }

            if (row < count)
            {
                local.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEachWithEntity<T1, T2, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachWithEntityCore<T1, T2, TCallback>(query.Archetypes, IdOf<T1>(), IdOf<T2>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachWithEntityCore<T1, T2, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, int id2, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
            ref T2 c2 = ref ColumnStart<T2>(archetype, id2);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row));
                local.Update(Unsafe.Add(ref entities, row + 1), ref Unsafe.Add(ref c1, row + 1), ref Unsafe.Add(ref c2, row + 1));
            }

            if (row < count)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEach<T1, T2, T3, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where TCallback : struct, IForEach<T1, T2, T3>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachCore<T1, T2, T3, TCallback>(query.Archetypes, IdOf<T1>(), IdOf<T2>(), IdOf<T3>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachCore<T1, T2, T3, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, int id2, int id3, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where TCallback : struct, IForEach<T1, T2, T3>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
            ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
            ref T3 c3 = ref ColumnStart<T3>(archetype, id3);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row));
                local.Update(ref Unsafe.Add(ref c1, row + 1), ref Unsafe.Add(ref c2, row + 1), ref Unsafe.Add(ref c3, row + 1));
            }

            if (row < count)
            {
                local.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEachWithEntity<T1, T2, T3, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2, T3>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachWithEntityCore<T1, T2, T3, TCallback>(query.Archetypes, IdOf<T1>(), IdOf<T2>(), IdOf<T3>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachWithEntityCore<T1, T2, T3, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, int id2, int id3, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2, T3>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
            ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
            ref T3 c3 = ref ColumnStart<T3>(archetype, id3);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row));
                local.Update(Unsafe.Add(ref entities, row + 1), ref Unsafe.Add(ref c1, row + 1), ref Unsafe.Add(ref c2, row + 1), ref Unsafe.Add(ref c3, row + 1));
            }

            if (row < count)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEach<T1, T2, T3, T4, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
        where TCallback : struct, IForEach<T1, T2, T3, T4>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachCore<T1, T2, T3, T4, TCallback>(query.Archetypes, IdOf<T1>(), IdOf<T2>(), IdOf<T3>(), IdOf<T4>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachCore<T1, T2, T3, T4, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, int id2, int id3, int id4, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
        where TCallback : struct, IForEach<T1, T2, T3, T4>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
            ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
            ref T3 c3 = ref ColumnStart<T3>(archetype, id3);
            ref T4 c4 = ref ColumnStart<T4>(archetype, id4);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row), ref Unsafe.Add(ref c4, row));
                local.Update(ref Unsafe.Add(ref c1, row + 1), ref Unsafe.Add(ref c2, row + 1), ref Unsafe.Add(ref c3, row + 1), ref Unsafe.Add(ref c4, row + 1));
            }

            if (row < count)
            {
                local.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row), ref Unsafe.Add(ref c4, row));
            }
        }

        callback = local;
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing, inlined); its state carries across entities and is
    /// written back to <paramref name="callback"/> when the iteration completes (not if the callback throws).
    /// Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    internal void ForEachWithEntity<T1, T2, T3, T4, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2, T3, T4>
    {
        Query query = Query(description);
        _iterationDepth++;
        try
        {
            ForEachWithEntityCore<T1, T2, T3, T4, TCallback>(query.Archetypes, IdOf<T1>(), IdOf<T2>(), IdOf<T3>(), IdOf<T4>(), ref callback);
        }
        finally
        {
            _iterationDepth--;
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ForEachWithEntityCore<T1, T2, T3, T4, TCallback>(ReadOnlySpan<Archetype> archetypes, int id1, int id2, int id3, int id4, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2, T3, T4>
    {
        TCallback local = callback; // a local the JIT can keep in registers
        foreach (Archetype archetype in archetypes)
        {
            nint count = archetype.Count;
            if (count == 0)
            {
                continue;
            }

            ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
            ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
            ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
            ref T3 c3 = ref ColumnStart<T3>(archetype, id3);
            ref T4 c4 = ref ColumnStart<T4>(archetype, id4);

            // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
            // A native-sized index (an int one is sign-extended every iteration), unrolled by two for steadier speed (docs/performance.md).
            nint row = 0;
            for (; row < count - 1; row += 2)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row), ref Unsafe.Add(ref c4, row));
                local.Update(Unsafe.Add(ref entities, row + 1), ref Unsafe.Add(ref c1, row + 1), ref Unsafe.Add(ref c2, row + 1), ref Unsafe.Add(ref c3, row + 1), ref Unsafe.Add(ref c4, row + 1));
            }

            if (row < count)
            {
                local.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row), ref Unsafe.Add(ref c4, row));
            }
        }

        callback = local;
    }
}
