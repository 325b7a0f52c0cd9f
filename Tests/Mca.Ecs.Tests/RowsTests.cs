namespace Mca.Ecs.Tests;

/// <summary>Fixed-shape access: World.Freeze, World.Rows, World.Groups and World.ForEachRow over a subset of rows.</summary>
public class RowsTests
{
    private static World FrozenWorld(int n)
    {
        var world = FixedWorld(n);
        world.Freeze();
        return world;
    }

    private static World FixedWorld(int n)
    {
        var world = new World();
        for (int i = 0; i < n; i++)
        {
            world.Create(new Position(i), new Velocity(10 * i));
        }

        return world;
    }

    [Fact]
    public void Rows_AreTheColumnInCreationOrder()
    {
        var world = FixedWorld(5);
        var rows = world.Rows<Position>();
        Assert.Equal([0L, 1, 2, 3, 4], rows.ToArray().Select(p => p.X));
        rows[3] = new Position(99);
        Assert.Equal(new Position(99), world.Rows<Position>()[3]);
        Assert.Equal(0, world.Rows<CompA>().Length);
    }

    [Fact]
    public void Groups_CutTheRowsPerOwner_InCreationOrder()
    {
        // Three owners of two children each, created owner by owner, as a batch creates a machine's CPUs.
        var world = new World();
        for (int owner = 0; owner < 3; owner++)
        {
            world.Create(new CompA(owner));
            world.Create(new Position((10 * owner) + 0));
            world.Create(new Position((10 * owner) + 1));
        }

        world.Freeze();
        var children = world.Groups<Position>(3);
        Assert.Equal(3, children.Count);
        Assert.Equal(2, children.Size);
        Assert.Equal([20L, 21], children[2].ToArray().Select(p => p.X));
        children.Row(1, 1) = new Position(99);
        Assert.Equal(new Position(99), world.Rows<Position>()[3]);
        Assert.Equal(6, children.All.Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => children[3].Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => children.Row(0, 2).X);
        Assert.Throws<ArgumentException>(() => world.Groups<Position>(4));
        Assert.Equal(0, world.Groups<CompB>(3).Size);
    }

    [Fact]
    public void Freeze_EndsStructuralChange_AndGroupsNeedIt()
    {
        var world = FixedWorld(4);
        Assert.Throws<InvalidOperationException>(() => world.Groups<Position>(2));
        var first = world.Create(new Position(7), new Velocity(0));
        world.Freeze();
        Assert.True(world.IsFrozen);
        var create = Assert.Throws<InvalidOperationException>(() => world.Create(new Position(1)));
        Assert.Contains("frozen", create.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => world.Create());
        Assert.Equal(5, world.EntityCount);
        Assert.Equal(7, world.Get<Position>(first).X);
        world.Freeze();
        Assert.Equal(5, world.Groups<Position>(5).Count);
    }

    [Fact]
    public void ForEachRow_VisitsOnlyTheGivenRows_InTheGivenOrder()
    {
        var world = FrozenWorld(10);
        var visit = new Record();
        world.ForEachRow<Position, Record>([7, 2, 5], ref visit);
        Assert.Equal("7:7 2:2 5:5", visit.Seen.Trim());
        var bump = default(Bump);
        world.ForEachRow<Position, Bump>([1, 8], ref bump);
        Assert.Equal([0L, 1001, 2, 3, 4, 5, 6, 7, 1008, 9], world.Rows<Position>().ToArray().Select(p => p.X));
        Assert.Equal(2, bump.Calls);
    }

    [Fact]
    public void ForEachRow_OutOfRange_ThrowsBeforeVisitingAny()
    {
        var world = FrozenWorld(3);
        var bump = default(Bump);
        Assert.Throws<ArgumentOutOfRangeException>(() => world.ForEachRow<Position, Bump>([0, 3], ref bump));
        Assert.Equal(0, world.Rows<Position>()[0].X);
        Assert.Throws<ArgumentOutOfRangeException>(() => world.ForEachRow<Position, Bump>([-1], ref bump));
    }

    [Fact]
    public void Rows_InTwoArchetypes_Throws_AndFollowCreationUntilFrozen()
    {
        var world = FixedWorld(2);
        Assert.Equal(2, world.Rows<Position>().Length);
        Assert.Equal(0, world.Rows<CompA>().Length);
        world.Create(new CompA(1));
        Assert.Equal(1, world.Rows<CompA>().Length);
        world.Create(new Position(5));
        Assert.Throws<InvalidOperationException>(() => world.Rows<Position>());
        world.Freeze();
        Assert.Throws<InvalidOperationException>(() => world.Rows<Position>());
        Assert.Equal(1, world.Rows<CompA>().Length);
    }

    [Fact]
    public void ForEachRow_UnfrozenWorld_Throws_AndCreateInsideAFrozenOneThrows()
    {
        var unfrozen = FixedWorld(2);
        var bump = default(Bump);
        Assert.Throws<InvalidOperationException>(() => unfrozen.ForEachRow<Position, Bump>([0], ref bump));
        Assert.Equal(0, bump.Calls);

        var world = FrozenWorld(2);
        var create = new CreateInside { World = world };
        Assert.Throws<InvalidOperationException>(() => world.ForEachRow<Position, CreateInside>([0], ref create));
        Assert.Equal(2, world.EntityCount);
    }

    [Fact]
    public void ForEachRow_AllocatesNothing()
    {
        var world = FrozenWorld(1000);
        int[] rows = [.. Enumerable.Range(0, 100).Select(i => i * 10)];
        var bump = default(Bump);
        world.ForEachRow<Position, Bump>(rows, ref bump);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            world.ForEachRow<Position, Bump>(rows, ref bump);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        Assert.Equal(10_100, bump.Calls);
    }

    private struct Bump : IForEachRow<Position>
    {
        public int Calls;

        public void Update(int row, ref Position c1)
        {
            c1 = new Position(c1.X + 1000);
            Calls++;
        }
    }

    private struct Record : IForEachRow<Position>
    {
        public string Seen;

        public void Update(int row, ref Position c1) => Seen += $"{row}:{c1.X} ";
    }

    private struct CreateInside : IForEachRow<Position>
    {
        public World World;

        public readonly void Update(int row, ref Position c1) => World.Create(new Position(1));
    }
}
