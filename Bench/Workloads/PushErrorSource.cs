using Mca.Systems.Engine;

namespace Mca.Bench.Workloads;

/// <summary>An error source for one machine that the benchmark feeds one error at a time (no allocation).</summary>
public sealed class PushErrorSource : IErrorSource
{
    private ErrorInjection _next;
    private bool _has;

    public void Push(in ErrorInjection error)
    {
        if (_has)
        {
            throw new InvalidOperationException("the previous error was not taken yet");
        }

        _next = error;
        _has = true;
    }

    public long NextArrivalNs(int machineIndex) => _has ? _next.TimeNs : long.MaxValue;

    public ErrorInjection Take(int machineIndex)
    {
        if (!_has)
        {
            throw new InvalidOperationException("no error to take");
        }

        _has = false;
        return _next;
    }
}
