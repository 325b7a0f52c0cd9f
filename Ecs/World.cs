using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// An archetype ECS world: entities are <see cref="Entity"/> handles; components are unmanaged structs stored
/// in one contiguous column per component per archetype (a distinct component set).
/// </summary>
/// <remarks>
/// <para>Single-threaded: one thread at a time may use a world. Several worlds are fully independent; each
/// assigns its own component ids (0, 1, 2, ... in its own registration order).</para>
/// <para>Entity slots are recycled FIFO: a destroyed slot goes to the back of the free list and
/// <see cref="Create()"/> takes the front, so a slot rests as long as possible before reuse. Destroying bumps
/// the slot's version; a slot whose version reaches <see cref="int.MaxValue"/> is retired, never reused.</para>
/// <para>Removing an entity from an archetype (destroy, add, remove) is a swap-remove: the archetype's last
/// row moves into the hole, so iteration order within an archetype changes.</para>
/// <para>Structural changes (create, destroy, add, remove) are forbidden while a <c>ForEach</c> runs over
/// this world (they throw) and invalidate any running query enumeration (its next <c>MoveNext</c> throws);
/// record them in a <see cref="CommandBuffer"/> and play it back afterwards.</para>
/// </remarks>
public sealed partial class World
{
    private readonly Dictionary<ComponentMask, Archetype> _archetypeByMask = [];
    private readonly Archetype _emptyArchetype;
    private Archetype[] _archetypes = new Archetype[16];
    private int _archetypeCount;

    private EntityRecord[] _records;
    private int _recordCount;
    private int _freeHead = -1;
    private int _freeTail = -1;
    private int _freeCount;
    private int _retiredCount;
    private int _entityCount;

    private int _iterationDepth;
    private int _structureVersion;
    private bool _frozen;

    /// <summary>Creates an empty world.</summary>
    /// <param name="initialCapacity">Entity slots allocated up front (grown by doubling after that).</param>
    public World(int initialCapacity = 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        _records = new EntityRecord[Math.Max(initialCapacity, 4)];
        _idByTypeIndex = new int[Math.Max(ComponentRegistry.Count, 16)];
        _idByTypeIndex.AsSpan().Fill(-1);
        _emptyArchetype = CreateArchetype(ComponentMask.Empty);
    }

    /// <summary>Alive entities.</summary>
    public int EntityCount => _entityCount;

    /// <summary>Archetypes created so far (including the empty one and any now-empty ones; never shrinks).</summary>
    public int ArchetypeCount => _archetypeCount;

    /// <summary>Incremented by every structural change; used to detect changes during enumeration.</summary>
    internal int StructureVersion => _structureVersion;

    /// <summary>Archetypes in creation order; index 0 is the empty archetype.</summary>
    internal ReadOnlySpan<Archetype> Archetypes => new(_archetypes, 0, _archetypeCount);

    /// <summary>Creates an entity with no components.</summary>
    public Entity Create()
    {
        EnsureStructureMutable();
        Entity entity = AllocateEntity(_emptyArchetype, out _);
        AssertEntity(entity);
        return entity;
    }

    /// <summary>Creates an entity directly in the archetype of { <typeparamref name="T1"/> }.</summary>
    public Entity Create<T1>(in T1 c1)
        where T1 : unmanaged
    {
        EnsureStructureMutable();
        int id1 = RegisterComponent<T1>();
        Archetype archetype = _emptyArchetype.AddEdge(id1) ?? LinkAddEdge(_emptyArchetype, id1);
        Entity entity = AllocateEntity(archetype, out int row);
        archetype.Column<T1>(archetype.SlotOf(id1))[row] = c1;
        AssertEntity(entity);
        return entity;
    }

