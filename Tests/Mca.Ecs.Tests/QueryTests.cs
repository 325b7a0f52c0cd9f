namespace Mca.Ecs.Tests;

public class QueryTests
{
    private static readonly QueryDescription PositionVelocity = new QueryDescription().WithAll<Position, Velocity>();

    [Fact]
    public void Query_AllAnyNoneFilters_MatchExpectedEntities()
    {
        var world = new World();
        Entity a = world.Create(new CompA(1));
        Entity ab = world.Create(new CompA(2), new CompB(2));
        Entity abc = world.Create(new CompA(3), new CompB(3), new CompC(3));
        Entity c = world.Create(new CompC(4));
        Entity d = world.Create(new CompD(5, ~5, -5));
        Entity none = world.Create();

        Assert.Equal([a, ab, abc], Matching(world, new QueryDescription().WithAll<CompA>()));
        Assert.Equal([ab, abc], Matching(world, new QueryDescription().WithAll<CompA, CompB>()));
        Assert.Equal([a, ab], Matching(world, new QueryDescription().WithAll<CompA>().WithNone<CompC>()));
        Assert.Equal([abc, c, d], Matching(world, new QueryDescription().WithAny<CompC, CompD>()));
        Assert.Equal([abc], Matching(world, new QueryDescription().WithAll<CompB>().WithAny<CompC, CompD>()));
        Assert.Equal([none], Matching(world, new QueryDescription().WithNone<CompA, CompB, CompC, CompD>()));
        Assert.Equal([none, a, ab, abc, c, d], Matching(world, default));
        Assert.Empty(Matching(world, new QueryDescription().WithAll<Tag>()));
        Assert.Empty(Matching(world, new QueryDescription().WithAny<Tag>()));
        Assert.Equal(6, Matching(world, new QueryDescription().WithNone<Tag>()).Length);
    }

    [Fact]
    public void Query_EqualDescriptionsInAnyOrder_ReturnsSameCachedInstance()
    {
        var world = new World();
        Query first = world.Query(new QueryDescription().WithAll<CompA, CompB>().WithNone<CompC>());
        Query second = world.Query(new QueryDescription().WithNone<CompC>().WithAll<CompB>().WithAll<CompA>().WithAll<CompA>());
        Assert.Same(first, second);
        Assert.NotSame(first, world.Query(new QueryDescription().WithAll<CompA, CompB>()));
        Assert.Equal(new QueryDescription().WithAll<CompA, CompB>(), new QueryDescription().WithAll<CompB, CompA>());
        Assert.NotEqual(new QueryDescription().WithAll<CompA>(), new QueryDescription().WithAny<CompA>());
    }

    [Fact]
    public void Query_ArchetypesCreatedAfterBuilding_AreMatched()
    {
        var world = new World();
        Query query = world.Query(new QueryDescription().WithAll<CompA>());
        Assert.Equal(0, query.ArchetypeCount);
        Entity entity = world.Create(new CompA(1));
        world.Add(entity, new CompB(2));
        Assert.Equal(2, query.ArchetypeCount); // {A} (now empty) and {A, B}
        Assert.Equal(1, query.EntityCount);

        int chunks = 0;
        foreach (Chunk chunk in query)
        {
            chunks++;
            Assert.True(chunk.Has<CompB>());
            Assert.False(chunk.Has<CompC>());
        }

        Assert.Equal(1, chunks); // the empty archetype is skipped
    }

