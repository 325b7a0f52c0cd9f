using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Ecs;

/// <summary>Queries and struct-callback iteration.</summary>
public sealed partial class World
{
    private readonly Dictionary<QueryDescription, Query> _queries = [];

    /// <summary>The query for <paramref name="description"/>, built on first use and cached per description.</summary>
    public Query Query(in QueryDescription description)
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
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEach<T1, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEach<T1>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(ref Unsafe.Add(ref c1, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEachWithEntity<T1, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEach<T1, T2, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where TCallback : struct, IForEach<T1, T2>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        int id2 = IdOf<T2>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
                ref T2 c2 = ref ColumnStart<T2>(archetype, id2);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEachWithEntity<T1, T2, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        int id2 = IdOf<T2>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
                ref T2 c2 = ref ColumnStart<T2>(archetype, id2);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEach<T1, T2, T3, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where TCallback : struct, IForEach<T1, T2, T3>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        int id2 = IdOf<T2>();
        int id3 = IdOf<T3>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
                ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
                ref T3 c3 = ref ColumnStart<T3>(archetype, id3);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEachWithEntity<T1, T2, T3, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2, T3>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        int id2 = IdOf<T2>();
        int id3 = IdOf<T3>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref Entity entities = ref MemoryMarshal.GetArrayDataReference(archetype.Entities);
                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
                ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
                ref T3 c3 = ref ColumnStart<T3>(archetype, id3);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with refs to the components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEach<T1, T2, T3, T4, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
        where TCallback : struct, IForEach<T1, T2, T3, T4>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        int id2 = IdOf<T2>();
        int id3 = IdOf<T3>();
        int id4 = IdOf<T4>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
                if (count == 0)
                {
                    continue;
                }

                ref T1 c1 = ref ColumnStart<T1>(archetype, id1);
                ref T2 c2 = ref ColumnStart<T2>(archetype, id2);
                ref T3 c3 = ref ColumnStart<T3>(archetype, id3);
                ref T4 c4 = ref ColumnStart<T4>(archetype, id4);

                // Every column holds at least Count rows (Archetype invariant), so the offsets stay in bounds.
                for (int row = 0; row < count; row++)
                {
                    callback.Update(ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row), ref Unsafe.Add(ref c4, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }

    /// <summary>Calls <paramref name="callback"/> with the entity and refs to its components of every entity the description matches, archetype by archetype in creation order, rows in order.</summary>
    /// <remarks>Allocation-free after the first call with a description. The callback is passed by ref and
    /// called through the generic constraint (no boxing); its state persists across entities and is visible to the
    /// caller afterwards. Structural changes during the call throw; record them in a CommandBuffer.</remarks>
    /// <exception cref="InvalidOperationException">A matched archetype lacks one of the iterated components.</exception>
    public void ForEachWithEntity<T1, T2, T3, T4, TCallback>(in QueryDescription description, ref TCallback callback)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
        where TCallback : struct, IForEachWithEntity<T1, T2, T3, T4>
    {
        Query query = Query(description);
        int id1 = IdOf<T1>();
        int id2 = IdOf<T2>();
        int id3 = IdOf<T3>();
        int id4 = IdOf<T4>();
        _iterationDepth++;
        try
        {
            foreach (Archetype archetype in query.Archetypes)
            {
                int count = archetype.Count;
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
                for (int row = 0; row < count; row++)
                {
                    callback.Update(Unsafe.Add(ref entities, row), ref Unsafe.Add(ref c1, row), ref Unsafe.Add(ref c2, row), ref Unsafe.Add(ref c3, row), ref Unsafe.Add(ref c4, row));
                }
            }
        }
        finally
        {
            _iterationDepth--;
        }
    }
}
