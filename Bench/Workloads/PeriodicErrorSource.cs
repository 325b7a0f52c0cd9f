using Mca.Systems.Engine;

namespace Mca.Bench.Workloads;

/// <summary>
/// The same error on every machine once per period, forever (the k-th at k periods). A batch schedules a
/// machine by its source's next arrival, so a benchmark that steps one error at a time needs a source that
/// always knows the next one; this one allocates nothing.
/// </summary>
internal sealed class PeriodicErrorSource(ErrorInjection template, long periodNs, int machineCount) : IErrorSource
{
    private readonly long[] _next = Enumerable.Repeat(periodNs, machineCount).ToArray();

    public long NextArrivalNs(int machineIndex) => _next[machineIndex];

    public ErrorInjection Take(int machineIndex)
    {
        var e = template;
        e.TimeNs = _next[machineIndex];
        _next[machineIndex] += periodNs;
        return e;
    }
}
