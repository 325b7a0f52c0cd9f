namespace Mca.Ecs;

/// <summary>
/// Steps independent batches in parallel, epoch by epoch, and hands their outputs to one consumer in strict
/// (epoch, batch) order: the parallel batch engine of docs/design.md "Determinism rules".
/// </summary>
/// <remarks>
/// <para>Work item <c>s = epoch * batchCount + batch</c> is claimed by workers in increasing <c>s</c> from a
/// shared counter. A worker first waits for a window slot: at most <c>channelCapacity + threadCount</c> items
/// are claimed but not yet consumed, so neither the bounded channel (producers wait when it is full) nor
/// the consumer's reorder ring (exactly that many entries) can grow beyond it. A batch's epoch
/// <c>e + 1</c> starts only after its epoch <c>e</c> returned.</para>
/// <para>The consumer runs on one thread at a time and sees items in (epoch, batch) order whatever the thread
/// count, so anything it derives (aggregates, replay bytes) is identical for any thread count.</para>
/// <para>If a stepper or the consumer throws, the run stops (no new steps start, the consumer stops) and the
/// first exception is rethrown as itself, not wrapped in an <see cref="AggregateException"/>. If the token is
/// cancelled, the run stops and throws <see cref="OperationCanceledException"/>.</para>
/// </remarks>
public static class BatchRunner
{
    /// <summary>Runs <paramref name="epochCount"/> epochs of every batch; see the type remarks.</summary>
    /// <param name="batches">One stepper per batch; batch index = list index.</param>
    /// <param name="epochCount">Epochs to run (0 runs nothing).</param>
    /// <param name="threadCount">Concurrent workers (>= 1). At most this many steps run at once.</param>
    /// <param name="channelCapacity">Outputs the bounded channel holds before producers wait (>= 1).</param>
    /// <param name="consume">Called with (epoch, batch, output) in (epoch, batch) order, one call at a time.</param>
    /// <param name="ct">Stops the run.</param>
    public static Task RunAsync<TStepper, TOutput>(
        IReadOnlyList<TStepper> batches,
        int epochCount,
        int threadCount,
        int channelCapacity,
        Action<int, int, TOutput> consume,
        CancellationToken ct = default)
        where TStepper : IBatchStepper<TOutput>
    {
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(consume);
        ArgumentOutOfRangeException.ThrowIfNegative(epochCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(channelCapacity, 1);
        return new BatchRun<TStepper, TOutput>(batches, epochCount, threadCount, channelCapacity, consume).RunAsync(ct);
    }

    /// <summary>Synchronous <see cref="RunAsync"/>: blocks until the run ends; throws what it throws.</summary>
    public static void Run<TStepper, TOutput>(
        IReadOnlyList<TStepper> batches,
        int epochCount,
        int threadCount,
        int channelCapacity,
        Action<int, int, TOutput> consume,
        CancellationToken ct = default)
        where TStepper : IBatchStepper<TOutput> =>
        RunAsync(batches, epochCount, threadCount, channelCapacity, consume, ct).GetAwaiter().GetResult();
}
