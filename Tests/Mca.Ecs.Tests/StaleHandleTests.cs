namespace Mca.Ecs.Tests;

/// <summary>Every per-entity World API rejects a handle the world never issued, by name.</summary>
public class StaleHandleTests
{
    public static TheoryData<string> Apis => new()
    {
        "Get", "Has", "TryGet", "Set",
    };

    [Theory]
    [MemberData(nameof(Apis))]
    public void Api_NeverIssuedOrDefaultHandle_ThrowsNamingEntity(string api)
    {
        var world = new World();
        world.Create(new CompA(1));
        foreach (Entity entity in new[] { new Entity(5, 1), new Entity(0, 2), new Entity(-1, 0), default })
        {
            var exception = Assert.Throws<InvalidOperationException>(() => Call(api, world, entity));
            Assert.Contains(entity.ToString(), exception.Message, StringComparison.Ordinal);
        }

        Assert.Equal(1, world.Get<CompA>(new Entity(0, 1)).Value);
    }

    [Fact]
    public void IsAlive_NeverIssuedHandles_ReturnsFalseWithoutThrowing()
    {
        var world = new World();
        Entity entity = world.Create();
        Assert.True(world.IsAlive(entity));
        Assert.False(world.IsAlive(new Entity(-1, 0)));
        Assert.False(world.IsAlive(default));
        Assert.False(world.IsAlive(new Entity(0, 2)));
        Assert.False(world.IsAlive(new Entity(int.MaxValue, 1)));
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
            case "Get": world.Get<CompA>(entity); break;
            case "Has": world.Has<CompA>(entity); break;
            case "TryGet": world.TryGet(entity, out CompA _); break;
            case "Set": world.Set(entity, new CompA(9)); break;
            default: throw new ArgumentOutOfRangeException(nameof(api), api, "unknown API");
        }
    }
}
