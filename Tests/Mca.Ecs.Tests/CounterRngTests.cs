using CsCheck;

namespace Mca.Ecs.Tests;

public class CounterRngTests
{
    [Theory]
    // Random123 kat_vectors, "philox4x32 10": counter[4] key[2] -> output[4].
    [InlineData(0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x00000000u, 0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u)]
    [InlineData(0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu, 0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu)]
    [InlineData(0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u, 0xa4093822u, 0x299f31d0u, 0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u)]
    public void Philox4x32x10_Random123Vectors_MatchKnownAnswers(
        uint c0, uint c1, uint c2, uint c3, uint k0, uint k1, uint x0, uint x1, uint x2, uint x3)
    {
        Assert.Equal((x0, x1, x2, x3), CounterRng.Philox4x32x10(c0, c1, c2, c3, k0, k1));
    }

    [Fact]
    public void WithStream_IsTheStreamCreatedWithThatId()
    {
        var a = CounterRng.Create(5, 3, 77);
        a.NextUInt64();
        var moved = a.WithStream(9);
        var made = CounterRng.Create(5, 9, 77);
        Assert.Equal(0, moved.Counter);
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(made.NextUInt64(), moved.NextUInt64());
        }
    }

    [Fact]
    public void Next_SameKey_SameSequence()
    {
        CounterRng first = CounterRng.Create(42, 7, 3);
        CounterRng second = CounterRng.Create(42, 7, 3);
        for (int i = 0; i < 1_000; i++)
        {
            Assert.Equal(first.NextUInt64(), second.NextUInt64());
            Assert.Equal(first.NextInt(1_000), second.NextInt(1_000));
            Assert.Equal(first.NextDouble(), second.NextDouble());
        }

        Assert.Equal(first.Counter, second.Counter);
    }

    [Fact]
    public void At_AnyKey_EqualsTheIthNextValue()
    {
        Gen.Select(Gen.ULong, Gen.ULong, Gen.ULong, Gen.Int[1, 300]).Sample((seed, stream, purpose, n) =>
        {
            CounterRng rng = CounterRng.Create(seed, stream, purpose);
            for (int i = 0; i < n; i++)
            {
                Assert.Equal(i, rng.Counter);
                Assert.Equal(rng.At((ulong)i), rng.NextUInt64());
            }
        }, iter: 200);
    }

    [Fact]
    public void At_LargeCounters_RandomAccessWithoutStepping()
    {
        CounterRng rng = CounterRng.Create(1, 2, 3);
        ulong[] counters = [0, 1, 1UL << 40, (1UL << 40) + 1, ulong.MaxValue - 1, ulong.MaxValue];
        var values = new HashSet<ulong>();
        foreach (ulong counter in counters)
        {
            Assert.Equal(rng.At(counter), rng.At(counter));
            values.Add(rng.At(counter));
        }

        Assert.Equal(counters.Length, values.Count);
        Assert.Equal(0, rng.Counter);
    }

    [Fact]
    public void Copy_ContinuesIndependently()
    {
        CounterRng original = CounterRng.Create(5, 6, 7);
        original.NextUInt64();
        CounterRng copy = original;
        ulong fromOriginal = original.NextUInt64();
        Assert.Equal(fromOriginal, copy.NextUInt64());
        Assert.Equal(original.Counter, copy.Counter);
    }

    [Fact]
    public void FirstValues_TenThousandPurposesOrStreams_AllDistinct()
    {
        var byPurpose = new HashSet<ulong>();
        var byStream = new HashSet<ulong>();
        var bySeed = new HashSet<ulong>();
        for (ulong i = 0; i < 10_000; i++)
        {
            Assert.True(byPurpose.Add(CounterRng.Create(1, 0, i).NextUInt64()), $"purpose {i}");
            Assert.True(byStream.Add(CounterRng.Create(1, i, 0).NextUInt64()), $"stream {i}");
            Assert.True(bySeed.Add(CounterRng.Create(i, 0, 0).NextUInt64()), $"seed {i}");
        }
    }

    [Fact]
    public void MixKey_SwappedSeedAndPurpose_DiffersAndAdjacentPurposesDecorrelate()
    {
        Assert.NotEqual(CounterRng.MixKey(1, 2), CounterRng.MixKey(2, 1));

        // Adjacent purposes: the first values' bits agree about half the time.
        long agreeingBits = 0;
        for (ulong purpose = 0; purpose < 1_000; purpose++)
        {
            ulong a = CounterRng.Create(9, 9, purpose).NextUInt64();
            ulong b = CounterRng.Create(9, 9, purpose + 1).NextUInt64();
            agreeingBits += 64 - System.Numerics.BitOperations.PopCount(a ^ b);
        }

        Assert.InRange(agreeingBits / 64_000.0, 0.49, 0.51);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(7)]
    [InlineData(1_000)]
    public void NextInt_ChiSquare_Uniform(int buckets)
    {
        CounterRng rng = CounterRng.Create(2024, 1, 99);
        int samples = buckets * 200;
        var counts = new int[buckets];
        for (int i = 0; i < samples; i++)
        {
            counts[rng.NextInt(buckets)]++;
        }

        double expected = samples / (double)buckets;
        double chiSquare = 0;
        foreach (int count in counts)
        {
            chiSquare += (count - expected) * (count - expected) / expected;
        }

        // Wilson-Hilferty upper 0.1% point of chi-square with buckets - 1 degrees of freedom.
        double df = buckets - 1;
        double z = 3.09;
        double critical = df * Math.Pow(1 - (2 / (9 * df)) + (z * Math.Sqrt(2 / (9 * df))), 3);
        Assert.True(chiSquare < critical, $"chi-square {chiSquare:F1} >= {critical:F1} for {buckets} buckets");
    }

    [Fact]
    public void NextInt_RangeEdges_StayInRange()
    {
        CounterRng rng = CounterRng.Create(3, 3, 3);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(0, rng.NextInt(1));
            Assert.InRange(rng.NextInt(int.MaxValue), 0, int.MaxValue - 1);
            Assert.InRange(rng.NextInt((1 << 30) + 1), 0, 1 << 30);
            Assert.InRange(rng.NextLong(long.MaxValue), 0, long.MaxValue - 1);
            Assert.InRange(rng.NextLong(3), 0, 2);
            double d = rng.NextDouble();
            Assert.True(d >= 0 && d < 1);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextLong(-1));
    }

    [Fact]
    public void NextDouble_Mean_NearHalf()
    {
        CounterRng rng = CounterRng.Create(11, 12, 13);
        double sum = 0;
        for (int i = 0; i < 100_000; i++)
        {
            sum += rng.NextDouble();
        }

        Assert.InRange(sum / 100_000, 0.495, 0.505);
    }

    [Fact]
    public void NextLong_LargeNonPowerOfTwoRange_UpperHalfHitHalfTheTime()
    {
        // A biased reduction (modulo) would favour the low part of a range just above 2^62.
        CounterRng rng = CounterRng.Create(8, 8, 8);
        long range = (1L << 62) + (1L << 61);
        int upper = 0;
        for (int i = 0; i < 100_000; i++)
        {
            upper += rng.NextLong(range) >= range / 2 ? 1 : 0;
        }

        Assert.InRange(upper, 49_000, 51_000);
    }
}
