using Mca.Workloads.Field;

namespace Mca.Workloads.Tests.Field;

public sealed class CeTimelineTests
{
    private const long DayNs = 86_400_000_000_000;

    private static CeTimeline Timeline(ulong seed, double perDay, long startNs = 1_000, long spanNs = 365 * DayNs) =>
        new(seed, 0xCE71_0000_0000_0001, startNs, spanNs, perDay / DayNs);

    [Theory]
    [InlineData(1UL, 0.5)]
    [InlineData(2UL, 10.0)]
    [InlineData(3UL, 400.0)]
    [InlineData(4UL, 20_000.0)]
    public void InstantsAreSortedAndAgreeWithCounts(ulong seed, double perDay)
    {
        var t = Timeline(seed, perDay);
        long step = Math.Max(1, t.Total / 2_000);
        long previous = long.MinValue;
        for (long k = 0; k < t.Total; k += step)
        {
            long at = t.TimeOf(k);
            Assert.InRange(at, t.StartNs, t.EndNs - 1);
            Assert.True(at >= previous, $"error {k} at {at} comes before the one sampled before it ({previous})");
            previous = at;
            // Error k is at `at`: at most k errors lie before it, and more than k up to and including it.
            Assert.True(t.CountBefore(at) <= k, $"CountBefore({at}) = {t.CountBefore(at)} > {k}");
            Assert.True(t.CountBefore(at + 1) > k, $"CountBefore({at + 1}) = {t.CountBefore(at + 1)} <= {k}");
        }

        Assert.Equal(0, t.CountBefore(t.StartNs));
        Assert.Equal(t.Total, t.CountBefore(t.EndNs));
        Assert.Equal(t.Total, t.CountBefore(long.MaxValue));
    }

    [Fact]
    public void TheCursorWalksEveryErrorInOrder()
    {
        var t = Timeline(7, 3_000, spanNs: 30 * DayNs);
        var cursor = t.From(0);
        long n = 0;
        long previous = 0;
        while (cursor.TryNext(out long at))
        {
            Assert.Equal(t.TimeOf(n), at);
            Assert.True(at >= previous);
            previous = at;
            n++;
        }

        Assert.Equal(t.Total, n);
        long mid = t.StartNs + (10 * DayNs);
        var later = t.From(mid);
        Assert.Equal(t.CountBefore(mid), later.Index);
        Assert.True(later.TryNext(out long first));
        Assert.True(first >= mid);
    }

    [Fact]
    public void CountsInDisjointIntervalsArePoisson()
    {
        // The count in a quarter of the span has mean and variance rate x quarter (Poisson), and counts in
        // two disjoint quarters are uncorrelated, over many independent faults.
        const int faults = 4_000;
        const double perDay = 2.0;
        long span = 64 * DayNs;
        double mean = 0, variance = 0, covariance = 0, meanB = 0;
        var a = new double[faults];
        var b = new double[faults];
        for (int f = 0; f < faults; f++)
        {
            var t = new CeTimeline(11, 0xCE71_0000_0000_0000UL + (uint)f, 0, span, perDay / DayNs);
            a[f] = t.CountBefore(16 * DayNs);
            b[f] = t.CountBefore(48 * DayNs) - t.CountBefore(32 * DayNs);
            mean += a[f];
            meanB += b[f];
        }

        mean /= faults;
        meanB /= faults;
        for (int f = 0; f < faults; f++)
        {
            variance += (a[f] - mean) * (a[f] - mean);
            covariance += (a[f] - mean) * (b[f] - meanB);
        }

        variance /= faults - 1;
        covariance /= faults - 1;
        double expected = perDay * 16;
        // Standard error of the mean sqrt(32/4000) = 0.09; of the variance about 32 sqrt(2/4000) = 0.72.
        Assert.InRange(mean, expected - 0.45, expected + 0.45);
        Assert.InRange(meanB, expected - 0.45, expected + 0.45);
        Assert.InRange(variance, expected - 3.6, expected + 3.6);
        Assert.InRange(covariance / expected, -0.08, 0.08);
    }

    [Fact]
    public void InstantsAreUniformOverTheSpan()
    {
        // Kolmogorov-Smirnov on 20,000 instants of one fault: D below 1.63 / sqrt(n) (1 % level).
        var t = Timeline(5, 20_000.0 * DayNs / (1L << 40), startNs: 0, spanNs: 1L << 40);
        Assert.InRange(t.Total, 19_000, 21_000);
        double d = 0;
        double length = 1L << t.Depth;
        for (long k = 0; k < t.Total; k++)
        {
            double x = t.TimeOf(k) / length;
            d = Math.Max(d, Math.Max(Math.Abs(x - ((double)k / t.Total)), Math.Abs(x - ((double)(k + 1) / t.Total))));
        }

        Assert.True(d < 1.63 / Math.Sqrt(t.Total), $"KS distance {d} for {t.Total} instants");
    }

