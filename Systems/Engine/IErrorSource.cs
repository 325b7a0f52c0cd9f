namespace Mca.Systems.Engine;

/// <summary>
/// Where a batch's errors come from: a workload or a scenario. Machines are indexed within the
/// batch. Implementations are deterministic: the same calls give the same errors.
/// </summary>
public interface IErrorSource
{
    /// <summary>Time of the machine's next error, or <see cref="long.MaxValue"/> if none.</summary>
    long NextArrivalNs(int machineIndex);

    /// <summary>Removes and returns the machine's next error (the one <see cref="NextArrivalNs"/> named).</summary>
    ErrorInjection Take(int machineIndex);

    /// <summary>The machine reset: sources that model consequences of a reset (none by default) are told.</summary>
    void OnReset(int machineIndex, long timeNs)
    {
    }

    /// <summary>
    /// dom0 may take pages out of service: a source whose errors depend on it (a UE on a page nobody reads is found
    /// by the scrubber, not consumed) keeps <paramref name="pages"/> and asks it when it hands an error out.
    /// </summary>
    void AttachPages(IPageService pages)
    {
    }
}

/// <summary>No errors at all.</summary>
public sealed class NoErrors : IErrorSource
{
    public static NoErrors Instance { get; } = new();

    public long NextArrivalNs(int machineIndex) => long.MaxValue;

    public ErrorInjection Take(int machineIndex) =>
        throw new InvalidOperationException($"machine {machineIndex} has no error to take");
}