    /// <summary>Creates an entity directly in the archetype of { <typeparamref name="T1"/>, <typeparamref name="T2"/> }.</summary>
    /// <exception cref="ArgumentException">Two type arguments are the same type.</exception>
    public Entity Create<T1, T2>(in T1 c1, in T2 c2)
        where T1 : unmanaged
        where T2 : unmanaged
    {
        EnsureStructureMutable();
        ReadOnlySpan<int> ids = [RegisterComponent<T1>(), RegisterComponent<T2>()];
        Archetype archetype = FindOrCreateArchetype(ids);
        Entity entity = AllocateEntity(archetype, out int row);
        archetype.Column<T1>(archetype.SlotOf(ids[0]))[row] = c1;
        archetype.Column<T2>(archetype.SlotOf(ids[1]))[row] = c2;
        AssertEntity(entity);
        return entity;
    }

    /// <summary>Creates an entity directly in the archetype of the three component types.</summary>
    /// <exception cref="ArgumentException">Two type arguments are the same type.</exception>
    public Entity Create<T1, T2, T3>(in T1 c1, in T2 c2, in T3 c3)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
    {
        EnsureStructureMutable();
        ReadOnlySpan<int> ids = [RegisterComponent<T1>(), RegisterComponent<T2>(), RegisterComponent<T3>()];
        Archetype archetype = FindOrCreateArchetype(ids);
        Entity entity = AllocateEntity(archetype, out int row);
        archetype.Column<T1>(archetype.SlotOf(ids[0]))[row] = c1;
        archetype.Column<T2>(archetype.SlotOf(ids[1]))[row] = c2;
        archetype.Column<T3>(archetype.SlotOf(ids[2]))[row] = c3;
        AssertEntity(entity);
        return entity;
    }

    /// <summary>Creates an entity directly in the archetype of the four component types.</summary>
    /// <exception cref="ArgumentException">Two type arguments are the same type.</exception>
    public Entity Create<T1, T2, T3, T4>(in T1 c1, in T2 c2, in T3 c3, in T4 c4)
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged
    {
        EnsureStructureMutable();
        ReadOnlySpan<int> ids = [RegisterComponent<T1>(), RegisterComponent<T2>(), RegisterComponent<T3>(), RegisterComponent<T4>()];
        Archetype archetype = FindOrCreateArchetype(ids);
        Entity entity = AllocateEntity(archetype, out int row);
        archetype.Column<T1>(archetype.SlotOf(ids[0]))[row] = c1;
        archetype.Column<T2>(archetype.SlotOf(ids[1]))[row] = c2;
        archetype.Column<T3>(archetype.SlotOf(ids[2]))[row] = c3;
        archetype.Column<T4>(archetype.SlotOf(ids[3]))[row] = c4;
        AssertEntity(entity);
        return entity;
    }

    /// <summary>
    /// Destroys an alive entity: swap-removes its row, bumps its slot's version and queues the slot for
    /// reuse (FIFO).
    /// </summary>
    /// <exception cref="InvalidOperationException">The handle is stale or dead, or a ForEach is running.</exception>
    public void Destroy(Entity entity)
    {
        EnsureStructureMutable();
        ref EntityRecord record = ref AliveRecord(entity);
        RemoveFromArchetype(record.Archetype!, record.Row);
        record.Archetype = null;
        record.Row = -1;
        if (record.Version == int.MaxValue)
        {
            _retiredCount++;
        }
        else
        {
            record.Version++;
            record.NextFree = -1;
            if (_freeCount == 0)
            {
                _freeHead = entity.Index;
            }
            else
            {
                _records[_freeTail].NextFree = entity.Index;
            }

            _freeTail = entity.Index;
            _freeCount++;
        }

        _entityCount--;
        _structureVersion++;
        Debug.Assert(!IsAlive(entity));
    }

    /// <summary>Whether <paramref name="entity"/> names an alive entity of this world (never throws).</summary>
    public bool IsAlive(Entity entity)
    {
        if ((uint)entity.Index >= (uint)_recordCount)
        {
            return false;
        }

        ref EntityRecord record = ref _records[entity.Index];
        return record.Version == entity.Version && record.Archetype is not null;
    }

