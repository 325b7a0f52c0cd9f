namespace Mca.Ecs.Tests;

// Components of different sizes, so column copies of every width are exercised.
public record struct CompA(long Value);

public record struct CompB(int Value);

public record struct CompC(short Value);

public record struct CompD(long X, long Y, long Z);

public record struct Position(long X);

public record struct Velocity(long Dx);

public record struct Frozen(byte Reason);

public record struct Tag;
