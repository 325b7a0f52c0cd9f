using System.Diagnostics;

namespace Mca.Ecs;

/// <summary>
/// The archetypes of one world matched by a <see cref="QueryDescription"/>, cached by
/// <see cref="World.Query"/> and kept up to date as the world creates archetypes (checked lazily, on use).
/// </summary>
internal sealed class Query
{
    private readonly World _world;
    private Archetype[] _archetypes = new Archetype[4];
    private Chunk[] _chunks = new Chunk[4];
    private int _archetypeCount;
    private int _seenArchetypeCount;

    internal Query(World world, QueryDescription description)
    {
        _world = world;
        Description = description;
        Refresh();
    }

    /// <summary>What this query matches.</summary>
    public QueryDescription Description { get; }

    /// <summary>Matching archetypes, empty or not.</summary>
    public int ArchetypeCount
    {
        get
        {
            Refresh();
            return _archetypeCount;
        }
    }

    /// <summary>Entities in the matching archetypes.</summary>
    public int EntityCount
    {
        get
        {
            Refresh();
            int count = 0;
            foreach (Archetype archetype in Archetypes)
            {
                count += archetype.Count;
            }

            return count;
        }
    }

    /// <summary>Matching archetypes in world creation order (call <see cref="Refresh"/> first).</summary>
    internal ReadOnlySpan<Archetype> Archetypes => new(_archetypes, 0, _archetypeCount);

    /// <summary>An allocation-free enumerator over the non-empty matching chunks.</summary>
    public ChunkEnumerator GetEnumerator()
    {
        Refresh();
        return new ChunkEnumerator(_world, _chunks, _archetypeCount);
    }

    /// <summary>Matches the archetypes the world created since the last refresh.</summary>
    internal void Refresh()
    {
        if (_seenArchetypeCount != _world.ArchetypeCount)
        {
            RefreshSlow();
        }
    }

    private void RefreshSlow()
    {
        ReadOnlySpan<Archetype> all = _world.Archetypes;
        for (int i = _seenArchetypeCount; i < all.Length; i++)
        {
            if (Matches(all[i]))
            {
                if (_archetypeCount == _archetypes.Length)
                {
                    Array.Resize(ref _archetypes, _archetypes.Length * 2);
                    Array.Resize(ref _chunks, _chunks.Length * 2);
                }

                _archetypes[_archetypeCount] = all[i];
                _chunks[_archetypeCount] = new Chunk(all[i]);
                _archetypeCount++;
            }
        }

        _seenArchetypeCount = all.Length;
        Debug.Assert(_archetypeCount <= _seenArchetypeCount);
    }

    /// <summary>
    /// Whether an archetype matches. A type this world has not registered cannot be in any of its archetypes,
    /// and archetypes never change their set, so checking each archetype once (when first seen) is exact.
    /// </summary>
    private bool Matches(Archetype archetype)
    {
        foreach (int typeIndex in Description.AllTypeIndices)
        {
            int id = _world.IdOfTypeIndex(typeIndex);
            if (id < 0 || !archetype.Mask.Contains(id))
            {
                return false;
            }
        }

        foreach (int typeIndex in Description.NoneTypeIndices)
        {
            int id = _world.IdOfTypeIndex(typeIndex);
            if (id >= 0 && archetype.Mask.Contains(id))
            {
                return false;
            }
        }

        ReadOnlySpan<int> any = Description.AnyTypeIndices;
        if (any.IsEmpty)
        {
            return true;
        }

        foreach (int typeIndex in any)
        {
            int id = _world.IdOfTypeIndex(typeIndex);
            if (id >= 0 && archetype.Mask.Contains(id))
            {
                return true;
            }
        }

        return false;
    }
}
