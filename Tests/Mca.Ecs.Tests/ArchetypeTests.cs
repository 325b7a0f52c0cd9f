namespace Mca.Ecs.Tests;

public class ArchetypeTests
{
    [Fact]
    public void Destroy_MiddleRow_LastRowMovesIntoHole()
    {
        var world = new World();
        var entities = new Entity[5];
        for (int i = 0; i < entities.Length; i++)
        {
            entities[i] = world.Create(new CompA(i));
        }

        world.Destroy(entities[1]);
        Assert.Equal([entities[0], entities[4], entities[2], entities[3]], RowsOf(world));
        Assert.Equal([0L, 4, 2, 3], ValuesOf(world));

        world.Remove<CompA>(entities[0]);
        Assert.Equal([entities[3], entities[4], entities[2]], RowsOf(world));

        world.Destroy(entities[2]); // the last row: nothing moves
        Assert.Equal([entities[3], entities[4]], RowsOf(world));
        Assert.Null(world.ValidateInvariants());
    }

    [Fact]
    public void Create_AfterDestroys_RecyclesSlotsFifoWithBumpedVersions()
    {
        var world = new World();
        Entity e0 = world.Create();
        world.Create();
        Entity e2 = world.Create();
        world.Destroy(e2);
        world.Destroy(e0);

        Assert.Equal(new Entity(2, 2), world.Create());
        Assert.Equal(new Entity(0, 2), world.Create());
        Assert.Equal(new Entity(3, 1), world.Create());
    }

    [Fact]
    public void AddRemove_Repeated_ReusesCachedEdgesAndCreatesNoArchetypes()
    {
        var world = new World();
        Entity entity = world.Create(new CompA(1));
        world.Add(entity, new CompB(2));
        world.Remove<CompB>(entity);
        int archetypes = world.ArchetypeCount;

        Archetype withA = ArchetypeOf(world, entity);
        int idB = world.Register<CompB>();
        Archetype? withAB = withA.AddEdge(idB);
        Assert.NotNull(withAB);
        Assert.Same(withA, withAB.RemoveEdge(idB));

        for (int i = 0; i < 100; i++)
        {
            world.Add(entity, new CompB(i));
            Assert.Same(withAB, ArchetypeOf(world, entity));
            world.Remove<CompB>(entity);
            Assert.Same(withA, ArchetypeOf(world, entity));
        }

        Assert.Equal(archetypes, world.ArchetypeCount);
        Assert.Equal(1, world.Get<CompA>(entity).Value);
        Assert.Null(world.ValidateInvariants());
    }

    [Fact]
    public void Add_SameSetReachedByDifferentPaths_SharesOneArchetype()
    {
        var world = new World();
        Entity viaAb = world.Create(new CompA(1));
        world.Add(viaAb, new CompB(2));
        Entity viaBa = world.Create(new CompB(3));
        world.Add(viaBa, new CompA(4));
        Entity direct = world.Create(new CompB(5), new CompA(6));

        Assert.Same(ArchetypeOf(world, viaAb), ArchetypeOf(world, viaBa));
        Assert.Same(ArchetypeOf(world, viaAb), ArchetypeOf(world, direct));
        Assert.Equal(4, world.Get<CompA>(viaBa).Value);
        Assert.Equal(5, world.Get<CompB>(direct).Value);
        Assert.Null(world.ValidateInvariants());
    }

    [Fact]
    public void Add_Present_ThrowsAndRemove_Absent_Throws()
    {
        var world = new World();
        Entity entity = world.Create(new CompA(1));
        Assert.Throws<InvalidOperationException>(() => world.Add(entity, new CompA(2)));
        Assert.Throws<InvalidOperationException>(() => world.Remove<CompB>(entity));
        Assert.Throws<InvalidOperationException>(() => world.Get<CompB>(entity));
        Assert.Throws<InvalidOperationException>(() => world.Set(entity, new CompB(1)));
        Assert.Equal(1, world.Get<CompA>(entity).Value);
    }

    [Fact]
    public void Add_DefaultValue_StoresDefault()
    {
        var world = new World();
        Entity entity = world.Create();
        world.Add<Tag>(entity);
        world.Add<CompD>(entity);
        Assert.True(world.Has<Tag>(entity));
        Assert.Equal(default, world.Get<CompD>(entity));
    }

    [Fact]
    public void Columns_ManyEntities_GrowByDoublingAndKeepValues()
    {
        var world = new World(initialCapacity: 1);
        var entities = new Entity[10_000];
        for (int i = 0; i < entities.Length; i++)
        {
            entities[i] = world.Create(new CompA(i), new CompC((short)i));
        }

        Archetype archetype = ArchetypeOf(world, entities[0]);
        Assert.Equal(16_384, archetype.CapacityRows);
        for (int i = 0; i < entities.Length; i++)
        {
            Assert.Equal(i, world.Get<CompA>(entities[i]).Value);
        }
    }

    private static Archetype ArchetypeOf(World world, Entity entity)
    {
        foreach (Archetype archetype in world.Archetypes)
        {
            if (archetype.Entities.AsSpan(0, archetype.Count).Contains(entity))
            {
                return archetype;
            }
        }

        throw new InvalidOperationException($"{entity} is in no archetype");
    }

    private static Entity[] RowsOf(World world)
    {
        var rows = new List<Entity>();
        foreach (Chunk chunk in world.Query(new QueryDescription().WithAll<CompA>()))
        {
            rows.AddRange(chunk.Entities);
        }

        return [.. rows];
    }

    private static long[] ValuesOf(World world)
    {
        var values = new List<long>();
        foreach (Chunk chunk in world.Query(new QueryDescription().WithAll<CompA>()))
        {
            foreach (CompA a in chunk.GetSpan<CompA>())
            {
                values.Add(a.Value);
            }
        }

        return [.. values];
    }
}
