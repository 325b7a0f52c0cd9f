using System.Runtime.ExceptionServices;

namespace Mca.Ecs;

/// <summary>
/// Runs independent work items in parallel, each to completion, and hands their results to one consumer in
/// item order: the streaming batch engine (docs/design.md "Determinism rules"). Unlike
/// <see cref="BatchRunner"/>, which keeps every batch alive and steps them epoch by epoch, a batch here is
/// created, run through every epoch and dropped by one worker, so live state is bounded by the threads and
/// the window, never by the number of items.
/// </summary>
/// <remarks>
/// <para>Workers claim items in increasing order from a shared counter after taking a window slot; the
/// consumer returns the slot once it has consumed the item, so at most <c>window</c> items are claimed but
/// not consumed, and the reorder ring has exactly that many entries.</para>
/// <para>The consumer runs on the calling thread and sees items in increasing order whatever the thread count
/// and whichever worker finished first, so anything it derives is identical for any thread count.</para>
/// <para>If a worker or the consumer throws, the run stops (no new items start) and the first exception is
/// rethrown as itself. If the token is cancelled, the run stops and throws <see cref="OperationCanceledException"/>.
/// The work function receives the token so a long item can stop early.</para>
/// </remarks>
public static class BatchStream
{
    /// <summary>Runs <paramref name="work"/> for items <c>0..count-1</c> on <paramref name="threadCount"/> workers; see the type remarks.</summary>
    /// <param name="count">Items (0 runs nothing).</param>
    /// <param name="threadCount">Concurrent workers (>= 1).</param>
    /// <param name="window">Items claimed but not yet consumed, at most (>= <paramref name="threadCount"/>).</param>
    /// <param name="work">Computes item <c>i</c>'s result; called at most once per item, concurrently for different items.</param>
    /// <param name="consume">Called with (i, result) in increasing <c>i</c>, one call at a time, on the calling thread.</param>
    /// <param name="ct">Stops the run.</param>
    public static void Run<T>(int count, int threadCount, int window, Func<int, CancellationToken, T> work, Action<int, T> consume, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        ArgumentNullException.ThrowIfNull(consume);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(threadCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, threadCount);
        ct.ThrowIfCancellationRequested();
        if (count == 0)
        {
            return;
        }

        new Stream<T>(count, Math.Min(threadCount, count), window, work, consume).Run(ct);
    }

    private sealed class Stream<T>(int count, int threads, int window, Func<int, CancellationToken, T> work, Action<int, T> consume)
    {
        // Monitor.Wait/PulseAll need a plain object: System.Threading.Lock has no condition variable.
        private readonly object _gate = new();
        private readonly T[] _ring = new T[window];
        private readonly bool[] _ready = new bool[window];
        private int _next;
        private int _free = window;
        private int Window => _ring.Length;
        private ExceptionDispatchInfo? _failure;
        private bool _stopped;

        public void Run(CancellationToken ct)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var wake = ct.Register(() => Stop(null));
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() => Work(stop.Token)) { IsBackground = true, Name = "mca-batch-" + t };
                workers[t].Start();
            }

            try
            {
                for (int i = 0; i < count; i++)
                {
                    T result;
                    lock (_gate)
                    {
                        int slot = i % Window;
                        while (!_ready[slot] && !_stopped)
                        {
                            Monitor.Wait(_gate);
                        }

                        if (!_ready[slot])
                        {
                            break;
                        }

                        result = _ring[slot];
                        _ring[slot] = default!;
                        _ready[slot] = false;
                    }

                    consume(i, result);
                    lock (_gate)
                    {
                        _free++;
                        Monitor.PulseAll(_gate);
                    }
                }
            }
            catch (Exception e)
            {
                Stop(ExceptionDispatchInfo.Capture(e));
            }
            finally
            {
                Stop(null);
                stop.Cancel();
                foreach (var w in workers)
                {
                    w.Join();
                }
            }

            _failure?.Throw();
            ct.ThrowIfCancellationRequested();
        }

        private void Work(CancellationToken ct)
        {
            while (true)
            {
                int i;
                lock (_gate)
                {
                    while (_free == 0 && !_stopped)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_stopped || _next >= count)
                    {
                        return;
                    }

                    _free--;
                    i = _next++;
                }

                T result;
                try
                {
                    result = work(i, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    Stop(null);
                    return;
                }
                catch (Exception e)
                {
                    Stop(ExceptionDispatchInfo.Capture(e));
                    return;
                }

                lock (_gate)
                {
                    _ring[i % Window] = result;
                    _ready[i % Window] = true;
                    Monitor.PulseAll(_gate);
                }
            }
        }

        private void Stop(ExceptionDispatchInfo? failure)
        {
            lock (_gate)
            {
                _failure ??= failure;
                _stopped = true;
                Monitor.PulseAll(_gate);
            }
        }
    }
}
