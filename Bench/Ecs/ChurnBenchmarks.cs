using BenchmarkDotNet.Attributes;
using Mca.Ecs;

namespace Mca.Bench.Ecs;

/// <summary>
/// Structural churn on 100k existing entities: one operation = add a component to an entity and later remove
/// it (two archetype moves through cached edges, each a row copy plus a swap-remove). Reported per operation
/// (<see cref="BenchmarkAttribute.OperationsPerInvoke"/>). The baseline flips a flag in a column instead, as
/// the house style asks for frequent state changes.
/// </summary>
[MemoryDiagnoser]
public class ChurnBenchmarks
{
    private const int EntityCount = 100_000;

    private World _world = new();
    private Entity[] _entities = [];
    private CommandBuffer _buffer = new();

    [GlobalSetup]
    public void Setup()
    {
        _world = new World(EntityCount);
        _entities = new Entity[EntityCount];
        for (int i = 0; i < EntityCount; i++)
        {
            _entities[i] = _world.Create(new Position { X = i }, new Flags());
        }

        _buffer = new CommandBuffer(2 * EntityCount);

        // Warm the archetype, its edges and the columns to full size, so invocations measure moves only.
        World_AddThenRemove();
        CommandBuffer_AddThenRemove();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = EntityCount)]
    public void FlagColumn_SetThenClear()
    {
        foreach (Entity entity in _entities)
        {
            _world.Get<Flags>(entity).Bits |= 1;
        }

        foreach (Entity entity in _entities)
        {
            _world.Get<Flags>(entity).Bits &= ~1L;
        }
    }

    [Benchmark(OperationsPerInvoke = EntityCount)]
    public void World_AddThenRemove()
    {
        foreach (Entity entity in _entities)
        {
            _world.Add(entity, new Velocity { Dx = 1 });
        }

        foreach (Entity entity in _entities)
        {
            _world.Remove<Velocity>(entity);
        }
    }

    [Benchmark(OperationsPerInvoke = EntityCount)]
    public void CommandBuffer_AddThenRemove()
    {
        foreach (Entity entity in _entities)
        {
            _buffer.Add(entity, new Velocity { Dx = 1 });
        }

        _buffer.Playback(_world);
        foreach (Entity entity in _entities)
        {
            _buffer.Remove<Velocity>(entity);
        }

        _buffer.Playback(_world);
    }
}
