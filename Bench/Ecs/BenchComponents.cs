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

/// <summary>An 8-byte state word, flipped in place by the flag-column baseline of <see cref="ChurnBenchmarks"/>.</summary>
internal struct Flags
{
    public long Bits;
}