    [Fact]
    public void Enumeration_StructuralChangeInside_NextMoveNextThrows()
    {
        var world = new World();
        world.Create(new CompA(1));
        world.Create(new CompA(2), new CompB(2));
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (Chunk chunk in world.Query(new QueryDescription().WithAll<CompA>()))
            {
                world.Create();
            }
        });
    }

    [Fact]
    public void Chunk_GetSpanOfMissingComponent_Throws()
    {
        var world = new World();
        world.Create(new CompA(1));
        foreach (Chunk chunk in world.Query(new QueryDescription().WithAll<CompA>()))
        {
            Assert.Throws<InvalidOperationException>(() => chunk.GetSpan<CompB>().Length);
        }
    }

    [Fact]
    public void Chunk_SpanWrites_VisibleThroughGet()
    {
        var world = new World();
        Entity entity = world.Create(new Position(1), new Velocity(10));
        foreach (ref readonly Chunk chunk in world.Query(PositionVelocity))
        {
            Span<Position> positions = chunk.GetSpan<Position>();
            Span<Velocity> velocities = chunk.GetSpan<Velocity>();
            for (int i = 0; i < positions.Length; i++)
            {
                positions[i].X += velocities[i].Dx;
            }
        }

        Assert.Equal(11, world.Get<Position>(entity).X);
    }

    [Fact]
    public void ForEach_AllArities_VisitEveryMatchingEntityInArchetypeThenRowOrder()
    {
        var world = new World();
        var expected = new List<Entity>();
        for (int i = 0; i < 10; i++)
        {
            expected.Add(world.Create(new CompA(i), new CompB(i), new CompC((short)i), new CompD(i, i, i)));
        }

        var other = world.Create(new CompA(100), new CompB(100), new CompC(100), new CompD(100, 100, 100));
        world.Add(other, new Tag());
        expected.Add(other);

        var one = new Sum1();
        world.ForEach<CompA, Sum1>(new QueryDescription().WithAll<CompA>(), ref one);
        Assert.Equal(145, one.Total);

        var two = new Sum2();
        world.ForEach<CompA, CompB, Sum2>(new QueryDescription().WithAll<CompA, CompB>(), ref two);
        Assert.Equal(290, two.Total);

        var three = new Sum3();
        world.ForEach<CompA, CompB, CompC, Sum3>(new QueryDescription().WithAll<CompA, CompB, CompC>().WithNone<Tag>(), ref three);
        Assert.Equal(135, three.Total);

        var four = new Sum4();
        world.ForEach<CompA, CompB, CompC, CompD, Sum4>(new QueryDescription().WithAll<CompA, CompB, CompC, CompD>(), ref four);
        Assert.Equal(580, four.Total);

        var order = new RecordOrder { Seen = [] };
        world.ForEachWithEntity<CompA, RecordOrder>(new QueryDescription().WithAll<CompA>(), ref order);
        Assert.Equal(expected, order.Seen);

        var e2 = new CountWithEntity2 { Seen = [] };
        world.ForEachWithEntity<CompA, CompB, CountWithEntity2>(new QueryDescription().WithAll<CompA, CompB>(), ref e2);
        // The entity passed is the one whose components come with it, in archetype then row order.
        Assert.Equal(expected, e2.Seen.Select(s => s.Entity));
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 100], e2.Seen.Select(s => s.A));
        Assert.All(e2.Seen, s => Assert.Equal(world.Get<CompA>(s.Entity).Value, s.A));
        var e3 = new CountWithEntity3();
        world.ForEachWithEntity<CompA, CompB, CompC, CountWithEntity3>(new QueryDescription().WithAll<CompA, CompB, CompC>(), ref e3);
        var e4 = new CountWithEntity4();
        world.ForEachWithEntity<CompA, CompB, CompC, CompD, CountWithEntity4>(new QueryDescription().WithAll<CompA, CompB, CompC, CompD>(), ref e4);
        Assert.Equal((11, 11, 11), (e2.Count, e3.Count, e4.Count));
        Assert.Equal(10, world.Get<CompB>(expected[9]).Value); // incremented through the ref by CountWithEntity2
        Assert.Equal(101, world.Get<CompB>(other).Value);
    }

    [Fact]
    public void ForEach_EveryCountUpTo40_VisitsEachRowOnceInRowOrder()
    {
        // The loops are unrolled by two: pin the remainder handling for odd and even counts and two chunks.
        for (int count = 0; count <= 40; count++)
        {
            var world = new World();
            var expected = new List<Entity>();
            for (int i = 0; i < count; i++)
            {
                expected.Add(world.Create(new CompA(i), new CompB(1)));
            }

            for (int i = 0; i < count % 3; i++)
            {
                Entity tagged = world.Create(new CompA(100 + i), new CompB(1));
                world.Add(tagged, new Tag());
                expected.Add(tagged);
            }

            var order = new RecordOrder { Seen = [] };
            world.ForEachWithEntity<CompA, RecordOrder>(new QueryDescription().WithAll<CompA>(), ref order);
            Assert.Equal(expected, order.Seen);

            var sum = new Sum2();
            world.ForEach<CompA, CompB, Sum2>(new QueryDescription().WithAll<CompA, CompB>(), ref sum);
            long expectedSum = 0;
            foreach (Entity entity in expected)
            {
                expectedSum += world.Get<CompA>(entity).Value + 1;
            }

            Assert.Equal(expectedSum, sum.Total);
        }
    }

    [Fact]
    public void ForEach_StructuralChangeInCallback_ThrowsAndWorldStaysUsable()
    {
        var world = new World();
        world.Create(new CompA(1));
        var callback = new CreateInside { World = world };
        Assert.Throws<InvalidOperationException>(() => world.ForEach<CompA, CreateInside>(new QueryDescription().WithAll<CompA>(), ref callback));
        world.Create(); // depth was restored
        Assert.Equal(2, world.EntityCount);
        Assert.Null(world.ValidateInvariants());
    }

    [Fact]
    public void ForEach_ComponentNotInWithAll_ThrowsWhenArchetypeLacksIt()
    {
        var world = new World();
        world.Create(new CompA(1));
        var callback = new Sum2();
        Assert.Throws<InvalidOperationException>(() => world.ForEach<CompA, CompB, Sum2>(new QueryDescription().WithAll<CompA>(), ref callback));
    }

    [Fact]
    public void ForEach_CommandBufferRecordedInside_PlaysBackAfter()
    {
        var world = new World();
        for (int i = 0; i < 8; i++)
        {
            world.Create(new CompA(i));
        }

        var callback = new TagOdd { Buffer = new CommandBuffer() };
        world.ForEachWithEntity<CompA, TagOdd>(new QueryDescription().WithAll<CompA>(), ref callback);
        Assert.Equal(4, callback.Buffer.Count);
        callback.Buffer.Playback(world);
        Assert.Equal(4, world.Query(new QueryDescription().WithAll<CompA, Tag>()).EntityCount);
    }

    private static Entity[] Matching(World world, QueryDescription description)
    {
        var entities = new List<Entity>();
        foreach (ref readonly Chunk chunk in world.Query(description))
        {
            entities.AddRange(chunk.Entities);
        }

        Assert.Equal(entities.Count, world.Query(description).EntityCount);
        return [.. entities];
    }

    private struct Sum1 : IForEach<CompA>
    {
        public long Total;

        public void Update(ref CompA c1) => Total += c1.Value;
    }

    private struct Sum2 : IForEach<CompA, CompB>
    {
        public long Total;

        public void Update(ref CompA c1, ref CompB c2) => Total += c1.Value + c2.Value;
    }

    private struct Sum3 : IForEach<CompA, CompB, CompC>
    {
        public long Total;

        public void Update(ref CompA c1, ref CompB c2, ref CompC c3) => Total += c1.Value + c2.Value + c3.Value;
    }

    private struct Sum4 : IForEach<CompA, CompB, CompC, CompD>
    {
        public long Total;

        public void Update(ref CompA c1, ref CompB c2, ref CompC c3, ref CompD c4) => Total += c1.Value + c2.Value + c3.Value + c4.Z;
    }

    private struct RecordOrder : IForEachWithEntity<CompA>
    {
        public List<Entity> Seen;

        public readonly void Update(Entity entity, ref CompA c1) => Seen.Add(entity);
    }

    private struct CountWithEntity2 : IForEachWithEntity<CompA, CompB>
    {
        public int Count;
        /// <summary>Each entity handed to the callback with the CompA of the row it came with.</summary>
        public List<(Entity Entity, long A)> Seen;

        public void Update(Entity entity, ref CompA c1, ref CompB c2)
        {
            Seen.Add((entity, c1.Value));
            c2.Value++;
            Count++;
        }
    }

    private struct CountWithEntity3 : IForEachWithEntity<CompA, CompB, CompC>
    {
        public int Count;

        public void Update(Entity entity, ref CompA c1, ref CompB c2, ref CompC c3) => Count++;
    }

    private struct CountWithEntity4 : IForEachWithEntity<CompA, CompB, CompC, CompD>
    {
        public int Count;

        public void Update(Entity entity, ref CompA c1, ref CompB c2, ref CompC c3, ref CompD c4) => Count++;
    }

    private struct CreateInside : IForEach<CompA>
    {
        public World World;

        public readonly void Update(ref CompA c1) => World.Create();
    }

    private struct TagOdd : IForEachWithEntity<CompA>
    {
        public CommandBuffer Buffer;

        public readonly void Update(Entity entity, ref CompA c1)
        {
            if (c1.Value % 2 == 1)
            {
                Buffer.Add(entity, new Tag());
            }
        }
    }
}
