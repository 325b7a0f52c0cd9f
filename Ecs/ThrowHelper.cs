using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mca.Ecs;

/// <summary>Throws with messages that name the bad value and what was expected; keeps hot paths small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void NotAlive(Entity entity, int entityCount) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{entity} is not an entity of this world: expected index 0..{entityCount - 1} and version 1 (a handle this world's Create returned)."));

    [DoesNotReturn]
    public static void MissingComponent(Entity entity, Type componentType) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{entity} has no {componentType.Name} component; expected it to be present."));

    [DoesNotReturn]
    public static void DuplicateComponentType(Type componentType) =>
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"Component type {componentType.Name} is listed twice; expected distinct component types."));

    [DoesNotReturn]
    public static void GroupOutOfRange(int group, int count) =>
        throw new ArgumentOutOfRangeException(nameof(group), group, string.Create(CultureInfo.InvariantCulture,
            $"expected a group 0..{count - 1} (and a row within its size)"));

    [DoesNotReturn]
    public static void Frozen() =>
        throw new InvalidOperationException(
            "Create in a frozen world; expected every entity to be created before Freeze (a frozen world's entities keep their rows for its life).");
}
