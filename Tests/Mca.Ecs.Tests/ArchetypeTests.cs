namespace Mca.Ecs.Tests;

public class ArchetypeTests
{
    [Fact]
    public void Create_IssuesIndicesInCreationOrderWithVersionOne_AndAppendsRows()
    {
        var world = new World();
        Assert.Equal(new Entity(0, 1), world.Create());
        Entity first = world.Create(new CompA(10));
        world.Create(new CompB(0));
        Entity second = world.Create(new CompA(11));
        Assert.Equal(new Entity(1, 1), first);
        Assert.Equal(new Entity(3, 1), second);
        Assert.Equal([first, second], ArchetypeOf(world, first).Entities.AsSpan(0, 2).ToArray());
        Assert.Equal([10L, 11], world.Rows<CompA>().ToArray().Select(a => a.Value));
        Assert.Null(world.ValidateInvariants());
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
}
