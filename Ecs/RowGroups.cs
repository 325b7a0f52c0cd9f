namespace Mca.Ecs;

/// <summary>
/// The rows of one component of a frozen world, cut into consecutive groups of one size: group g is rows
/// g * <see cref="Size"/> to g * <see cref="Size"/> + <see cref="Size"/> - 1 of <see cref="World.Rows{T}"/>'s column.
/// A world whose entities are created owner by owner (each machine's CPUs after the previous machine's)
/// knows an owner's rows without a lookup; <see cref="World.Groups{T}"/> hands out this view once the world is
/// frozen, so it stays valid for the world's life.
/// </summary>
public readonly struct RowGroups<T>
    where T : unmanaged
{
    private readonly T[] _column;

    internal RowGroups(T[] column, int count, int size)
    {
        _column = column;
        Count = count;
        Size = size;
    }

    /// <summary>Number of groups.</summary>
    public int Count { get; }

    /// <summary>Rows per group.</summary>
    public int Size { get; }

    /// <summary>Every row of every group, in order.</summary>
    public Span<T> All => new(_column, 0, Count * Size);

    /// <summary>The rows of group <paramref name="group"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a group of the view.</exception>
    public Span<T> this[int group]
    {
        get
        {
            if ((uint)group >= (uint)Count)
            {
                ThrowHelper.GroupOutOfRange(group, Count);
            }

            return new Span<T>(_column, group * Size, Size);
        }
    }

    /// <summary>Row <paramref name="index"/> of group <paramref name="group"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a group of the view or not a row of the group.</exception>
    public ref T Row(int group, int index)
    {
        if ((uint)group >= (uint)Count || (uint)index >= (uint)Size)
        {
            ThrowHelper.GroupOutOfRange(group, Count);
        }

        return ref _column[(group * Size) + index];
    }
}
