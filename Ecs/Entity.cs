using System.Globalization;

namespace Mca.Ecs;

/// <summary>
/// A handle to an entity in one <see cref="World"/>: a slot <paramref name="Index"/> and the slot's
/// <paramref name="Version"/> when the handle was issued. Destroying an entity bumps its slot's version, so
/// every older handle to that slot becomes stale and every <see cref="World"/> API rejects it.
/// </summary>
/// <remarks>
/// Versions start at 1, so <c>default(Entity)</c> is never alive. A negative index is never alive in a world:
/// <see cref="Null"/> has index -1, and <see cref="CommandBuffer.Create"/> hands out placeholders with
/// indices -2, -3, ... that only mean something inside the buffer that issued them.
/// </remarks>
public readonly record struct Entity(int Index, int Version)
{
    /// <summary>The handle that names no entity (index -1, version 0).</summary>
    public static Entity Null { get; } = new(-1, 0);

    /// <summary>True for <see cref="Null"/>.</summary>
    public bool IsNull => Index == -1;

    /// <summary>Formats as <c>Entity(index v version)</c>, invariant culture.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Entity({Index} v{Version})");
}
