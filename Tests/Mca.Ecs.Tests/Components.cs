namespace Mca.Ecs.Tests;

/// <summary>Dispatches test operations on "component kind" 0..3 (CompA..CompD) to the generic APIs.</summary>
internal static class Components
{
    public static long Wrap(int kind, long value) => kind switch
    {
        0 => value,
        1 => (int)value,
        2 => (short)value,
        _ => value,
    };

    public static void Set(World world, Entity entity, int kind, long value)
    {
        switch (kind)
        {
            case 0: world.Set(entity, new CompA(value)); break;
            case 1: world.Set(entity, new CompB((int)value)); break;
            case 2: world.Set(entity, new CompC((short)value)); break;
            default: world.Set(entity, new CompD(value, ~value, -value)); break;
        }
    }

    public static long Get(World world, Entity entity, int kind) => kind switch
    {
        0 => world.Get<CompA>(entity).Value,
        1 => world.Get<CompB>(entity).Value,
        2 => world.Get<CompC>(entity).Value,
        _ => D(world.Get<CompD>(entity)),
    };

    public static long? TryGet(World world, Entity entity, int kind) => kind switch
    {
        0 => world.TryGet(entity, out CompA a) ? a.Value : null,
        1 => world.TryGet(entity, out CompB b) ? b.Value : null,
        2 => world.TryGet(entity, out CompC c) ? c.Value : null,
        _ => world.TryGet(entity, out CompD d) ? D(d) : null,
    };

    public static bool Has(World world, Entity entity, int kind) => kind switch
    {
        0 => world.Has<CompA>(entity),
        1 => world.Has<CompB>(entity),
        2 => world.Has<CompC>(entity),
        _ => world.Has<CompD>(entity),
    };

    /// <summary>Adds one through <see cref="World.Get{T}"/>'s reference.</summary>
    public static void Increment(World world, Entity entity, int kind)
    {
        switch (kind)
        {
            case 0: world.Get<CompA>(entity).Value++; break;
            case 1: world.Get<CompB>(entity).Value++; break;
            case 2: world.Get<CompC>(entity).Value++; break;
            default:
                ref CompD d = ref world.Get<CompD>(entity);
                d = new CompD(d.X + 1, ~(d.X + 1), -(d.X + 1));
                break;
        }
    }

    /// <summary>CompD stores (v, ~v, -v); anything else is corruption.</summary>
    private static long D(CompD d)
    {
        Assert.Equal(~d.X, d.Y);
        Assert.Equal(-d.X, d.Z);
        return d.X;
    }
}
