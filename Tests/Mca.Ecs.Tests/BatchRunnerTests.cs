using CsCheck;

namespace Mca.Ecs.Tests;

public class BatchRunnerTests
{
    private const ulong Seed = 0x5EED;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    public async Task RunAsync_AnyThreadCount_ConsumesInEpochBatchOrderWithoutOverlap(int threadCount)
    {
        var probe = new Probe();
        SpinStepper[] batches = SpinStepper.Make(batchCount: 5, probe);
        var seen = new List<(int Epoch, int Batch)>();
        int consumerThreadsInside = 0;

        await BatchRunner.RunAsync<SpinStepper, ulong>(batches, epochCount: 12, threadCount, channelCapacity: 3, (epoch, batch, _) =>
        {
            Assert.Equal(1, Interlocked.Increment(ref consumerThreadsInside));
            probe.Consumed();
            seen.Add((epoch, batch));
            Interlocked.Decrement(ref consumerThreadsInside);
        });

        Assert.Equal(Expected(12, 5), seen);
        Assert.All(batches, batch => Assert.Equal(11, batch.LastEpoch));
        Assert.Equal(0, probe.Violations);
    }

    [Fact]
    public void Run_OneTwoSevenThreads_IdenticalOutputs()
    {
        List<(int, int, ulong)>[] results = new List<(int, int, ulong)>[3];
        int[] threadCounts = [1, 2, 7];
        for (int i = 0; i < threadCounts.Length; i++)
        {
            var outputs = new List<(int, int, ulong)>();
            BatchRunner.Run<SpinStepper, ulong>(SpinStepper.Make(batchCount: 6, new Probe()), epochCount: 10, threadCounts[i], channelCapacity: 4,
                (epoch, batch, output) => outputs.Add((epoch, batch, output)));
            results[i] = outputs;
        }

        Assert.Equal(60, results[0].Count);
        Assert.Equal(results[0], results[1]);
        Assert.Equal(results[0], results[2]);
    }

