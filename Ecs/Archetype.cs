using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// All entities of one world that have exactly one set of components. Storage is one contiguous
/// <c>T[]</c> column per component plus a separate entity column; rows <c>[0, Count)</c> are live and dense.
/// Columns grow by doubling and never shrink.
/// </summary>
/// <remarks>
/// Removing a row is a swap-remove: the last row moves into the hole, so removal is O(components) and
/// rows stay dense, but the order of the remaining rows changes (the former last row takes the removed
/// row's position).
/// </remarks>
internal sealed class Archetype
{
    private const int CapacityRowsMin = 4;

    private Archetype?[] _addEdges = [];
    private Archetype?[] _removeEdges = [];

    public Archetype(World world, int index, ComponentMask mask, ComponentInfo[] infoById)
    {
        World = world;
        Index = index;
        Mask = mask;
        ComponentIds = mask.ToSortedIds();
        int slotCount = ComponentIds.Length;
        SlotById = new int[slotCount == 0 ? 0 : ComponentIds[^1] + 1];
        SlotById.AsSpan().Fill(-1);
        Infos = new ComponentInfo[slotCount];
        Columns = new Array[slotCount];
        for (int slot = 0; slot < slotCount; slot++)
        {
            int id = ComponentIds[slot];
            SlotById[id] = slot;
            Infos[slot] = infoById[id];
            Columns[slot] = Infos[slot].NewColumn(CapacityRowsMin);
        }

        Entities = new Entity[CapacityRowsMin];
    }

    /// <summary>The owning world.</summary>
    public World World { get; }

    /// <summary>Creation order in the world: 0 is the empty archetype.</summary>
    public int Index { get; }

    /// <summary>The component set (world ids).</summary>
    public ComponentMask Mask { get; }

    /// <summary>The world component ids, ascending; slot <c>s</c> holds <c>ComponentIds[s]</c>.</summary>
    public int[] ComponentIds { get; }

    /// <summary>World component id to column slot, -1 where absent; length is the largest id + 1.</summary>
    public int[] SlotById { get; }

    /// <summary>The component descriptor per slot.</summary>
    public ComponentInfo[] Infos { get; }

    /// <summary>The column per slot (each a <c>T[]</c> of length <see cref="CapacityRows"/>).</summary>
    public Array[] Columns { get; }

    /// <summary>The entity column (length <see cref="CapacityRows"/>).</summary>
    public Entity[] Entities { get; private set; }

    /// <summary>Live rows.</summary>
    public int Count { get; private set; }

    /// <summary>Allocated rows per column.</summary>
    public int CapacityRows => Entities.Length;

    /// <summary>The column slot of a world component id, or -1 if this archetype lacks it (or id is -1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int SlotOf(int componentId)
    {
        int[] slotById = SlotById;
        return (uint)componentId < (uint)slotById.Length ? slotById[componentId] : -1;
    }

    /// <summary>The column of a component this archetype has (slot from <see cref="SlotOf"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T[] Column<T>(int slot)
        where T : unmanaged
    {
        Debug.Assert(Columns[slot] is T[], "slot holds another component type");
        return Unsafe.As<T[]>(Columns[slot]);
    }

    /// <summary>The cached destination of adding <paramref name="componentId"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Archetype? AddEdge(int componentId)
    {
        Archetype?[] edges = _addEdges;
        return (uint)componentId < (uint)edges.Length ? edges[componentId] : null;
    }

    /// <summary>The cached destination of removing <paramref name="componentId"/>, or null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Archetype? RemoveEdge(int componentId)
    {
        Archetype?[] edges = _removeEdges;
        return (uint)componentId < (uint)edges.Length ? edges[componentId] : null;
    }

    /// <summary>Caches <c>this + id = destination</c> and, on the destination, <c>destination - id = this</c>.</summary>
    public void LinkAdd(int componentId, Archetype destination)
    {
        Debug.Assert(!Mask.Contains(componentId) && destination.Mask.Contains(componentId));
        Debug.Assert(destination.Mask.Equals(Mask.With(componentId)));
        SetEdge(ref _addEdges, componentId, destination);
        SetEdge(ref destination._removeEdges, componentId, this);
    }

    /// <summary>The number of cached edges (add + remove), for tests.</summary>
    public int EdgeCount
    {
        get
        {
            int count = 0;
            foreach (Archetype? edge in _addEdges)
            {
                count += edge is null ? 0 : 1;
            }

            foreach (Archetype? edge in _removeEdges)
            {
                count += edge is null ? 0 : 1;
            }

            return count;
        }
    }

