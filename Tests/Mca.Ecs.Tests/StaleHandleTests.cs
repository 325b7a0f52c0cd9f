namespace Mca.Ecs.Tests;

/// <summary>Every World API rejects a stale handle (destroyed, recycled slot, never issued) by name.</summary>
public class StaleHandleTests
{
    public static TheoryData<string> Apis => new()
    {
        "Destroy", "Get", "Has", "TryGet", "Set", "Add", "Remove", "CommandBuffer.Playback",
    };

    [Theory]
    [MemberData(nameof(Apis))]
    public void Api_DestroyedHandle_ThrowsNamingEntity(string api)
    {
        var world = new World();
        Entity entity = world.Create(new CompA(1));
        world.Destroy(entity);

        var exception = Assert.Throws<InvalidOperationException>(() => Call(api, world, entity));
        Assert.Contains(entity.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.Null(world.ValidateInvariants());
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public void Api_HandleToRecycledSlot_ThrowsAndLeavesNewEntityIntact(string api)
    {
        var world = new World();
        Entity old = world.Create(new CompA(1));
        world.Destroy(old);
        Entity reused = world.Create(new CompA(2));
        Assert.Equal(old.Index, reused.Index);
        Assert.Equal(old.Version + 1, reused.Version);

        var exception = Assert.Throws<InvalidOperationException>(() => Call(api, world, old));
        Assert.Contains(old.ToString(), exception.Message, StringComparison.Ordinal);
        Assert.True(world.IsAlive(reused));
        Assert.Equal(2, world.Get<CompA>(reused).Value);
    }

    [Theory]
    [MemberData(nameof(Apis))]
    public void Api_NeverIssuedOrNullHandle_Throws(string api)
    {
        var world = new World();
        world.Create(new CompA(1));
        Assert.Throws<InvalidOperationException>(() => Call(api, world, new Entity(5, 1)));
        Assert.Throws<InvalidOperationException>(() => Call(api, world, new Entity(0, 2)));
        Assert.Throws<InvalidOperationException>(() => Call(api, world, default));
        if (api != "CommandBuffer.Playback")
        {
            Assert.Throws<InvalidOperationException>(() => Call(api, world, Entity.Null));
        }
    }

    [Fact]
    public void IsAlive_StaleHandles_ReturnsFalseWithoutThrowing()
    {
        var world = new World();
        Entity entity = world.Create();
        world.Destroy(entity);
        Assert.False(world.IsAlive(entity));
        Assert.False(world.IsAlive(Entity.Null));
        Assert.False(world.IsAlive(default));
        Assert.False(world.IsAlive(new Entity(int.MaxValue, 1)));
    }

    [Fact]
    public void Destroy_Twice_SecondThrows()
    {
        var world = new World();
        Entity entity = world.Create();
        world.Destroy(entity);
        Assert.Throws<InvalidOperationException>(() => world.Destroy(entity));
        Assert.Equal(0, world.EntityCount);
    }

    [Fact]
    public void HandleFromOtherWorld_WithIndexUnusedHere_Throws()
    {
        var first = new World();
        var second = new World();
        first.Create();
        Entity onlyInFirst = first.Create();
        second.Create();
        Assert.Throws<InvalidOperationException>(() => second.Get<CompA>(onlyInFirst));
    }

    private static void Call(string api, World world, Entity entity)
    {
        switch (api)
        {
            case "Destroy": world.Destroy(entity); break;
            case "Get": world.Get<CompA>(entity); break;
            case "Has": world.Has<CompA>(entity); break;
            case "TryGet": world.TryGet(entity, out CompA _); break;
            case "Set": world.Set(entity, new CompA(9)); break;
            case "Add": world.Add(entity, new CompB(9)); break;
            case "Remove": world.Remove<CompA>(entity); break;
            case "CommandBuffer.Playback":
                var buffer = new CommandBuffer();
                buffer.Set(entity, new CompA(9));
                buffer.Playback(world);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(api), api, "unknown API");
        }
    }
}