    /// <summary>
    /// Null if every invariant of the world holds; otherwise a description of the first violation. O(slots +
    /// rows); for tests and <see cref="AssertInvariants"/>.
    /// </summary>
    internal string? ValidateInvariants()
    {
        int rowTotal = 0;
        for (int i = 0; i < _archetypeCount; i++)
        {
            Archetype archetype = _archetypes[i];
            if (archetype.Index != i || archetype.World != this)
            {
                return $"archetype at {i} has index {archetype.Index} or another world";
            }

            if (archetype.Validate() is { } problem)
            {
                return problem;
            }

            if (!_archetypeByMask.TryGetValue(archetype.Mask, out Archetype? keyed) || keyed != archetype)
            {
                return $"archetype {i} is not found by its component set";
            }

            for (int row = 0; row < archetype.Count; row++)
            {
                Entity entity = archetype.Entities[row];
                if (!IsAlive(entity) || _records[entity.Index].Archetype != archetype || _records[entity.Index].Row != row)
                {
                    return $"archetype {i} row {row} holds {entity}, whose record points elsewhere";
                }
            }

            rowTotal += archetype.Count;
        }

        if (_archetypeByMask.Count != _archetypeCount)
        {
            return $"{_archetypeByMask.Count} archetypes by set, {_archetypeCount} in order";
        }

        if (rowTotal != _entityCount)
        {
            return $"{rowTotal} archetype rows, {_entityCount} alive entities";
        }

        int aliveCount = 0;
        int retiredCount = 0;
        for (int index = 0; index < _recordCount; index++)
        {
            ref EntityRecord record = ref _records[index];
            if (record.Version < 1)
            {
                return $"slot {index} has version {record.Version}; expected >= 1";
            }

            if (record.Archetype is not null)
            {
                aliveCount++;
            }
            else if (record.Version == int.MaxValue)
            {
                retiredCount++;
            }
        }

        int freeCount = 0;
        for (int index = _freeHead; index != -1; index = _records[index].NextFree)
        {
            if (_records[index].Archetype is not null || ++freeCount > _freeCount)
            {
                return $"free list is inconsistent at slot {index}";
            }

            if (_records[index].NextFree == -1 && index != _freeTail)
            {
                return $"free list ends at slot {index}, tail is {_freeTail}";
            }
        }

        if (aliveCount != _entityCount || freeCount != _freeCount || retiredCount != _retiredCount
            || aliveCount + freeCount + retiredCount != _recordCount)
        {
            return $"slots: {aliveCount} alive (expected {_entityCount}), {freeCount} free (expected {_freeCount}), {retiredCount} retired (expected {_retiredCount}), {_recordCount} issued";
        }

        return ValidateComponentInvariants();
    }

