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
/// <para>A world is populated, then frozen (<see cref="Freeze"/>): entities are only created, never destroyed,
/// and never change components, so an entity keeps its archetype and row for the world's life and rows are in
/// creation order. Entity slots are never reused; every handle a world issues has version 1.</para>
/// </remarks>
public sealed partial class World
{
    /// <summary>The version of every handle: no slot is reused, and <c>default(Entity)</c> (version 0) is never alive.</summary>
    private const int VersionIssued = 1;

    private readonly Dictionary<ComponentMask, Archetype> _archetypeByMask = [];
    private readonly Archetype _emptyArchetype;
    private Archetype[] _archetypes = new Archetype[16];
    private int _archetypeCount;

    private EntityRecord[] _records;
    private int _entityCount;
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

    /// <summary>Entities created (every one stays alive for the world's life).</summary>
    public int EntityCount => _entityCount;

    /// <summary>Archetypes created so far (including the empty one).</summary>
    public int ArchetypeCount => _archetypeCount;

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
        ReadOnlySpan<int> ids = [RegisterComponent<T1>()];
        Archetype archetype = FindOrCreateArchetype(ids);
        Entity entity = AllocateEntity(archetype, out int row);
        archetype.Column<T1>(archetype.SlotOf(ids[0]))[row] = c1;
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

    /// <summary>Whether <paramref name="entity"/> names an alive entity of this world (never throws).</summary>
    public bool IsAlive(Entity entity) =>
        (uint)entity.Index < (uint)_entityCount && entity.Version == VersionIssued;

    /// <summary>
    /// Null if every invariant of the world holds; otherwise a description of the first violation. O(archetypes +
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
        if (!IsAlive(entity))
        {
            ThrowHelper.NotAlive(entity, _entityCount);
        }

        return ref _records[entity.Index];
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureStructureMutable()
    {
        if (_frozen)
        {
            ThrowHelper.Frozen();
        }
    }

    private Entity AllocateEntity(Archetype archetype, out int row)
    {
        if (_entityCount == _records.Length)
        {
            Array.Resize(ref _records, _records.Length * 2);
        }

        int index = _entityCount++;
        var entity = new Entity(index, VersionIssued);
        row = archetype.AddRow(entity);
        _records[index] = new EntityRecord { Archetype = archetype, Row = row };
        return entity;
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
        Debug.Assert(record.Archetype.Entities[record.Row] == entity);
    }

    /// <summary>Where one entity's data lives.</summary>
    private struct EntityRecord
    {
        /// <summary>The archetype holding the entity.</summary>
        public Archetype Archetype;

        /// <summary>The entity's row in <see cref="Archetype"/>.</summary>
        public int Row;
    }
}
