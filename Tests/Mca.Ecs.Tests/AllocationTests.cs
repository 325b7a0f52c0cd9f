namespace Mca.Ecs.Tests;

/// <summary>House style "Hot paths": nothing is allocated per step after setup.</summary>
public class AllocationTests
{
    // More than one warm-up call: an unoptimized (Debug) runtime allocates once on a method's second call.
    private const int WarmUpCalls = 3;

    private static readonly QueryDescription Moving = new QueryDescription().WithAll<Position, Velocity>();

    [Fact]
    public void QueryEnumeration_AfterWarmUp_AllocatesZeroBytes()
    {
        World world = Populate();
        for (int i = 0; i < WarmUpCalls; i++)
        {
            SpanUpdate(world); // builds and caches the query, JITs the loop
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            SpanUpdate(world);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
    }

    [Fact]
    public void ForEach_AfterWarmUp_AllocatesZeroBytes()
    {
        World world = Populate();
        var move = new Move();
        var withEntity = new MoveWithEntity();
        for (int i = 0; i < WarmUpCalls; i++)
        {
            world.ForEach<Position, Velocity, Move>(Moving, ref move);
            world.ForEachWithEntity<Position, Velocity, MoveWithEntity>(Moving, ref withEntity);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            world.ForEach<Position, Velocity, Move>(Moving, ref move);
            world.ForEachWithEntity<Position, Velocity, MoveWithEntity>(Moving, ref withEntity);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
        Assert.Equal(1 + (2 * (WarmUpCalls + 10)), world.Get<Position>(new Entity(1, 1)).X); // velocity 1, two loops per pass
    }

    [Fact]
    public void AccessChurnAndCommandBuffer_AfterWarmUp_AllocatesZeroBytes()
    {
        World world = Populate();
        var buffer = new CommandBuffer();
        Entity entity = new(0, 1);
        for (int i = 0; i < WarmUpCalls; i++)
        {
            Churn(world, buffer, entity);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Churn(world, buffer, entity);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
    }

    private static void Churn(World world, CommandBuffer buffer, Entity entity)
    {
        world.Get<Position>(entity).X++;
        world.Set(entity, new Velocity(1));
        _ = world.Has<Tag>(entity) && world.TryGet(entity, out Velocity _);
        world.Add(entity, new Tag());
        world.Remove<Tag>(entity);
        buffer.Add(entity, new Tag());
        buffer.Remove<Tag>(entity);
        buffer.Playback(world);
        world.Destroy(world.Create(new Position(1), new Velocity(2)));
        world.Destroy(world.Create(new Position(1)));
        Entity placeholder = buffer.Create();
        buffer.Add(placeholder, new Position(3));
        buffer.Destroy(placeholder);
        buffer.Playback(world);
    }

    private static World Populate()
    {
        var world = new World();
        for (int i = 0; i < 1_000; i++)
        {
            world.Create(new Position(i), new Velocity(i % 10));
        }

        // A second matching archetype, so the loops cross chunks.
        Entity tagged = world.Create(new Position(0), new Velocity(1));
        world.Add(tagged, new Tag());
        return world;
    }

    private static void SpanUpdate(World world)
    {
        foreach (ref readonly Chunk chunk in world.Query(Moving))
        {
            Span<Position> positions = chunk.GetSpan<Position>();
            Span<Velocity> velocities = chunk.GetSpan<Velocity>();
            for (int i = 0; i < positions.Length; i++)
            {
                positions[i].X += velocities[i].Dx;
            }
        }
    }

    private struct Move : IForEach<Position, Velocity>
    {
        public readonly void Update(ref Position c1, ref Velocity c2) => c1.X += c2.Dx;
    }

    private struct MoveWithEntity : IForEachWithEntity<Position, Velocity>
    {
        public long Checksum;

        public void Update(Entity entity, ref Position c1, ref Velocity c2)
        {
            c1.X += c2.Dx;
            Checksum += entity.Index;
        }
    }
}
