using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Mca.Ecs;

/// <summary>Throws with messages that name the bad value and what was expected; keeps hot paths small.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void NotAlive(Entity entity, int slotVersion, bool slotAlive) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{entity} is not alive in this world: stale or destroyed handle (slot {entity.Index} is at version {slotVersion}, {(slotAlive ? "alive" : "free")})."));

    [DoesNotReturn]
    public static void NotAlive(Entity entity) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{entity} is not alive in this world: the index was never issued (or is negative)."));

    [DoesNotReturn]
    public static void MissingComponent(Entity entity, Type componentType) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{entity} has no {componentType.Name} component; expected it to be present (use Add to attach it)."));

    [DoesNotReturn]
    public static void DuplicateComponent(Entity entity, Type componentType) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"{entity} already has a {componentType.Name} component; expected it to be absent (use Set to change it)."));

    [DoesNotReturn]
    public static void DuplicateComponentType(Type componentType) =>
        throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
            $"Component type {componentType.Name} is listed twice; expected distinct component types."));

    [DoesNotReturn]
    public static void StructuralChangeDuringIteration(int iterationDepth) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"Structural change (create, destroy, add or remove) while {iterationDepth} ForEach iteration(s) run over this world; record it in a CommandBuffer and play it back after the iteration."));

    [DoesNotReturn]
    public static void WorldChangedDuringEnumeration() =>
        throw new InvalidOperationException(
            "The world was structurally changed (create, destroy, add or remove) while a query was being enumerated; record changes in a CommandBuffer and play it back after the loop.");

    [DoesNotReturn]
    public static void QueryLacksComponent(Type componentType) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The query matched an archetype without {componentType.Name}; expected every iterated component in the description's WithAll."));

    [DoesNotReturn]
    public static void ChunkLacksComponent(Type componentType) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"This chunk has no {componentType.Name} column; check Chunk.Has<{componentType.Name}>() or add it to the query's WithAll."));

    [DoesNotReturn]
    public static void GroupOutOfRange(int group, int count) =>
        throw new ArgumentOutOfRangeException(nameof(group), group, string.Create(CultureInfo.InvariantCulture,
            $"expected a group 0..{count - 1} (and a row within its size)"));

    [DoesNotReturn]
    public static void Frozen() =>
        throw new InvalidOperationException(
            "Structural change (create, destroy, add or remove) in a frozen world; a frozen world's entities keep their rows for its life.");
}
