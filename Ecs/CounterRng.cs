using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Mca.Ecs;

/// <summary>
/// A counter-based random stream keyed by (campaign seed, stream id, purpose): value <c>i</c> of a stream is
/// a pure function of the key and <c>i</c>, so any value can be computed directly (<see cref="At"/>) and a
/// stream never depends on thread timing, batch layout or how many other streams exist.
/// </summary>
/// <remarks>
/// <para>The generator is Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
/// SC 2011; the Random123 known-answer vectors are pinned by tests), a 10-round bijection of a 128-bit counter
/// under a 64-bit key that passes TestU01 BigCrush. The 64-bit key is a bijective mix of (seed, purpose);
/// the counter is (block index, stream id). For one seed and purpose, distinct stream ids therefore get
/// provably distinct blocks; distinct purposes get distinct keys (for a fixed seed the key is injective in
/// the purpose).</para>
/// <para>Each block yields 128 bits = two 64-bit values: value <c>i</c> is half <c>i % 2</c> of block
/// <c>i / 2</c>. <see cref="NextUInt64"/> caches the second half, so sequential use runs one Philox
/// evaluation per two values.</para>
/// <para>A mutable struct: copy it and the copy continues the same sequence independently. Every
/// <c>Next*</c> call consumes one value, except that <see cref="NextInt"/> and <see cref="NextLong"/> may
/// consume more when they reject a draw to stay unbiased.</para>
/// </remarks>
public struct CounterRng
{
    private const uint MultiplierA = 0xD2511F53;
    private const uint MultiplierB = 0xCD9E8D57;
    private const uint WeylA = 0x9E3779B9;
    private const uint WeylB = 0xBB67AE85;
    private const double DoubleUnit = 1.0 / (1UL << 53);

    private readonly uint _key0;
    private readonly uint _key1;
    private ulong _streamId;
    private ulong _counter;
    private ulong _pendingValue;
    private ulong _pendingBlockPlusOne;

    private CounterRng(ulong seed, ulong streamId, ulong purpose)
    {
        ulong key = MixKey(seed, purpose);
        _key0 = (uint)key;
        _key1 = (uint)(key >> 32);
        _streamId = streamId;
    }

    /// <summary>Values consumed so far; the next <see cref="NextUInt64"/> returns <c>At(Counter)</c>.</summary>
    public readonly long Counter => (long)_counter;

    /// <summary>The stream for (seed, stream id, purpose), positioned at value 0.</summary>
    /// <param name="seed">The campaign seed.</param>
    /// <param name="streamId">The stream within the campaign, normally the machine id.</param>
    /// <param name="purpose">What the numbers are for (a fixed constant per use), so uses never share values.</param>
    public static CounterRng Create(ulong seed, ulong streamId, ulong purpose) => new(seed, streamId, purpose);

    /// <summary>
    /// The stream with the same key (seed and purpose) and another stream id, positioned at value 0: a
    /// family of streams indexed by <paramref name="streamId"/> (a tree node, an error's index) without
    /// mixing the key again.
    /// </summary>
    public readonly CounterRng WithStream(ulong streamId)
    {
        var copy = this;
        copy._streamId = streamId;
        copy._counter = 0;
        copy._pendingBlockPlusOne = 0;
        return copy;
    }

    /// <summary>Value <paramref name="counter"/> of this stream (random access; does not move the stream).</summary>
    public readonly ulong At(ulong counter)
    {
        (ulong low, ulong high) = Block(counter >> 1);
        return (counter & 1) == 0 ? low : high;
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong counter = _counter;
        _counter = counter + 1;
        ulong block = counter >> 1;
        if ((counter & 1) == 1 && _pendingBlockPlusOne == block + 1)
        {
            return _pendingValue;
        }

        (ulong low, ulong high) = Block(block);
        if ((counter & 1) == 1)
        {
            return high;
        }

        _pendingValue = high;
        _pendingBlockPlusOne = block + 1;
        return low;
    }

    /// <summary>The next 32 uniformly distributed bits (the upper half of one 64-bit value).</summary>
    public uint NextUInt32() => (uint)(NextUInt64() >> 32);

