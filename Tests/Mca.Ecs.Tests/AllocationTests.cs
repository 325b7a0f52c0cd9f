namespace Mca.Ecs.Tests;

/// <summary>House style "Hot paths": nothing is allocated per step after setup (ForEachRow: see RowsTests).</summary>
public class AllocationTests
{
    // More than one warm-up call: an unoptimized (Debug) runtime allocates once on a method's second call.
    private const int WarmUpCalls = 3;

    [Fact]
    public void ComponentAccess_AfterWarmUp_AllocatesZeroBytes()
    {
        World world = Populate();
        Entity entity = new(0, 1);
        for (int i = 0; i < WarmUpCalls; i++)
        {
            Access(world, entity);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            Access(world, entity);
        }

        long after = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(0, after - before);
        Assert.Equal(WarmUpCalls + 10, world.Get<Position>(entity).X);
    }

    private static void Access(World world, Entity entity)
    {
        world.Get<Position>(entity).X++;
        world.Set(entity, new Velocity(1));
        _ = world.Has<Tag>(entity) && world.TryGet(entity, out Velocity _);
        _ = world.Rows<Position>().Length + world.Groups<Velocity>(10).Size;
    }

    private static World Populate()
    {
        var world = new World();
        for (int i = 0; i < 1_000; i++)
        {
            world.Create(new Position(0), new Velocity(i % 10));
        }

        world.Freeze();
        return world;
    }
}
