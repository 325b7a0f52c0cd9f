namespace Mca.Systems.Engine;

/// <summary>Wraps a source and keeps every error it hands out, for replays.</summary>
public sealed class RecordingErrorSource(IErrorSource inner, int firstMachineId) : IErrorSource
{
    private readonly List<RecordedInput> _taken = [];

    public IErrorSource Inner => inner;

    public long NextArrivalNs(int machineIndex) => inner.NextArrivalNs(machineIndex);

    public ErrorInjection Take(int machineIndex)
    {
        var e = inner.Take(machineIndex);
        _taken.Add(new RecordedInput(firstMachineId + machineIndex, e));
        return e;
    }

    public void OnReset(int machineIndex, long timeNs) => inner.OnReset(machineIndex, timeNs);

    /// <summary>The errors taken since the last call, in the order they were taken.</summary>
    public RecordedInput[] Drain()
    {
        var taken = _taken.ToArray();
        _taken.Clear();
        return taken;
    }
}
