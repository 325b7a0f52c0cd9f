using CsCheck;

namespace Mca.Ecs.Tests;

/// <summary>
/// Random operation sequences applied to a <see cref="World"/> and to a dictionary-based reference model;
/// every result, every thrown exception and the final state must agree. CsCheck prints the failing seed
/// ("Set seed: ...") in the exception message; pass it to <c>Sample(seed: ...)</c> to replay.
/// </summary>
public class WorldModelTests
{
    private const int ComponentKinds = 4;

    // (operation, entity pick, component kind, value)
    private static readonly Gen<(int Op, int Pick, int Kind, long Value)[]> Operations =
        Gen.Select(Gen.Int[0, 11], Gen.Int[0, int.MaxValue], Gen.Int[0, ComponentKinds - 1], Gen.Long)
            .Array[2_000, 4_000];

    [Fact]
    public void RandomOperations_AgainstDictionaryModel_Agree()
    {
        Operations.Sample(Run, iter: 120);
    }

    [Fact]
    public void RandomOperations_WithCommandBuffer_AgreeWithDirectApplication()
    {
        // The same stream of add/remove/set applied directly and via a command buffer played back every 50
        // operations gives the same component values for every entity.
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 63], Gen.Int[0, ComponentKinds - 1], Gen.Long).Array[1_000, 2_000]
            .Sample(ops =>
            {
                var direct = new World();
                var deferred = new World();
                var directEntities = new Entity[64];
                var deferredEntities = new Entity[64];
                for (int i = 0; i < 64; i++)
                {
                    directEntities[i] = direct.Create();
                    deferredEntities[i] = deferred.Create();
                }

                var model = new long?[64, ComponentKinds];
                var buffer = new CommandBuffer();
                for (int step = 0; step < ops.Length; step++)
                {
                    (int op, int pick, int kind, long value) = ops[step];
                    bool present = model[pick, kind].HasValue;
                    switch (op)
                    {
                        case 0 when !present:
                            Components.Add(direct, directEntities[pick], kind, value);
                            Components.Add(buffer, deferredEntities[pick], kind, value);
                            model[pick, kind] = Components.Wrap(kind, value);
                            break;
                        case 1 when present:
                            Components.Remove(direct, directEntities[pick], kind);
                            Components.Remove(buffer, deferredEntities[pick], kind);
                            model[pick, kind] = null;
                            break;
                        case 2 when present:
                            Components.Set(direct, directEntities[pick], kind, value);
                            Components.Set(buffer, deferredEntities[pick], kind, value);
                            model[pick, kind] = Components.Wrap(kind, value);
                            break;
                    }

                    if (step % 50 == 49)
                    {
                        buffer.Playback(deferred);
                    }
                }

                buffer.Playback(deferred);
                for (int i = 0; i < 64; i++)
                {
                    for (int kind = 0; kind < ComponentKinds; kind++)
                    {
                        Assert.Equal(model[i, kind], Components.TryGet(direct, directEntities[i], kind));
                        Assert.Equal(model[i, kind], Components.TryGet(deferred, deferredEntities[i], kind));
                    }
                }

                Assert.Null(direct.ValidateInvariants());
                Assert.Null(deferred.ValidateInvariants());
            }, iter: 100);
    }

    private static void Run((int Op, int Pick, int Kind, long Value)[] operations)
    {
        var world = new World(initialCapacity: 8);
        var model = new Dictionary<Entity, long?[]>();
        var handles = new List<Entity>();
        var usedSlots = new HashSet<int>();

        for (int step = 0; step < operations.Length; step++)
        {
            (int op, int pick, int kind, long value) = operations[step];
            Entity entity = handles.Count == 0 ? new Entity(pick % 16, 1) : handles[pick % handles.Count];
            bool alive = model.ContainsKey(entity);
            long?[]? components = alive ? model[entity] : null;
            switch (op)
            {
                case 0:
                case 1:
                case 2:
                {
                    Entity created = op switch
                    {
                        0 => world.Create(),
                        1 => world.Create(new CompA(value), new CompB((int)value)),
                        _ => world.Create(new CompA(value), new CompB((int)value), new CompC((short)value), new CompD(value, ~value, -value)),
                    };
                    Assert.False(model.ContainsKey(created), $"step {step}: {created} handed out twice");
                    Assert.True(created.Version >= 1);
                    var values = new long?[ComponentKinds];
                    for (int k = 0; k < (op == 0 ? 0 : op == 1 ? 2 : 4); k++)
                    {
                        values[k] = Components.Wrap(k, value);
                    }

                    model.Add(created, values);
                    handles.Add(created);
                    usedSlots.Add(created.Index);
                    break;
                }

                case 3:
                    Expect(alive, () => world.Destroy(entity));
                    model.Remove(entity);
                    break;
                case 4:
                    Expect(alive && components![kind] is null, () => Components.Add(world, entity, kind, value));
                    if (alive && components![kind] is null)
                    {
                        components[kind] = Components.Wrap(kind, value);
                    }

                    break;
                case 5:
                    Expect(alive && components![kind] is not null, () => Components.Remove(world, entity, kind));
                    if (alive)
                    {
                        components![kind] = null;
                    }

                    break;
                case 6:
                    Expect(alive && components![kind] is not null, () => Components.Set(world, entity, kind, value));
                    if (alive && components![kind] is not null)
                    {
                        components[kind] = Components.Wrap(kind, value);
                    }

                    break;
                case 7:
                    Expect(alive && components![kind] is not null, () =>
                    {
                        long got = Components.Get(world, entity, kind);
                        Assert.Equal(components![kind], got);
                    });
                    break;
                case 8:
                    Expect(alive, () =>
                    {
                        long? got = Components.TryGet(world, entity, kind);
                        Assert.Equal(components![kind], got);
                    });
                    Expect(alive, () =>
                    {
                        bool has = Components.Has(world, entity, kind);
                        Assert.Equal(components![kind].HasValue, has);
                    });
                    break;
                case 9:
                    Assert.Equal(alive, world.IsAlive(entity));
                    break;
                case 10:
                {
                    // Mutate through Get's ref and through a chunk span.
                    Expect(alive && components![kind] is not null, () => Components.Increment(world, entity, kind));
                    if (alive && components![kind] is not null)
                    {
                        components[kind] = Components.Wrap(kind, components[kind]!.Value + 1);
                    }

                    break;
                }

                default:
                    CheckAll(world, model, step);
                    break;
            }

            Assert.Equal(model.Count, world.EntityCount);
        }

        CheckAll(world, model, operations.Length);
        Assert.True(world.ComponentCount <= ComponentKinds);
    }

    private static void CheckAll(World world, Dictionary<Entity, long?[]> model, int step)
    {
        Assert.True(world.ValidateInvariants() is null, $"step {step}: {world.ValidateInvariants()}");
        Assert.Equal(model.Count, world.EntityCount);
        foreach ((Entity entity, long?[] components) in model)
        {
            Assert.True(world.IsAlive(entity));
            for (int kind = 0; kind < ComponentKinds; kind++)
            {
                Assert.Equal(components[kind], Components.TryGet(world, entity, kind));
            }
        }

        // Query counts against the model, and every chunk row against the model.
        int withA = 0;
        int withBNotC = 0;
        int withAnyCd = 0;
        foreach (long?[] components in model.Values)
        {
            withA += components[0].HasValue ? 1 : 0;
            withBNotC += components[1].HasValue && !components[2].HasValue ? 1 : 0;
            withAnyCd += components[2].HasValue || components[3].HasValue ? 1 : 0;
        }

        Assert.Equal(withA, world.Query(new QueryDescription().WithAll<CompA>()).EntityCount);
        Assert.Equal(withBNotC, world.Query(new QueryDescription().WithAll<CompB>().WithNone<CompC>()).EntityCount);
        Assert.Equal(withAnyCd, world.Query(new QueryDescription().WithAny<CompC, CompD>()).EntityCount);
        Assert.Equal(model.Count, world.Query(default).EntityCount);

        int seen = 0;
        foreach (ref readonly Chunk chunk in world.Query(new QueryDescription().WithAll<CompA>()))
        {
            Span<CompA> column = chunk.GetSpan<CompA>();
            ReadOnlySpan<Entity> entities = chunk.Entities;
            Assert.Equal(chunk.Count, column.Length);
            for (int row = 0; row < chunk.Count; row++)
            {
                Assert.Equal(model[entities[row]][0], column[row].Value);
                seen++;
            }
        }

        Assert.Equal(withA, seen);
    }

    private static void Expect(bool valid, Action action)
    {
        if (valid)
        {
            action();
        }
        else
        {
            Assert.Throws<InvalidOperationException>(action);
        }
    }
}
