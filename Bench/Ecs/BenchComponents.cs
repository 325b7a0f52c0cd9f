namespace Mca.Bench.Ecs;

/// <summary>An 8-byte position component.</summary>
public struct Position
{
    public long X;
}

/// <summary>An 8-byte velocity component.</summary>
public struct Velocity
{
    public long Dx;
}

/// <summary>An 8-byte state word, flipped in place by the flag-column baseline of <see cref="ChurnBenchmarks"/>.</summary>
public struct Flags
{
    public long Bits;
}
