using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// What the world needs to know about a component type without knowing it statically: how to make and grow
/// its column.
/// </summary>
internal abstract class ComponentInfo
{
    protected ComponentInfo(int typeIndex, Type type)
    {
        TypeIndex = typeIndex;
        Type = type;
    }

    /// <summary>The process-wide dense index (<see cref="ComponentTypeIndex{T}.Value"/>).</summary>
    public int TypeIndex { get; }

    /// <summary>The component type, for messages only.</summary>
    public Type Type { get; }

    /// <summary>A new zeroed column <c>T[]</c> of <paramref name="length"/> rows.</summary>
    public abstract Array NewColumn(int length);

    /// <summary>A column of <paramref name="length"/> rows holding the first <paramref name="count"/> rows of <paramref name="column"/>.</summary>
    public abstract Array Grow(Array column, int count, int length);
}

/// <summary>The <see cref="ComponentInfo"/> of one unmanaged component type.</summary>
internal sealed class ComponentInfo<T> : ComponentInfo
    where T : unmanaged
{
    public ComponentInfo(int typeIndex)
        : base(typeIndex, typeof(T))
    {
    }

    public override Array NewColumn(int length) => new T[length];

    public override Array Grow(Array column, int count, int length)
    {
        var grown = new T[length];
        Array.Copy(Unsafe.As<T[]>(column), grown, count);
        return grown;
    }
}