    /// <summary>Debug-only: every invariant (see <see cref="ValidateInvariants"/>) holds.</summary>
    [Conditional("DEBUG")]
    internal void AssertInvariants()
    {
        string? problem = ValidateInvariants();
        Debug.Assert(problem is null, problem);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private ref EntityRecord AliveRecord(Entity entity)
    {
        if ((uint)entity.Index >= (uint)_recordCount)
        {
            ThrowHelper.NotAlive(entity);
        }

        ref EntityRecord record = ref _records[entity.Index];
        if (record.Version != entity.Version || record.Archetype is null)
        {
            ThrowHelper.NotAlive(entity, record.Version, record.Archetype is not null);
        }

        return ref record;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureStructureMutable()
    {
        if (_iterationDepth != 0)
        {
            ThrowHelper.StructuralChangeDuringIteration(_iterationDepth);
        }

        if (_frozen)
        {
            ThrowHelper.Frozen();
        }
    }

    private Entity AllocateEntity(Archetype archetype, out int row)
    {
        int index;
        if (_freeCount > 0)
        {
            index = _freeHead;
            _freeHead = _records[index].NextFree;
            _freeCount--;
            if (_freeCount == 0)
            {
                Debug.Assert(_freeHead == -1 && _freeTail == index);
                _freeTail = -1;
            }
        }
        else
        {
            if (_recordCount == _records.Length)
            {
                Array.Resize(ref _records, _records.Length * 2);
            }

            index = _recordCount++;
            _records[index].Version = 1;
        }

        ref EntityRecord record = ref _records[index];
        Debug.Assert(record.Archetype is null && record.Version >= 1);
        var entity = new Entity(index, record.Version);
        row = archetype.AddRow(entity);
        record.Archetype = archetype;
        record.Row = row;
        record.NextFree = -1;
        _entityCount++;
        _structureVersion++;
        return entity;
    }

    /// <summary>Moves an alive entity's row to <paramref name="destination"/>, keeping shared components.</summary>
    private int MoveEntity(ref EntityRecord record, Archetype destination)
    {
        Archetype source = record.Archetype!;
        int sourceRow = record.Row;
        int destinationRow = destination.AddRow(source.Entities[sourceRow]);
        source.CopySharedComponents(sourceRow, destination, destinationRow);
        RemoveFromArchetype(source, sourceRow);
        record.Archetype = destination;
        record.Row = destinationRow;
        _structureVersion++;
        return destinationRow;
    }

    private void RemoveFromArchetype(Archetype archetype, int row)
    {
        Entity moved = archetype.RemoveRow(row);
        if (!moved.IsNull)
        {
            Debug.Assert(_records[moved.Index].Archetype == archetype && _records[moved.Index].Row == archetype.Count);
            _records[moved.Index].Row = row;
        }
    }

    private Archetype FindOrCreateArchetype(ReadOnlySpan<int> componentIds)
    {
        ulong[] scratch = _scratchMaskWords;
        try
        {
            foreach (int id in componentIds)
            {
                ulong bit = 1UL << id;
                if ((scratch[id >> 6] & bit) != 0)
                {
                    ThrowHelper.DuplicateComponentType(_infoById[id].Type);
                }

                scratch[id >> 6] |= bit;
            }

            return FindOrCreateArchetype(ComponentMask.View(scratch));
        }
        finally
        {
            foreach (int id in componentIds)
            {
                scratch[id >> 6] = 0;
            }
        }
    }

    private Archetype FindOrCreateArchetype(ComponentMask mask) =>
        _archetypeByMask.TryGetValue(mask, out Archetype? archetype) ? archetype : CreateArchetype(mask.Clone());

    /// <summary>Finds or creates <c>source + id</c> and caches the edge both ways.</summary>
    private Archetype LinkAddEdge(Archetype source, int componentId)
    {
        Archetype destination = FindOrCreateArchetype(source.Mask.With(componentId));
        source.LinkAdd(componentId, destination);
        return destination;
    }

    /// <summary>Finds or creates <c>source - id</c> and caches the edge both ways.</summary>
    private Archetype LinkRemoveEdge(Archetype source, int componentId)
    {
        Archetype destination = FindOrCreateArchetype(source.Mask.Without(componentId));
        destination.LinkAdd(componentId, source);
        return destination;
    }

    private Archetype CreateArchetype(ComponentMask ownedMask)
    {
        var archetype = new Archetype(this, _archetypeCount, ownedMask, _infoById);
        if (_archetypeCount == _archetypes.Length)
        {
            Array.Resize(ref _archetypes, _archetypes.Length * 2);
        }

        _archetypes[_archetypeCount++] = archetype;
        _archetypeByMask.Add(ownedMask, archetype);
        return archetype;
    }

    [Conditional("DEBUG")]
    private void AssertEntity(Entity entity)
    {
        Debug.Assert(IsAlive(entity));
        ref EntityRecord record = ref _records[entity.Index];
        Debug.Assert(record.Archetype!.Entities[record.Row] == entity);
    }

    /// <summary>Where one entity slot's data lives.</summary>
    private struct EntityRecord
    {
        /// <summary>The archetype holding the entity, or null for a free or retired slot.</summary>
        public Archetype? Archetype;

        /// <summary>The entity's row in <see cref="Archetype"/>, -1 when not alive.</summary>
        public int Row;

        /// <summary>The slot's current version (starts at 1; bumped on destroy).</summary>
        public int Version;

        /// <summary>The next slot in the FIFO free list, -1 at the end or when not free.</summary>
        public int NextFree;
    }
}
