namespace Mca.Ecs.Tests;

public class ComponentIdTests
{
    [Fact]
    public void Register_TwoWorldsInDifferentOrders_EachAssignsIdsInItsOwnOrder()
    {
        var first = new World();
        var second = new World();
        Assert.Equal(0, first.Register<CompA>());
        Assert.Equal(0, second.Register<CompC>());
        Assert.Equal(1, first.Register<CompB>());
        Assert.Equal(1, second.Register<CompB>());
        Assert.Equal(2, second.Register<CompA>());
        Assert.Equal(0, first.Register<CompA>());
        Assert.Equal(2, first.ComponentCount);
        Assert.Equal(3, second.ComponentCount);
    }

    [Fact]
    public void Operations_TwoWorldsRegisteringInDifferentOrders_DoNotDisturbEachOther()
    {
        var first = new World();
        var second = new World();
        Entity a1 = first.Create(new CompA(1), new CompB(2), new CompD(3, ~3, -3));
        Entity a2 = second.Create(new CompD(7, ~7, -7), new CompB(20), new CompA(10));

        Assert.Equal(1, first.Get<CompA>(a1).Value);
        Assert.Equal(2, first.Get<CompB>(a1).Value);
        Assert.Equal(new CompD(3, ~3, -3), first.Get<CompD>(a1));
        Assert.Equal(10, second.Get<CompA>(a2).Value);
        Assert.Equal(20, second.Get<CompB>(a2).Value);
        Assert.Equal(new CompD(7, ~7, -7), second.Get<CompD>(a2));
        Assert.Equal(0, first.Register<CompA>());
        Assert.Equal(2, second.Register<CompA>());
        Assert.Null(first.ValidateInvariants());
        Assert.Null(second.ValidateInvariants());
    }

    [Fact]
    public void ComponentCount_OtherWorldRegisters_Unchanged()
    {
        var first = new World();
        var second = new World();
        first.Create(new CompA(1));
        second.Create(new CompA(1), new CompB(1), new CompC(1));
        Assert.Equal(1, first.ComponentCount);
        Assert.False(first.Has<CompC>(first.Create()));
        Assert.Equal(1, first.ComponentCount);
    }

    [Fact]
    public void Create_SameTypeTwice_ThrowsArgumentException()
    {
        var world = new World();
        Assert.Throws<ArgumentException>(() => world.Create(new CompA(1), new CompA(2)));
        Assert.Equal(0, world.EntityCount);
        Assert.Null(world.ValidateInvariants());
    }

    [Fact]
    public void ComponentTypeIndex_DistinctTypes_DistinctDenseValues()
    {
        int[] indices = [ComponentTypeIndex<CompA>.Value, ComponentTypeIndex<CompB>.Value, ComponentTypeIndex<CompC>.Value, ComponentTypeIndex<CompD>.Value];
        Assert.Equal(indices.Length, indices.Distinct().Count());
        Assert.All(indices, index => Assert.InRange(index, 0, ComponentRegistry.Count - 1));
    }
}
