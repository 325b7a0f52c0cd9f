using Mca.Ecs;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Tests.Statistics;

public sealed class CountSumsTests
{
    [Fact]
    public void Merge_TwoHalves_EqualsTheWhole()
    {
        var rng = CounterRng.Create(5, 0, 2);
        var whole = default(CountSums);
        var first = default(CountSums);
        var second = default(CountSums);
        for (int m = 0; m < 1000; m++)
        {
            long x = ClusteredCounts.Draw(ref rng, 3, 0.4, 0.3);
            whole.Add(x);
            if (m < 377)
            {
                first.Add(x);
            }
            else
            {
                second.Add(x);
            }
        }

        var merged = second;
        merged.Merge(first);
        Assert.Equal(whole, merged);
        Assert.Equal(whole.Variance, merged.Variance);
    }

    [Fact]
    public void Variance_KnownValues_MatchesTheSampleVariance()
    {
        var sums = default(CountSums);
        foreach (long x in new long[] { 0, 0, 1, 3, 6 })
        {
            sums.Add(x);
        }

        // mean 2, Σ(x − 2)² = 4 + 4 + 1 + 1 + 16 = 26, over n − 1 = 4.
        Assert.Equal(2, sums.Mean);
        Assert.Equal(6.5, sums.Variance, 1e-12);
        Assert.Equal(3.25, sums.Dispersion, 1e-12);
        Assert.Equal(3, sums.MachinesWithAny);
    }

    [Fact]
    public void Add_LargeValues_KeepsTheSquaresExact()
    {
        // Downtime in nanoseconds: squares pass 2^64 and stay exact in 128 bits.
        var sums = default(CountSums);
        sums.Add(300_000_000_000);
        sums.Add(900_000_000_000);
        Assert.Equal((UInt128)300_000_000_000 * 300_000_000_000 + ((UInt128)900_000_000_000 * 900_000_000_000), sums.SumSquares);
        Assert.Equal(1.8e23, sums.Variance, 1e9);
    }

    [Fact]
    public void Add_Negative_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => default(CountSums).Add(-1));
}