    /// <summary>
    /// Appends a row for <paramref name="entity"/> and returns it. The caller must write every component
    /// of the new row before anything reads it.
    /// </summary>
    public int AddRow(Entity entity)
    {
        if (Count == Entities.Length)
        {
            Grow();
        }

        int row = Count;
        Entities[row] = entity;
        Count = row + 1;
        return row;
    }

    /// <summary>
    /// Swap-removes <paramref name="row"/>: the last row moves into it. Returns the entity that moved (now at
    /// <paramref name="row"/>), or <see cref="Entity.Null"/> if the removed row was the last one.
    /// </summary>
    public Entity RemoveRow(int row)
    {
        Debug.Assert((uint)row < (uint)Count);
        int last = Count - 1;
        Count = last;
        if (row == last)
        {
            return Entity.Null;
        }

        Entity moved = Entities[last];
        Entities[row] = moved;
        for (int slot = 0; slot < Columns.Length; slot++)
        {
            Array column = Columns[slot];
            Infos[slot].CopyRow(column, last, column, row);
        }

        return moved;
    }

    /// <summary>Copies the components this archetype shares with <paramref name="destination"/> from one row to another.</summary>
    public void CopySharedComponents(int row, Archetype destination, int destinationRow)
    {
        int[] ids = ComponentIds;
        for (int slot = 0; slot < ids.Length; slot++)
        {
            int destinationSlot = destination.SlotOf(ids[slot]);
            if (destinationSlot >= 0)
            {
                Infos[slot].CopyRow(Columns[slot], row, destination.Columns[destinationSlot], destinationRow);
            }
        }
    }

    /// <summary>Null if the archetype's own invariants hold; otherwise the first violation.</summary>
    public string? Validate()
    {
        if (Count < 0 || Count > CapacityRows)
        {
            return $"archetype {Index}: count {Count} outside [0, {CapacityRows}]";
        }

        if (ComponentIds.Length != Columns.Length || Mask.PopCount() != ComponentIds.Length)
        {
            return $"archetype {Index}: {ComponentIds.Length} ids, {Columns.Length} columns, mask of {Mask.PopCount()}";
        }

        for (int slot = 0; slot < Columns.Length; slot++)
        {
            if (Columns[slot].Length != CapacityRows || SlotById[ComponentIds[slot]] != slot || !Mask.Contains(ComponentIds[slot]))
            {
                return $"archetype {Index}: slot {slot} (component id {ComponentIds[slot]}) is inconsistent";
            }
        }

        for (int id = 0; id < _addEdges.Length; id++)
        {
            if (_addEdges[id] is { } to && (!IsAddEdge(this, id, to) || to.RemoveEdge(id) != this))
            {
                return $"archetype {Index}: add edge for component id {id} leads to archetype {to.Index} with the wrong set";
            }
        }

        for (int id = 0; id < _removeEdges.Length; id++)
        {
            if (_removeEdges[id] is { } to && (!IsAddEdge(to, id, this) || to.AddEdge(id) != this))
            {
                return $"archetype {Index}: remove edge for component id {id} leads to archetype {to.Index} with the wrong set";
            }
        }

        return null;
    }

    /// <summary>Whether <c>to = from + id</c> (without allocating a mask).</summary>
    private static bool IsAddEdge(Archetype from, int componentId, Archetype to)
    {
        if (from.Mask.Contains(componentId) || !to.Mask.Contains(componentId) || to.ComponentIds.Length != from.ComponentIds.Length + 1)
        {
            return false;
        }

        foreach (int id in from.ComponentIds)
        {
            if (!to.Mask.Contains(id))
            {
                return false;
            }
        }

        return true;
    }

    private static void SetEdge(ref Archetype?[] edges, int componentId, Archetype destination)
    {
        if (componentId >= edges.Length)
        {
            Array.Resize(ref edges, Math.Max(componentId + 1, edges.Length * 2));
        }

        Debug.Assert(edges[componentId] is null || edges[componentId] == destination);
        edges[componentId] = destination;
    }

    private void Grow()
    {
        int capacityRows = Math.Max(CapacityRowsMin, CapacityRows * 2);
        Entity[] entities = new Entity[capacityRows];
        Array.Copy(Entities, entities, Count);
        Entities = entities;
        for (int slot = 0; slot < Columns.Length; slot++)
        {
            Columns[slot] = Infos[slot].Grow(Columns[slot], Count, capacityRows);
        }
    }
}
