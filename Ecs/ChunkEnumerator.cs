namespace Mca.Ecs;

/// <summary>
/// Allocation-free enumerator over the non-empty chunks of a <see cref="Query"/>, in archetype creation
/// order. Supports <c>foreach (ref readonly Chunk chunk in query)</c> and <c>foreach (Chunk chunk in query)</c>.
/// </summary>
/// <remarks><see cref="MoveNext"/> throws if the world was structurally changed since enumeration began.</remarks>
internal struct ChunkEnumerator
{
    private readonly World _world;
    private readonly Chunk[] _chunks;
    private readonly int _count;
    private readonly int _structureVersion;
    private int _index;

    internal ChunkEnumerator(World world, Chunk[] chunks, int count)
    {
        _world = world;
        _chunks = chunks;
        _count = count;
        _structureVersion = world.StructureVersion;
        _index = -1;
    }

    /// <summary>The current chunk.</summary>
    public readonly ref readonly Chunk Current => ref _chunks[_index];

    /// <summary>Advances to the next non-empty chunk.</summary>
    /// <exception cref="InvalidOperationException">The world changed structurally during enumeration.</exception>
    public bool MoveNext()
    {
        if (_world.StructureVersion != _structureVersion)
        {
            ThrowHelper.WorldChangedDuringEnumeration();
        }

        while (++_index < _count)
        {
            if (_chunks[_index].Count > 0)
            {
                return true;
            }
        }

        _index = _count;
        return false;
    }
}
