using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Mca.Ecs;

namespace Mca.Bench.Ecs;

/// <summary>
/// <c>pos += vel</c> over every entity with two 8-byte components: a plain struct-array loop (the baseline)
/// against chunk spans from a <see cref="Query"/> and a struct-callback <see cref="World.ForEach{T1, T2, TCallback}"/>.
/// Target: both ECS paths within 1.3x of the baseline at 100k and 1M entities, 0 bytes allocated.
/// </summary>
[MemoryDiagnoser]
public class IterationBenchmarks
{
    private static readonly QueryDescription Moving = new QueryDescription().WithAll<Position, Velocity>();

    private Position[] _positions = [];
    private Velocity[] _velocities = [];
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
    }

    [Benchmark(Baseline = true)]
    public void PlainArray_Update()
    {
        Position[] positions = _positions;
        Velocity[] velocities = _velocities;
        for (int i = 0; i < positions.Length; i++)
        {
            positions[i].X += velocities[i].Dx;
        }
    }

    [Benchmark]
    public void SpanQuery_Update()
    {
        foreach (ref readonly Chunk chunk in _world.Query(Moving))
        {
            Span<Position> positions = chunk.GetSpan<Position>();
            Span<Velocity> velocities = chunk.GetSpan<Velocity>();
            for (int i = 0; i < positions.Length; i++)
            {
                positions[i].X += velocities[i].Dx;
            }
        }
    }

    [Benchmark]
    public void ForEach_Update()
    {
        var move = default(Move);
        _world.ForEach<Position, Velocity, Move>(Moving, ref move);
    }

    private struct Move : IForEach<Position, Velocity>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public readonly void Update(ref Position c1, ref Velocity c2) => c1.X += c2.Dx;
    }
}
