using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;

namespace Mca.Ecs;

/// <summary>The state of one <see cref="BatchRunner.RunAsync"/> call: workers, window, channel, reorder ring.</summary>
internal sealed class BatchRun<TStepper, TOutput>
    where TStepper : IBatchStepper<TOutput>
{
    private readonly IReadOnlyList<TStepper> _batches;
    private readonly int _batchCount;
    private readonly long _itemCount;
    private readonly int _threadCount;
    private readonly int _windowItems;
    private readonly Action<int, int, TOutput> _consume;
    private readonly Channel<(long Sequence, TOutput Output)> _channel;

    private readonly Lock _claimGate = new();

    // Per batch: completes when the batch's most recently claimed item has finished stepping.
    private readonly Task[] _batchDone;
    private long _nextSequence;

    private ExceptionDispatchInfo? _failure;
    private CancellationTokenSource? _stop;

    public BatchRun(IReadOnlyList<TStepper> batches, int epochCount, int threadCount, int channelCapacity, Action<int, int, TOutput> consume)
    {
        _batches = batches;
        _batchCount = batches.Count;
        _itemCount = (long)epochCount * _batchCount;
        _threadCount = threadCount;
        _windowItems = checked(channelCapacity + threadCount);
        _consume = consume;
        _channel = Channel.CreateBounded<(long, TOutput)>(new BoundedChannelOptions(channelCapacity)
        {
            SingleReader = true,
            SingleWriter = threadCount == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _batchDone = new Task[_batchCount];
        Array.Fill(_batchDone, Task.CompletedTask);
    }

    public async Task RunAsync(CancellationToken ct)
    {
        if (_itemCount == 0)
        {
            ct.ThrowIfCancellationRequested();
            return;
        }

        using CancellationTokenSource stop = CancellationTokenSource.CreateLinkedTokenSource(ct);

        // Claimed-but-unconsumed items are bounded by the window: a worker takes a slot before claiming, the
        // consumer returns it after consuming.
        using var windowSlots = new SemaphoreSlim(_windowItems, _windowItems);
        _stop = stop;
        try
        {
            var tasks = new Task[_threadCount + 1];
            tasks[0] = Task.Run(() => ConsumeAsync(windowSlots, stop.Token), CancellationToken.None);
            for (int worker = 0; worker < _threadCount; worker++)
            {
                tasks[worker + 1] = Task.Run(() => WorkAsync(windowSlots, stop.Token), CancellationToken.None);
            }

            // The loops catch everything and report it through Fail, so WhenAll never faults.
            await Task.WhenAll(tasks).ConfigureAwait(false);
        }
        finally
        {
            _stop = null;
        }

        _failure?.Throw();
        ct.ThrowIfCancellationRequested();
        Debug.Assert(!stop.IsCancellationRequested, "stopped without a failure or a cancelled caller token");
    }

    private async Task WorkAsync(SemaphoreSlim windowSlots, CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await windowSlots.WaitAsync(stop).ConfigureAwait(false);
                long sequence;
                int batch;
                Task previous;
                TaskCompletionSource done;
                lock (_claimGate)
                {
                    sequence = _nextSequence;
                    if (sequence >= _itemCount)
                    {
                        windowSlots.Release();
                        return;
                    }

                    _nextSequence = sequence + 1;
                    batch = (int)(sequence % _batchCount);
                    previous = _batchDone[batch];
                    done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _batchDone[batch] = done.Task;
                }

                try
                {
                    // The batch's previous epoch (claimed earlier, maybe still running on another worker).
                    if (!previous.IsCompleted)
                    {
                        await previous.WaitAsync(stop).ConfigureAwait(false);
                    }

                    stop.ThrowIfCancellationRequested();
                    int epoch = (int)(sequence / _batchCount);
                    TOutput output = _batches[batch].Step(epoch);
                    await _channel.Writer.WriteAsync((sequence, output), stop).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    // Before the finally below: the stop is requested before the batch's successor is released,
                    // so a successor never steps a batch whose previous epoch failed.
                    Fail(exception);
                    return;
                }
                finally
                {
                    done.TrySetResult();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by a failure elsewhere or by the caller.
        }
        catch (Exception exception)
        {
            Fail(exception);
        }
    }

    private async Task ConsumeAsync(SemaphoreSlim windowSlots, CancellationToken stop)
    {
        try
        {
            var ring = new (TOutput Output, bool Present)[_windowItems];
            long consumed = 0;
            while (consumed < _itemCount)
            {
                (long sequence, TOutput output) = await _channel.Reader.ReadAsync(stop).ConfigureAwait(false);
                Debug.Assert(sequence >= consumed && sequence < consumed + _windowItems, "item outside the window");
                int slot = (int)(sequence % _windowItems);
                Debug.Assert(!ring[slot].Present);
                ring[slot] = (output, true);

                for (slot = (int)(consumed % _windowItems); ring[slot].Present; slot = (int)(consumed % _windowItems))
                {
                    TOutput next = ring[slot].Output;
                    ring[slot] = default;
                    stop.ThrowIfCancellationRequested();
                    _consume((int)(consumed / _batchCount), (int)(consumed % _batchCount), next);
                    consumed++;
                    windowSlots.Release();
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped by a failure elsewhere or by the caller.
        }
        catch (Exception exception)
        {
            Fail(exception);
        }
    }

    /// <summary>Records the first failure and stops every worker and the consumer.</summary>
    private void Fail(Exception exception)
    {
        if (Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(exception), null) is null)
        {
            _stop?.Cancel();
        }
    }
}
