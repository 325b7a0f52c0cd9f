using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>Component registration and per-entity component access.</summary>
public sealed partial class World
{
    private int[] _idByTypeIndex;
    private ComponentInfo[] _infoById = new ComponentInfo[16];
    private ulong[] _scratchMaskWords = new ulong[1];
    private int _componentCount;

    /// <summary>Component types registered in this world; their ids are <c>0 .. ComponentCount - 1</c>.</summary>
    public int ComponentCount => _componentCount;

    /// <summary>
    /// Registers <typeparamref name="T"/> in this world if it is not yet, and returns its world component id.
    /// Ids are assigned 0, 1, 2, ... in this world's registration order (explicit here, or implicit on the
    /// first Create of the type), independent of any other world.
    /// </summary>
    public int Register<T>()
        where T : unmanaged => RegisterComponent<T>();

    /// <summary>Returns a reference to the entity's <typeparamref name="T"/> in its archetype column.</summary>
    /// <remarks>The reference is valid until the next entity is created (a frozen world's references stay valid).</remarks>
    /// <exception cref="InvalidOperationException">The handle is stale or dead, or the component is absent.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ref T Get<T>(Entity entity)
        where T : unmanaged
    {
        ref EntityRecord record = ref AliveRecord(entity);
        Archetype archetype = record.Archetype;
        int slot = archetype.SlotOf(IdOf<T>());
        if (slot < 0)
        {
            ThrowHelper.MissingComponent(entity, typeof(T));
        }

        return ref archetype.Column<T>(slot)[record.Row];
    }

    /// <summary>Whether the entity has a <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The handle is stale or dead.</exception>
    public bool Has<T>(Entity entity)
        where T : unmanaged
    {
        ref EntityRecord record = ref AliveRecord(entity);
        return record.Archetype.SlotOf(IdOf<T>()) >= 0;
    }

    /// <summary>Copies the entity's <typeparamref name="T"/> into <paramref name="value"/> if it has one.</summary>
    /// <exception cref="InvalidOperationException">The handle is stale or dead.</exception>
    public bool TryGet<T>(Entity entity, out T value)
        where T : unmanaged
    {
        ref EntityRecord record = ref AliveRecord(entity);
        Archetype archetype = record.Archetype;
        int slot = archetype.SlotOf(IdOf<T>());
        if (slot < 0)
        {
            value = default;
            return false;
        }

        value = archetype.Column<T>(slot)[record.Row];
        return true;
    }

    /// <summary>Overwrites the entity's existing <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The handle is stale or dead, or the component is absent.</exception>
    public void Set<T>(Entity entity, in T value)
        where T : unmanaged => Get<T>(entity) = value;

    /// <summary>This world's id for <typeparamref name="T"/>, or -1 if it was never registered here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IdOf<T>()
        where T : unmanaged => IdOfTypeIndex(ComponentTypeIndex<T>.Value);

    /// <summary>This world's id for a process-wide type index, or -1 if never registered here.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int IdOfTypeIndex(int typeIndex)
    {
        int[] map = _idByTypeIndex;
        return (uint)typeIndex < (uint)map.Length ? map[typeIndex] : -1;
    }

    /// <summary>The world id for <typeparamref name="T"/>, registering it on first use.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal int RegisterComponent<T>()
        where T : unmanaged
    {
        int id = IdOf<T>();
        return id >= 0 ? id : RegisterSlow(ComponentTypeIndex<T>.Value);
    }

    private int RegisterSlow(int typeIndex)
    {
        Debug.Assert(IdOfTypeIndex(typeIndex) < 0);
        if (typeIndex >= _idByTypeIndex.Length)
        {
            int oldLength = _idByTypeIndex.Length;
            Array.Resize(ref _idByTypeIndex, Math.Max(typeIndex + 1, oldLength * 2));
            _idByTypeIndex.AsSpan(oldLength).Fill(-1);
        }

        int id = _componentCount;
        if (id == _infoById.Length)
        {
            Array.Resize(ref _infoById, _infoById.Length * 2);
        }

        if ((id >> 6) >= _scratchMaskWords.Length)
        {
            Array.Resize(ref _scratchMaskWords, _scratchMaskWords.Length * 2);
        }

        _infoById[id] = ComponentRegistry.Get(typeIndex);
        _idByTypeIndex[typeIndex] = id;
        _componentCount = id + 1;
        return id;
    }

    private string? ValidateComponentInvariants()
    {
        int mapped = 0;
        for (int typeIndex = 0; typeIndex < _idByTypeIndex.Length; typeIndex++)
        {
            int id = _idByTypeIndex[typeIndex];
            if (id < 0)
            {
                continue;
            }

            mapped++;
            if (id >= _componentCount || _infoById[id].TypeIndex != typeIndex)
            {
                return $"type index {typeIndex} maps to component id {id}, which describes another type";
            }
        }

        if (mapped != _componentCount)
        {
            return $"{mapped} type indices map to ids, {_componentCount} components registered";
        }

        foreach (ulong word in _scratchMaskWords)
        {
            if (word != 0)
            {
                return "the scratch component mask is not clear";
            }
        }

        return null;
    }
}
