using Mca.Systems.Engine;

namespace Mca.Replay;

/// <summary>
/// Replays recorded inputs: each machine's errors exactly as recorded, in the order they were taken
/// (no re-sorting, so even a source that produced ties or reordered errors replays bit for bit).
/// </summary>
internal sealed class RecordedInputSource : IErrorSource
{
    private readonly ErrorInjection[][] _inputs;
    private readonly int[] _next;

    /// <param name="inputs">Per machine of the batch (by index in the batch), its recorded errors.</param>
    public RecordedInputSource(ErrorInjection[][] inputs)
    {
        _inputs = inputs;
        _next = new int[inputs.Length];
    }

    public long NextArrivalNs(int machineIndex)
    {
        var list = _inputs[machineIndex];
        int i = _next[machineIndex];
        return i < list.Length ? list[i].TimeNs : long.MaxValue;
    }

    public ErrorInjection Take(int machineIndex)
    {
        var list = _inputs[machineIndex];
        int i = _next[machineIndex];
        if (i >= list.Length)
        {
            throw new InvalidOperationException($"machine {machineIndex} has no recorded error left to take");
        }

        _next[machineIndex] = i + 1;
        return list[i];
    }
}
