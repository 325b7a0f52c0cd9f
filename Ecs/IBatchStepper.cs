namespace Mca.Ecs;

/// <summary>
/// One batch of the parallel engine: owns its state (normally one <see cref="World"/>) and steps it one epoch
/// at a time. <see cref="BatchRunner"/> never calls one stepper from two threads at once, and calls it for
/// epochs 0, 1, 2, ... in order, each call starting after the previous one returned.
/// </summary>
/// <remarks>
/// Implement it on a class: the runner calls <see cref="Step"/> on the element its list indexer returns, so a
/// struct stepper would step a copy and lose its state.
/// </remarks>
/// <typeparam name="TOutput">What one epoch of one batch produces for the ordered consumer.</typeparam>
public interface IBatchStepper<TOutput>
{
    /// <summary>Advances the batch through epoch <paramref name="epochIndex"/> and returns its output.</summary>
    TOutput Step(int epochIndex);
}
