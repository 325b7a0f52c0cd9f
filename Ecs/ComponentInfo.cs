using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// What the world needs to know about a component type without knowing it statically: how to make, grow and
/// copy its column, and how to apply a value that a <see cref="CommandBuffer"/> stored as bytes.
/// </summary>
internal abstract class ComponentInfo
{
    protected ComponentInfo(int typeIndex, Type type, int sizeBytes)
    {
        TypeIndex = typeIndex;
        Type = type;
        SizeBytes = sizeBytes;
    }

    /// <summary>The process-wide dense index (<see cref="ComponentTypeIndex{T}.Value"/>).</summary>
    public int TypeIndex { get; }

    /// <summary>The component type, for messages only.</summary>
    public Type Type { get; }

    /// <summary><c>sizeof(T)</c>: the bytes a command buffer stores per value.</summary>
    public int SizeBytes { get; }

    /// <summary>A new zeroed column <c>T[]</c> of <paramref name="length"/> rows.</summary>
    public abstract Array NewColumn(int length);

    /// <summary>A column of <paramref name="length"/> rows holding the first <paramref name="count"/> rows of <paramref name="column"/>.</summary>
    public abstract Array Grow(Array column, int count, int length);

    /// <summary>Copies one row; source and destination may be the same column.</summary>
    public abstract void CopyRow(Array source, int sourceRow, Array destination, int destinationRow);

    /// <summary>Applies <see cref="World.Add{T}(Entity, in T)"/> with a value read from <paramref name="bytes"/>.</summary>
    public abstract void AddFromBytes(World world, Entity entity, ReadOnlySpan<byte> bytes);

    /// <summary>Applies <see cref="World.Set{T}(Entity, in T)"/> with a value read from <paramref name="bytes"/>.</summary>
    public abstract void SetFromBytes(World world, Entity entity, ReadOnlySpan<byte> bytes);

    /// <summary>Applies <see cref="World.Remove{T}(Entity)"/>.</summary>
    public abstract void Remove(World world, Entity entity);
}

/// <summary>The <see cref="ComponentInfo"/> of one unmanaged component type.</summary>
internal sealed class ComponentInfo<T> : ComponentInfo
    where T : unmanaged
{
    public unsafe ComponentInfo(int typeIndex)
        : base(typeIndex, typeof(T), sizeof(T))
    {
    }

    public override Array NewColumn(int length) => new T[length];

    public override Array Grow(Array column, int count, int length)
    {
        var grown = new T[length];
        Array.Copy(Unsafe.As<T[]>(column), grown, count);
        return grown;
    }

    public override void CopyRow(Array source, int sourceRow, Array destination, int destinationRow) =>
        Unsafe.As<T[]>(destination)[destinationRow] = Unsafe.As<T[]>(source)[sourceRow];

    public override void AddFromBytes(World world, Entity entity, ReadOnlySpan<byte> bytes) =>
        world.Add(entity, Read(bytes));

    public override void SetFromBytes(World world, Entity entity, ReadOnlySpan<byte> bytes) =>
        world.Set(entity, Read(bytes));

    public override void Remove(World world, Entity entity) => world.Remove<T>(entity);

    private unsafe T Read(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != sizeof(T))
        {
            throw new InvalidOperationException($"A stored {typeof(T).Name} value has {bytes.Length} bytes; expected {sizeof(T)}.");
        }

        return Unsafe.ReadUnaligned<T>(ref Unsafe.AsRef(in bytes[0]));
    }
}