    [Fact]
    public void LargeCountsSplitExactly()
    {
        // 10^6 CEs a day over a year's tree (2^55 ns, 417 days): 4.17e8 errors; the normal-approximated splits still sum exactly.
        var t = Timeline(9, 1_000_000);
        Assert.InRange(t.Total, 4.1e8, 4.25e8);
        long day = t.CountBefore(t.StartNs + DayNs);
        Assert.InRange(day, 0.9e6, 1.1e6);
        long sum = 0;
        long edge = t.StartNs;
        for (int q = 1; q <= 8; q++)
        {
            long next = t.StartNs + (q * (t.EndNs - t.StartNs) / 8);
            sum += t.CountBefore(next) - t.CountBefore(edge);
            edge = next;
        }

        Assert.Equal(t.Total, sum);
        long k = t.Total / 3;
        long at = t.TimeOf(k);
        Assert.True(t.CountBefore(at) <= k && t.CountBefore(at + 1) > k);
    }

    [Fact]
    public void ATimelineIsAPureFunctionOfItsKey()
    {
        // Known answers: a change of the draw is a visible decision.
        var t = Timeline(1, 50);
        var again = Timeline(1, 50);
        Assert.Equal(t.Total, again.Total);
        Assert.Equal(t.TimeOf(t.Total / 2), again.TimeOf(again.Total / 2));
        var other = Timeline(2, 50);
        Assert.NotEqual(t.TimeOf(0), other.TimeOf(0));
        Assert.Equal(20792, t.Total);
        Assert.Equal(102306670035, t.TimeOf(0));
        Assert.Equal(1770332554664996, t.TimeOf(1000));
        Assert.Equal(36024270865036145, t.TimeOf(t.Total - 1));
    }

    [Fact]
    public void AZeroRateHasNoErrors()
    {
        var t = Timeline(1, 0);
        Assert.Equal(0, t.Total);
        Assert.Equal(0, t.CountBefore(long.MaxValue));
        Assert.False(t.From(0).TryNext(out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.TimeOf(0));
    }

    [Theory]
    [InlineData(5UL, 300.0)]
    [InlineData(6UL, 20_000.0)]
    [InlineData(7UL, 1_000_000.0)]
    public void CachedPathQueriesGiveTheSameAnswers(ulong seed, double perDay)
    {
        // The path cache (a closed-form run's poll rounds) answers exactly as a walk from the root, in any order.
        var t = Timeline(seed, perDay, spanNs: 30 * DayNs);
        var path = new CeTimeline.Path();
        path.Reset(1);
        var rng = Mca.Ecs.CounterRng.Create(seed, 0, 77);
        long at = t.StartNs;
        for (int q = 0; q < 3_000; q++)
        {
            // Mostly forward by poll-like steps, sometimes a jump anywhere.
            at = q % 50 == 0 ? t.StartNs + rng.NextLong(30 * DayNs) : at + 1 + rng.NextLong(16_000_000_000);
            Assert.Equal(t.CountBefore(at), t.CountBefore(at, path));
            if (t.Total > 0)
            {
                long k = rng.NextLong(t.Total);
                Assert.Equal(t.TimeOf(k), t.TimeOf(k, path));
            }
        }
    }

    [Theory]
    [InlineData(8UL, 50_000.0, 1_000_000L, 3L)]
    [InlineData(9UL, 1_000_000.0, 1_000_000L, 4L)]
    [InlineData(10UL, 1_000_000.0, 50_000_000L, 20L)]
    [InlineData(11UL, 5_000_000.0, 1_000_000L, 39L)]
    public void DenseAt_NeverMissesACrowd(ulong seed, double perDay, long windowNs, long k)
    {
        // Brute force over every error: the first i with k errors within windowNs (t[i + k - 1] - t[i] < windowNs).
        // DenseAt may name an earlier place (it is conservative), never a later one, and names none only if there is none.
        var t = Timeline(seed, perDay, spanNs: DayNs / 4);
        var times = new long[t.Total];
        for (long i = 0; i < t.Total; i++)
        {
            times[i] = t.TimeOf(i);
        }

        long first = long.MaxValue;
        for (long i = 0; i + k - 1 < times.Length; i++)
        {
            if (times[i + k - 1] - times[i] < windowNs)
            {
                first = times[i];
                break;
            }
        }

        long named = t.DenseAt(t.StartNs, t.EndNs, windowNs, k);
        Assert.True(named <= first, $"DenseAt named {named}, after the first crowd at {first}");
        if (named != long.MaxValue)
        {
            // A false alarm is allowed, but the pair of blocks it names holds k errors.
            long block = 1L << (int)Math.Ceiling(Math.Log2(windowNs));
            long inPair = t.CountBefore(named + (2 * block)) - t.CountBefore(named);
            Assert.True(inPair >= k, $"the blocks at {named} hold {inPair} errors, fewer than {k}");
        }

        // And within a range that ends before the first crowd, there is none to name only if DenseAt agrees.
        if (first != long.MaxValue && first > t.StartNs + 1)
        {
            Assert.True(t.DenseAt(t.StartNs, first, windowNs, k) <= first);
        }
    }
}