    [Fact]
    public void Run_RandomShapes_OrderedBoundedAndSameAsOneThread()
    {
        Gen.Select(Gen.Int[1, 8], Gen.Int[0, 12], Gen.Int[1, 8], Gen.Int[1, 5]).Sample((batchCount, epochCount, threadCount, channelCapacity) =>
        {
            var probe = new Probe();
            var outputs = new List<(int, int, ulong)>();
            BatchRunner.Run<SpinStepper, ulong>(SpinStepper.Make(batchCount, probe), epochCount, threadCount, channelCapacity, (epoch, batch, output) =>
            {
                probe.Consumed();
                outputs.Add((epoch, batch, output));
            });

            var reference = new List<(int, int, ulong)>();
            BatchRunner.Run<SpinStepper, ulong>(SpinStepper.Make(batchCount, new Probe()), epochCount, 1, 1,
                (epoch, batch, output) => reference.Add((epoch, batch, output)));

            Assert.Equal(reference, outputs);
            Assert.Equal(Expected(epochCount, batchCount), outputs.ConvertAll(o => (o.Item1, o.Item2)));
            Assert.InRange(probe.MaxInFlight, 0, channelCapacity + threadCount);
            Assert.Equal(0, probe.Violations);
        }, iter: 150);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 3)]
    [InlineData(7, 2)]
    public void Run_SlowConsumer_InFlightOutputsStayWithinCapacityPlusThreads(int threadCount, int channelCapacity)
    {
        var probe = new Probe();
        BatchRunner.Run<SpinStepper, ulong>(SpinStepper.Make(batchCount: 20, probe), epochCount: 8, threadCount, channelCapacity, (epoch, batch, _) =>
        {
            probe.Consumed();
            Spin.Work(20_000); // a consumer slower than the steppers
        });

        Assert.InRange(probe.MaxInFlight, 1, channelCapacity + threadCount);
        Assert.Equal(0, probe.Violations);
    }

    [Fact]
    public void Run_FewBatchesManyThreads_BatchEpochsNeverOverlap()
    {
        // More workers and window than batches: workers claim a batch's next epoch while the previous runs.
        var probe = new Probe();
        SpinStepper[] batches = SpinStepper.Make(batchCount: 2, probe);
        var seen = new List<(int, int)>();
        BatchRunner.Run<SpinStepper, ulong>(batches, epochCount: 50, threadCount: 7, channelCapacity: 16, (epoch, batch, _) =>
        {
            probe.Consumed();
            seen.Add((epoch, batch));
        });

        Assert.Equal(Expected(50, 2), seen);
        Assert.Equal(0, probe.Violations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public async Task RunAsync_StepperThrows_FirstExceptionPropagatesUnwrappedAndRunStops(int threadCount)
    {
        var probe = new Probe();
        SpinStepper[] batches = SpinStepper.Make(batchCount: 4, probe);
        batches[2].ThrowAtEpoch = 3;
        var seen = new List<(int Epoch, int Batch)>();

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            BatchRunner.RunAsync<SpinStepper, ulong>(batches, epochCount: 20, threadCount, channelCapacity: 2, (epoch, batch, _) =>
            {
                probe.Consumed();
                seen.Add((epoch, batch));
            }));

        Assert.Equal("batch 2 failed at epoch 3", exception.Message);
        Assert.Equal(Expected(20, 4).Take(seen.Count), seen);
        const int failedSequence = (3 * 4) + 2;
        Assert.True(seen.Count <= failedSequence, $"consumed {seen.Count} items; the failed item is number {failedSequence}");
        Assert.Equal(3, batches[2].LastEpoch); // its epoch 4 never started

        // Nothing runs further ahead of the consumer than the window (capacity 2 + threads).
        int lastClaimable = failedSequence + 2 + threadCount - 1;
        Assert.All(batches, batch => Assert.True(batch.LastEpoch <= lastClaimable / 4, $"batch ran to epoch {batch.LastEpoch}"));
    }

    [Fact]
    public void Run_ConsumerThrows_ExceptionPropagatesUnwrapped()
    {
        var probe = new Probe();
        int calls = 0;
        var exception = Assert.Throws<ArgumentException>(() =>
            BatchRunner.Run<SpinStepper, ulong>(SpinStepper.Make(batchCount: 3, probe), epochCount: 30, threadCount: 3, channelCapacity: 2, (epoch, batch, _) =>
            {
                probe.Consumed();
                if (++calls == 5)
                {
                    throw new ArgumentException("consumer rejects item 5");
                }
            }));

        Assert.Equal("consumer rejects item 5", exception.Message);
        Assert.Equal(5, calls);
        Assert.InRange(probe.MaxInFlight, 1, 5);
    }

    [Fact]
    public async Task RunAsync_CancelledDuringRun_ThrowsOperationCanceledAfterAnOrderedPrefix()
    {
        using var cancel = new CancellationTokenSource();
        var probe = new Probe();
        var seen = new List<(int, int)>();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BatchRunner.RunAsync<SpinStepper, ulong>(SpinStepper.Make(batchCount: 3, probe), epochCount: 1_000, threadCount: 2, channelCapacity: 2, (epoch, batch, _) =>
            {
                probe.Consumed();
                seen.Add((epoch, batch));
                if (seen.Count == 7)
                {
                    cancel.Cancel();
                }
            }, cancel.Token));

        Assert.Equal(7, seen.Count);
        Assert.Equal(Expected(1_000, 3).Take(7), seen);
    }

    [Fact]
    public async Task RunAsync_AlreadyCancelled_ThrowsWithoutConsuming()
    {
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        int calls = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            BatchRunner.RunAsync<SpinStepper, ulong>(SpinStepper.Make(2, new Probe()), 5, 2, 2, (_, _, _) => calls++, cancel.Token));
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Run_ZeroEpochsOrBatches_ConsumesNothing()
    {
        int calls = 0;
        BatchRunner.Run<SpinStepper, ulong>(SpinStepper.Make(3, new Probe()), 0, 2, 2, (_, _, _) => calls++);
        BatchRunner.Run<SpinStepper, ulong>([], 5, 2, 2, (_, _, _) => calls++);
        Assert.Equal(0, calls);
    }

    [Fact]
    public void Run_InvalidArguments_Throw()
    {
        SpinStepper[] batches = SpinStepper.Make(1, new Probe());
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchRunner.Run<SpinStepper, ulong>(batches, -1, 1, 1, (_, _, _) => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchRunner.Run<SpinStepper, ulong>(batches, 1, 0, 1, (_, _, _) => { }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BatchRunner.Run<SpinStepper, ulong>(batches, 1, 1, 0, (_, _, _) => { }));
        Assert.Throws<ArgumentNullException>(() => BatchRunner.Run<SpinStepper, ulong>(batches, 1, 1, 1, null!));
    }

    private static List<(int, int)> Expected(int epochCount, int batchCount)
    {
        var order = new List<(int, int)>();
        for (int epoch = 0; epoch < epochCount; epoch++)
        {
            for (int batch = 0; batch < batchCount; batch++)
            {
                order.Add((epoch, batch));
            }
        }

        return order;
    }

    /// <summary>Shared instrumentation: outputs stepped but not yet consumed, and rule violations.</summary>
    private sealed class Probe
    {
        private int _inFlight;
        private int _maxInFlight;
        private int _violations;

        public int MaxInFlight => Volatile.Read(ref _maxInFlight);

        public int Violations => Volatile.Read(ref _violations);

        public void Stepping()
        {
            int now = Interlocked.Increment(ref _inFlight);
            int max;
            while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
            {
            }
        }

        public void Consumed() => Interlocked.Decrement(ref _inFlight);

        public void Violation() => Interlocked.Increment(ref _violations);
    }

    /// <summary>A batch: a small frozen world moved by ForEachRow, plus a deterministic random amount of spinning.</summary>
    private sealed class SpinStepper : IBatchStepper<ulong>
    {
        private static readonly int[] AllRows = [.. Enumerable.Range(0, 16)];

        private readonly World _world = new();
        private readonly int _batchIndex;
        private readonly Probe _probe;
        private int _running;

        private SpinStepper(int batchIndex, Probe probe)
        {
            _batchIndex = batchIndex;
            _probe = probe;
            for (int i = 0; i < 16; i++)
            {
                _world.Create(new Position(i * batchIndex), new Velocity(i + 1));
            }

            _world.Freeze();
        }

        public int LastEpoch { get; private set; } = -1;

        public int ThrowAtEpoch { get; set; } = -1;

        public static SpinStepper[] Make(int batchCount, Probe probe)
        {
            var batches = new SpinStepper[batchCount];
            for (int i = 0; i < batchCount; i++)
            {
                batches[i] = new SpinStepper(i, probe);
            }

            return batches;
        }

        public ulong Step(int epochIndex)
        {
            if (Interlocked.Exchange(ref _running, 1) != 0 || epochIndex != LastEpoch + 1)
            {
                _probe.Violation();
            }

            _probe.Stepping();
            LastEpoch = epochIndex;
            try
            {
                if (epochIndex == ThrowAtEpoch)
                {
                    _probe.Consumed(); // never reaches the consumer
                    throw new InvalidOperationException($"batch {_batchIndex} failed at epoch {epochIndex}");
                }

                CounterRng rng = CounterRng.Create(Seed, (ulong)_batchIndex, (ulong)epochIndex);
                ulong spun = Spin.Work(rng.NextInt(40_000));
                var move = new Move(_world.Rows<Velocity>());
                _world.ForEachRow<Position, Move>(AllRows, ref move);
                return move.Checksum ^ (spun & 1);
            }
            finally
            {
                Volatile.Write(ref _running, 0);
            }
        }

        private ref struct Move(Span<Velocity> velocities) : IForEachRow<Position>
        {
            public ulong Checksum;

            private readonly Span<Velocity> _velocities = velocities;

            public void Update(int row, ref Position c1)
            {
                c1.X += _velocities[row].Dx;
                Checksum = (Checksum * 31) + (ulong)c1.X;
            }
        }
    }

    /// <summary>Deterministic busy work instead of sleeping (no test depends on wall-clock time).</summary>
    private static class Spin
    {
        public static ulong Work(int iterations)
        {
            ulong x = 0x9E3779B97F4A7C15;
            for (int i = 0; i < iterations; i++)
            {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
            }

            return x;
        }
    }
}
