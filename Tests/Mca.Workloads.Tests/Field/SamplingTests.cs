using Mca.Ecs;
using Mca.Workloads.Field;

namespace Mca.Workloads.Tests.Field;

/// <summary>The deterministic math and the variates the field model draws.</summary>
public class SamplingTests
{
    private static long UlpDistance(double a, double b)
    {
        long x = BitConverter.DoubleToInt64Bits(a);
        long y = BitConverter.DoubleToInt64Bits(b);
        return Math.Abs(x - y);
    }

    [Fact]
    public void DetMathLog_WithinOneUlpOfMathLog()
    {
        var rng = CounterRng.Create(1, 0, 1);
        for (int i = 0; i < 200_000; i++)
        {
            // Uniform bits over the positive finite doubles, subnormals included.
            double x = BitConverter.Int64BitsToDouble((long)(rng.NextUInt64() % 0x7FF0_0000_0000_0000UL));
            if (x == 0)
            {
                continue;
            }

            Assert.True(UlpDistance(DetMath.Log(x), Math.Log(x)) <= 1, $"log({x:R}) = {DetMath.Log(x):R}, Math.Log {Math.Log(x):R}");
        }

        for (int i = 0; i < 100_000; i++)
        {
            double x = rng.NextDouble();
            if (x > 0)
            {
                Assert.True(UlpDistance(DetMath.Log(x), Math.Log(x)) <= 1, $"log({x:R})");
            }
        }
    }

    [Fact]
    public void DetMathExp_WithinOneUlpOfMathExp()
    {
        var rng = CounterRng.Create(1, 0, 2);
        for (int i = 0; i < 200_000; i++)
        {
            double x = (rng.NextDouble() * 1450) - 740;
            Assert.True(UlpDistance(DetMath.Exp(x), Math.Exp(x)) <= 1, $"exp({x:R}) = {DetMath.Exp(x):R}, Math.Exp {Math.Exp(x):R}");
            double small = (rng.NextDouble() - 0.5) * 1e-3;
            Assert.True(UlpDistance(DetMath.Exp(small), Math.Exp(small)) <= 1, $"exp({small:R})");
        }
    }

    [Fact]
    public void DetMath_SpecialValues()
    {
        Assert.Equal(double.NegativeInfinity, DetMath.Log(0));
        Assert.True(double.IsNaN(DetMath.Log(-1)));
        Assert.Equal(double.PositiveInfinity, DetMath.Log(double.PositiveInfinity));
        Assert.Equal(0.0, DetMath.Log(1));
        Assert.Equal(1.0, DetMath.Exp(0));
        Assert.Equal(double.PositiveInfinity, DetMath.Exp(710));
        Assert.Equal(0.0, DetMath.Exp(-746));
        Assert.Equal(0.0, DetMath.Exp(double.NegativeInfinity));
        Assert.True(double.IsNaN(DetMath.Exp(double.NaN)));
        Assert.True(UlpDistance(Math.E, DetMath.Exp(1)) <= 1);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(0.3)]
    [InlineData(4.0)]
    [InlineData(29.0)]
    [InlineData(200.0)]
    [InlineData(1e6)]
    public void ZeroTruncatedPoisson_HasTheConditionalMean(double mean)
    {
        var rng = CounterRng.Create(2, 0, 3);
        const int N = 100_000;
        double sum = 0;
        for (int i = 0; i < N; i++)
        {
            long k = rng.ZeroTruncatedPoisson(mean);
            Assert.True(k >= 1);
            sum += k;
        }

        double expected = mean / (1 - Math.Exp(-mean));
        double sd = Math.Sqrt(Math.Max(expected, 1e-3) / N);
        Assert.InRange(sum / N, expected - (6 * sd) - 1e-9, expected + (6 * sd) + 1e-9);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(12.0)]
    [InlineData(90.0)]
    public void Poisson_HasItsMean(double mean)
    {
        var rng = CounterRng.Create(2, 0, 4);
        const int N = 100_000;
        double sum = 0;
        for (int i = 0; i < N; i++)
        {
            sum += rng.Poisson(mean);
        }

        double sd = Math.Sqrt(mean / N);
        Assert.InRange(sum / N, mean - (6 * sd), mean + (6 * sd));
    }

    [Fact]
    public void Geometric_HasItsMeanAndHalfAreZero()
    {
        var rng = CounterRng.Create(2, 0, 5);
        const int N = 100_000;
        int zeros = 0;
        double sum = 0;
        for (int i = 0; i < N; i++)
        {
            int k = rng.Geometric(1.0, 1000);
            zeros += k == 0 ? 1 : 0;
            sum += k;
        }

        Assert.InRange(sum / N, 0.97, 1.03);
        Assert.InRange(zeros / (double)N, 0.49, 0.51);
    }

    [Fact]
    public void TruncatedExponential_StaysBelowTheLimit()
    {
        var rng = CounterRng.Create(2, 0, 6);
        int withinTen = 0;
        for (int i = 0; i < 100_000; i++)
        {
            double d = rng.TruncatedExponential(0.18, 30);
            Assert.InRange(d, 0, 30);
            withinTen += d <= 10 ? 1 : 0;
        }

        // 0.18/day: 1 - e^-1.8 = 83.5 % within 10 days, raised slightly by the truncation at 30.
        Assert.InRange(withinTen / 100_000.0, 0.83, 0.85);
    }

    [Fact]
    public void CeIntensity_MatchesMedianAndMeanOverMedian()
    {
        var law = new CeIntensity(medianPerDay: 5, meanToMedian: 55, maxPerDay: 1e6);
        Assert.InRange(law.AchievedMeanToMedian, 54.99, 55.01);
        var rng = CounterRng.Create(3, 0, 7);
        const int N = 200_001;
        var draws = new double[N];
        for (int i = 0; i < N; i++)
        {
            draws[i] = law.SamplePerDay(ref rng);
            Assert.InRange(draws[i], law.ScalePerDay, 1e6);
        }

        Array.Sort(draws);
        Assert.InRange(draws[N / 2], 5 * 0.98, 5 * 1.02);
        // Heavy tail: the top 1 % holds most of the total.
        double total = draws.Sum();
        double top = draws.AsSpan(N - (N / 100)).ToArray().Sum();
        Assert.True(top / total > 0.5, $"the top 1 % of faults hold {top / total:P0} of the CEs");
    }
}