    /// <summary>A uniform integer in <c>[0, exclusiveMax)</c>, without modulo bias (Lemire's method).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exclusiveMax"/> is not positive.</exception>
    public int NextInt(int exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        uint range = (uint)exclusiveMax;
        ulong product = (ulong)NextUInt32() * range;
        uint low = (uint)product;
        if (low < range)
        {
            uint threshold = (0u - range) % range; // 2^32 mod range: the biased low values to reject
            while (low < threshold)
            {
                product = (ulong)NextUInt32() * range;
                low = (uint)product;
            }
        }

        int result = (int)(product >> 32);
        Debug.Assert(result >= 0 && result < exclusiveMax);
        return result;
    }

    /// <summary>A uniform integer in <c>[0, exclusiveMax)</c>, without modulo bias (Lemire's method).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="exclusiveMax"/> is not positive.</exception>
    public long NextLong(long exclusiveMax)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exclusiveMax);
        ulong range = (ulong)exclusiveMax;
        ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
        if (low < range)
        {
            ulong threshold = (0UL - range) % range; // 2^64 mod range
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), range, out low);
            }
        }

        Debug.Assert(high < range);
        return (long)high;
    }

    /// <summary>A uniform double in <c>[0, 1)</c> with 53 random bits (multiples of 2^-53).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * DoubleUnit;

    /// <summary>The Philox4x32-10 bijection of one 128-bit counter under a 64-bit key (Random123 word order).</summary>
    internal static (uint X0, uint X1, uint X2, uint X3) Philox4x32x10(uint c0, uint c1, uint c2, uint c3, uint key0, uint key1)
    {
        for (int round = 0; round < 10; round++)
        {
            if (round > 0)
            {
                key0 += WeylA;
                key1 += WeylB;
            }

            ulong productA = (ulong)MultiplierA * c0;
            ulong productB = (ulong)MultiplierB * c2;
            uint next0 = (uint)(productB >> 32) ^ c1 ^ key0;
            uint next1 = (uint)productB;
            uint next2 = (uint)(productA >> 32) ^ c3 ^ key1;
            uint next3 = (uint)productA;
            (c0, c1, c2, c3) = (next0, next1, next2, next3);
        }

        return (c0, c1, c2, c3);
    }

    /// <summary>
    /// The 64-bit Philox key for (seed, purpose): <c>Mix(Mix(seed + a) ^ Mix(purpose + b))</c> with the
    /// SplitMix64 finalizer <c>Mix</c> (a bijection). For a fixed seed the key is injective in the purpose,
    /// and vice versa; the distinct offsets keep (s, p) and (p, s) apart.
    /// </summary>
    /// <summary>
    /// A key for <see cref="Hash"/>: (seed, purpose) mixed exactly as a stream's Philox key is.
    /// </summary>
    public static ulong KeyOf(ulong seed, ulong purpose) => MixKey(seed, purpose);

    /// <summary>
    /// Value <paramref name="index"/> of family member <paramref name="stream"/> under <paramref name="key"/>, by
    /// two rounds of the SplitMix64 finalizer (Steele, Lea and Flood, OOPSLA 2014): random access at a few ns, for
    /// draws so numerous that Philox would dominate (a CE timeline's tree nodes, one to three values each). A pure
    /// function of its arguments; not a stream and not for cryptographic use.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Hash(ulong key, ulong stream, ulong index) =>
        Mix64(Mix64(key ^ (stream * 0x9E3779B97F4A7C15UL)) + ((index + 1) * 0xD1B54A32D192ED03UL));

    internal static ulong MixKey(ulong seed, ulong purpose) =>
        Mix64(Mix64(seed + 0x9E3779B97F4A7C15UL) ^ Mix64(purpose + 0xD1B54A32D192ED03UL));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix64(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private readonly (ulong Low, ulong High) Block(ulong block)
    {
        (uint x0, uint x1, uint x2, uint x3) = Philox4x32x10(
            (uint)block, (uint)(block >> 32), (uint)_streamId, (uint)(_streamId >> 32), _key0, _key1);
        return (x0 | ((ulong)x1 << 32), x2 | ((ulong)x3 << 32));
    }
}
