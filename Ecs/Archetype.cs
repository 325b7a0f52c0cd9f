using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// All entities of one world that have exactly one set of components. Storage is one contiguous
/// <c>T[]</c> column per component plus a separate entity column; rows <c>[0, Count)</c> are live and dense.
/// Columns grow by doubling and never shrink.
/// </summary>
/// <remarks>Rows are only appended (no entity is destroyed or moves), so row order is creation order.</remarks>
internal sealed class Archetype
{
    private const int CapacityRowsMin = 4;

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

        return null;
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
