namespace Mca.Ecs.Tests;

public class CommandBufferTests
{
    [Fact]
    public void Playback_RecordedOrder_AppliesInOrderAndClears()
    {
        var world = new World();
        Entity entity = world.Create(new CompA(1));
        var buffer = new CommandBuffer();
        buffer.Add(entity, new CompB(5));
        buffer.Set(entity, new CompB(6));
        buffer.Set(entity, new CompA(2));
        buffer.Remove<CompB>(entity);
        buffer.Add(entity, new CompB(7));
        Assert.Equal(5, buffer.Count);

        buffer.Playback(world);

        Assert.Equal(0, buffer.Count);
        Assert.Equal(2, world.Get<CompA>(entity).Value);
        Assert.Equal(7, world.Get<CompB>(entity).Value);
        buffer.Playback(world); // empty: nothing happens
        Assert.Equal(7, world.Get<CompB>(entity).Value);
    }

    [Fact]
    public void Playback_Placeholders_ResolveToCreatedEntitiesInOrder()
    {
        var world = new World();
        Entity existing = world.Create();
        var buffer = new CommandBuffer();
        Entity first = buffer.Create();
        Entity second = buffer.Create();
        Entity third = buffer.Create();
        Assert.True(first.Index < -1 && second.Index < -1 && first != second);
        buffer.Add(first, new CompA(10));
        buffer.Add(second, new CompD(1, 2, 3));
        buffer.Set(first, new CompA(11));
        buffer.Destroy(third);
        buffer.Destroy(existing);
        buffer.Add(second, new CompA(20));
        Assert.Equal(1, world.EntityCount);

        buffer.Playback(world);

        Assert.Equal(2, world.EntityCount);
        var values = new List<(Entity, long)>();
        foreach (Chunk chunk in world.Query(new QueryDescription().WithAll<CompA>()))
        {
            for (int i = 0; i < chunk.Count; i++)
            {
                values.Add((chunk.Entities[i], chunk.GetSpan<CompA>()[i].Value));
            }
        }

        // No slot was free when the placeholders were created, so they took fresh slots 1, 2 and 3 (3 destroyed).
        Assert.Equal([(new Entity(1, 1), 11L), (new Entity(2, 1), 20L)], values);
        Assert.Equal(new CompD(1, 2, 3), world.Get<CompD>(new Entity(2, 1)));
        Assert.False(world.IsAlive(existing));
    }

    [Fact]
    public void Record_PlaceholderFromEarlierPlaybackOrOtherCount_ThrowsArgumentException()
    {
        var world = new World();
        var buffer = new CommandBuffer();
        Entity placeholder = buffer.Create();
        buffer.Playback(world);
        Assert.Throws<ArgumentException>(() => buffer.Add(placeholder, new CompA(1)));
        Assert.Throws<ArgumentException>(() => buffer.Destroy(new Entity(-5, placeholder.Version + 1)));
        Assert.Throws<ArgumentException>(() => buffer.Destroy(Entity.Null));
        Entity again = buffer.Create();
        buffer.Clear();
        Assert.Throws<ArgumentException>(() => buffer.Set(again, new CompA(1)));
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void PlaybackAll_SeveralBuffers_AppliesInBufferIndexOrder()
    {
        var world = new World();
        Entity entity = world.Create(new CompA(0));
        var buffers = new CommandBuffer[3];
        for (int i = 0; i < buffers.Length; i++)
        {
            buffers[i] = new CommandBuffer();
        }

        // Recorded out of index order; playback must still follow index order.
        buffers[2].Set(entity, new CompA(3));
        buffers[0].Set(entity, new CompA(1));
        buffers[1].Set(entity, new CompA(2));
        buffers[1].Add(entity, new CompB(2));
        buffers[2].Remove<CompB>(entity);
        Entity created0 = buffers[0].Create();
        buffers[0].Add(created0, new CompC(100));
        Entity created2 = buffers[2].Create();
        buffers[2].Add(created2, new CompC(300));

        CommandBuffer.PlaybackAll(world, buffers);

        Assert.Equal(3, world.Get<CompA>(entity).Value);
        Assert.False(world.Has<CompB>(entity));
        Assert.Equal(100, world.Get<CompC>(new Entity(1, 1)).Value);
        Assert.Equal(300, world.Get<CompC>(new Entity(2, 1)).Value);
        Assert.All(buffers, buffer => Assert.Equal(0, buffer.Count));
    }

    [Fact]
    public void Playback_FailingCommand_ThrowsNamingIndexKeepsEarlierAndClears()
    {
        var world = new World();
        Entity entity = world.Create(new CompA(0));
        var buffer = new CommandBuffer();
        buffer.Set(entity, new CompA(1));
        buffer.Remove<CompB>(entity);
        buffer.Set(entity, new CompA(2));

        var exception = Assert.Throws<InvalidOperationException>(() => buffer.Playback(world));
        Assert.Contains("Command 1 of 3", exception.Message, StringComparison.Ordinal);
        Assert.IsType<InvalidOperationException>(exception.InnerException);
        Assert.Equal(1, world.Get<CompA>(entity).Value);
        Assert.Equal(0, buffer.Count);
    }

    [Fact]
    public void Playback_DuringForEach_Throws()
    {
        var world = new World();
        world.Create(new CompA(0));
        var callback = new PlaybackInside { World = world, Buffer = new CommandBuffer() };
        Assert.Throws<InvalidOperationException>(() => world.ForEach<CompA, PlaybackInside>(new QueryDescription().WithAll<CompA>(), ref callback));
        Assert.Equal(1, world.EntityCount);
    }

    [Fact]
    public void Record_ManyLargeValues_GrowsBuffers()
    {
        var world = new World();
        var buffer = new CommandBuffer(initialCapacity: 1);
        var placeholders = new Entity[1_000];
        for (int i = 0; i < placeholders.Length; i++)
        {
            placeholders[i] = buffer.Create();
            buffer.Add(placeholders[i], new CompD(i, -i, i * 2));
        }

        buffer.Playback(world);
        Assert.Equal(1_000, world.EntityCount);
        Assert.Equal(new CompD(999, -999, 1998), world.Get<CompD>(new Entity(999, 1)));
    }

    private struct PlaybackInside : IForEach<CompA>
    {
        public World World;
        public CommandBuffer Buffer;

        public readonly void Update(ref CompA c1)
        {
            Buffer.Create();
            Buffer.Playback(World);
        }
    }
}
