namespace Mca.Bench.Ecs;

/// <summary>An 8-byte position component.</summary>
internal struct Position
{
    public long X;
}

/// <summary>An 8-byte velocity component.</summary>
internal struct Velocity
{
    public long Dx;
}
