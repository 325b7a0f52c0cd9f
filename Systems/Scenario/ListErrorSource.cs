using Mca.Systems.Engine;

namespace Mca.Systems.Scenario;

/// <summary>A fixed list of errors for a batch's machines, each machine's in time order (stable for ties).</summary>
internal sealed class ListErrorSource : IErrorSource
{
    private readonly ErrorInjection[][] _byMachine;
    private readonly int[] _next;

    public ListErrorSource(int machineCount, IEnumerable<(int Machine, ErrorInjection Error)> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var lists = new List<ErrorInjection>[machineCount];
        for (int i = 0; i < machineCount; i++)
        {
            lists[i] = [];
        }

        foreach (var (machine, error) in errors)
        {
            if (machine < 0 || machine >= machineCount)
            {
                throw new ArgumentOutOfRangeException(nameof(errors), machine, $"machine {machine} is not in the batch: expected 0..{machineCount - 1}");
            }

            lists[machine].Add(error);
        }

        // OrderBy is stable: errors at the same instant keep their scenario order.
        _byMachine = [.. lists.Select(l => l.OrderBy(e => e.TimeNs).ToArray())];
        _next = new int[machineCount];
    }

    public long LastArrivalNs => _byMachine.Max(l => l.Length == 0 ? 0 : l[^1].TimeNs);

    public long NextArrivalNs(int machineIndex)
    {
        var list = _byMachine[machineIndex];
        int i = _next[machineIndex];
        return i < list.Length ? list[i].TimeNs : long.MaxValue;
    }

    public ErrorInjection Take(int machineIndex)
    {
        var list = _byMachine[machineIndex];
        int i = _next[machineIndex];
        if (i >= list.Length)
        {
            throw new InvalidOperationException($"machine {machineIndex} has no error left to take");
        }

        _next[machineIndex] = i + 1;
        return list[i];
    }
}
