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
        Gen.Select(Gen.Int[0, 9], Gen.Int[0, int.MaxValue], Gen.Int[0, ComponentKinds - 1], Gen.Long)
            .Array[2_000, 4_000];

    [Fact]
    public void RandomOperations_AgainstDictionaryModel_Agree()
    {
        Operations.Sample(Run, iter: 120);
    }

    private static void Run((int Op, int Pick, int Kind, long Value)[] operations)
    {
        var world = new World(initialCapacity: 8);
        var model = new Dictionary<Entity, long?[]>();
        var handles = new List<Entity>();

        for (int step = 0; step < operations.Length; step++)
        {
            (int op, int pick, int kind, long value) = operations[step];
            // Now and then a handle the world never issued (version 2, or an index not created yet).
            Entity entity = handles.Count == 0 ? new Entity(pick % 16, 1)
                : pick % 8 == 0 ? new Entity(pick % (handles.Count + 4), 2)
                : handles[pick % handles.Count];
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
                    Assert.Equal(1, created.Version);
                    var values = new long?[ComponentKinds];
                    for (int k = 0; k < (op == 0 ? 0 : op == 1 ? 2 : 4); k++)
                    {
                        values[k] = Components.Wrap(k, value);
                    }

                    model.Add(created, values);
                    handles.Add(created);
                    break;
                }

                case 3:
                {
                    Entity created = world.Create(new CompC((short)value));
                    var values = new long?[ComponentKinds];
                    values[2] = Components.Wrap(2, value);
                    model.Add(created, values);
                    handles.Add(created);
                    break;
                }

                case 4:
                    Expect(alive && components![kind] is not null, () => Components.Set(world, entity, kind, value));
                    if (alive && components![kind] is not null)
                    {
                        components[kind] = Components.Wrap(kind, value);
                    }

                    break;
                case 5:
                    Expect(alive && components![kind] is not null, () =>
                    {
                        long got = Components.Get(world, entity, kind);
                        Assert.Equal(components![kind], got);
                    });
                    break;
                case 6:
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
                case 7:
                    Assert.Equal(alive, world.IsAlive(entity));
                    break;
                case 8:
                {
                    // Mutate through Get's ref.
                    Expect(alive && components![kind] is not null, () => Components.Increment(world, entity, kind));
                    if (alive && components![kind] is not null)
                    {
                        components[kind] = Components.Wrap(kind, components[kind]!.Value + 1);
                    }

                    break;
                }

                default:
                    CheckAll(world, model, handles, step);
                    break;
            }

            Assert.Equal(model.Count, world.EntityCount);
        }

        CheckAll(world, model, handles, operations.Length);
        Assert.True(world.ComponentCount <= ComponentKinds);
    }

    private static void CheckAll(World world, Dictionary<Entity, long?[]> model, List<Entity> handles, int step)
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

        // CompD lives in one archetype only (op 2), so its column is every entity with it, in creation order.
        var expected = new List<long>();
        foreach (Entity entity in handles)
        {
            if (model[entity][3] is long d)
            {
                expected.Add(d);
            }
        }

        var column = new List<long>();
        foreach (CompD d in world.Rows<CompD>())
        {
            column.Add(d.X);
        }

        Assert.Equal(expected, column);
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
