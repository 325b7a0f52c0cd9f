using System.Globalization;

namespace Mca.Ecs;

/// <summary>
/// A handle to an entity in one <see cref="World"/>: its <paramref name="Index"/> in creation order and a
/// <paramref name="Version"/>, 1 for every handle a world issues (no entity is destroyed, so no index is reused).
/// </summary>
/// <remarks>
/// <c>default(Entity)</c> (version 0) is never alive in a world.
/// </remarks>
public readonly record struct Entity(int Index, int Version)
{
    /// <summary>Formats as <c>Entity(index v version)</c>, invariant culture.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"Entity({Index} v{Version})");
}
