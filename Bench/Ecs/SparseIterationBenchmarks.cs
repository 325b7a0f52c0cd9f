using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Mca.Ecs;

namespace Mca.Bench.Ecs;

/// <summary>
/// <c>pos += vel</c> over a sparse subset of a fixed-shape world (every 10th entity, as the machines due in a round):
/// a plain loop over the row list into struct arrays (the baseline) against <see cref="World.ForEachRow{T1, TCallback}"/>
/// with a struct callback that reads the velocity row it is given. Target: within 1.3x of the baseline, 0 bytes.
/// </summary>
[MemoryDiagnoser]
public class SparseIterationBenchmarks
{
    private Position[] _positions = [];
    private Velocity[] _velocities = [];
    private int[] _rows = [];
    private World _world = new();

    [Params(100_000, 1_000_000)]
    public int EntityCount { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _positions = new Position[EntityCount];
        _velocities = new Velocity[EntityCount];
        _world = new World(EntityCount);
        for (int i = 0; i < EntityCount; i++)
        {
            _positions[i].X = i;
            _velocities[i].Dx = i & 7;
            _world.Create(new Position { X = i }, new Velocity { Dx = i & 7 });
        }

        _world.Freeze();
        _rows = [.. Enumerable.Range(0, EntityCount / 10).Select(i => i * 10)];
    }

    [Benchmark(Baseline = true)]
    public void PlainRows_Update()
    {
        Position[] positions = _positions;
        Velocity[] velocities = _velocities;
        foreach (int row in _rows)
        {
            positions[row].X += velocities[row].Dx;
        }
    }

    [Benchmark]
    public void ForEachRow_Update()
    {
        var move = new Move(_world.Rows<Velocity>());
        _world.ForEachRow<Position, Move>(_rows, ref move);
    }

    /// <summary>A ref struct callback: it holds the velocity column as a span (ForEachRow allows ref structs).</summary>
    private ref struct Move(Span<Velocity> velocities) : IForEachRow<Position>
    {
        private readonly Span<Velocity> _velocities = velocities;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Update(int row, ref Position c1) => c1.X += _velocities[row].Dx;
    }
}
