using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Mca.Ecs;

/// <summary>
/// One archetype matched by a <see cref="Query"/>: the rows of every entity with exactly one component set.
/// Its spans are the archetype's contiguous columns, valid until the next structural change of the world.
/// </summary>
internal readonly struct Chunk
{
    private readonly Archetype _archetype;

    internal Chunk(Archetype archetype) => _archetype = archetype;

    /// <summary>Rows (entities) in the chunk.</summary>
    public int Count => _archetype.Count;

    /// <summary>The entity of each row.</summary>
    public ReadOnlySpan<Entity> Entities => new(_archetype.Entities, 0, _archetype.Count);

    /// <summary>The <typeparamref name="T"/> column, length <see cref="Count"/>; row i belongs to <c>Entities[i]</c>.</summary>
    /// <exception cref="InvalidOperationException">The chunk has no <typeparamref name="T"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Span<T> GetSpan<T>()
        where T : unmanaged => MemoryMarshal.CreateSpan(ref MemoryMarshal.GetArrayDataReference(GetArray<T>()), _archetype.Count);

    /// <summary>
    /// The array behind the <typeparamref name="T"/> column: its first <see cref="Count"/> elements are the column.
    /// For owners of a world whose structure no longer changes (entities created once, never moved), which keep it
    /// instead of looking the column up on every access; any structural change may replace it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The chunk has no <typeparamref name="T"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public T[] GetArray<T>()
        where T : unmanaged
    {
        Archetype archetype = _archetype;
        int slot = archetype.SlotOf(archetype.World.IdOf<T>());
        if (slot < 0)
        {
            ThrowHelper.ChunkLacksComponent(typeof(T));
        }

        return archetype.Column<T>(slot);
    }

    /// <summary>Whether the chunk has a <typeparamref name="T"/> column.</summary>
    public bool Has<T>()
        where T : unmanaged => _archetype.SlotOf(_archetype.World.IdOf<T>()) >= 0;
}
