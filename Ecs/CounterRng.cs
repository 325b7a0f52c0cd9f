using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// A counter-based random stream keyed by (seed, stream id, purpose): value i is a pure function of
/// the key and i, so any draw can be recomputed without replaying the ones before it.
/// </summary>
public struct CounterRng
{
    private readonly ulong _key;
    private ulong _counter;

    private CounterRng(ulong key)
    {
        _key = key;
        _counter = 0;
    }

    public readonly long Counter => (long)_counter;

    public static CounterRng Create(ulong seed, ulong streamId, ulong purpose) =>
        new(Mix(Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) ^ streamId) ^ purpose));

    /// <summary>The value at <paramref name="counter"/>, without moving the stream.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ulong At(ulong counter) => Mix(_key + ((counter + 1) * 0x9E3779B97F4A7C15UL));

    public ulong NextUInt64() => At(_counter++);

    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>Uniform in [0, <paramref name="exclusiveMax"/>), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        return (int)NextLong(exclusiveMax);
    }

    public long NextLong(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong range = (ulong)exclusiveMax;
        ulong threshold = (0 - range) % range;
        while (true)
        {
            ulong x = NextUInt64();
            ulong high = Math.BigMul(x, range, out ulong low);
            if (low >= threshold)
            {
                return (long)high;
            }
        }
    }

    /// <summary>Uniform in [0, 1) with 53 bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>The SplitMix64 finalizer: a bijective 64-bit mix.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
