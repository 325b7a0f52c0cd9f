namespace Mca.Ecs;

/// <summary>
/// A process-wide dense index for the component type <typeparamref name="T"/>, assigned on first use.
/// </summary>
/// <remarks>
/// The value depends on which type the process touched first, so it must never reach simulation state:
/// each <see cref="World"/> maps it to its own component id, assigned in that world's registration order.
/// </remarks>
internal static class ComponentTypeIndex<T>
    where T : unmanaged
{
    /// <summary>The dense process-wide index of <typeparamref name="T"/> (0, 1, 2, ...).</summary>
    public static readonly int Value = ComponentRegistry.Register<T>();
}
