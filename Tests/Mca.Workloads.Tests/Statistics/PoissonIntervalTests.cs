using MathNet.Numerics;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Tests.Statistics;

/// <summary>Known values of the quantile functions and the Garwood interval, from R (qchisq, qgamma) and standard tables.</summary>
public sealed class PoissonIntervalTests
{
    [Theory]
    [InlineData(2, 0.975, 7.377759)] // R: qchisq(0.975, 2)
    [InlineData(2, 0.025, 0.05063562)] // R: qchisq(0.025, 2)
    [InlineData(1, 0.95, 3.841459)] // R: qchisq(0.95, 1)
    [InlineData(1, 0.5, 0.4549364)] // R: qchisq(0.5, 1)
    [InlineData(10, 0.975, 20.48318)] // R: qchisq(0.975, 10)
    [InlineData(10, 0.025, 3.246973)] // R: qchisq(0.025, 10)
    [InlineData(100, 0.975, 129.5612)] // R: qchisq(0.975, 100)
    [InlineData(100, 0.025, 74.22193)] // R: qchisq(0.025, 100)
    public void ChiSquareQuantile_KnownValues_MatchR(double df, double p, double expected) =>
        Assert.Equal(expected, PoissonInterval.ChiSquareQuantile(df, p), expected * 1e-6);

    [Theory]
    [InlineData(0, 0, 3.688879)] // R: qgamma(0.975, 1) = -log(0.025)
    [InlineData(1, 0.02531781, 5.571643)] // R: qgamma(0.025, 1), qgamma(0.975, 2)
    [InlineData(5, 1.623486, 11.668332)] // R: qgamma(0.025, 5), qgamma(0.975, 6)
    [InlineData(10, 4.795389, 18.390356)] // R: qgamma(0.025, 10), qgamma(0.975, 11)
    public void Garwood_KnownCounts_MatchTables(double count, double low, double high)
    {
        var (l, h) = PoissonInterval.Garwood(count);
        Assert.Equal(low, l, Math.Max(low * 1e-6, 1e-12));
        Assert.Equal(high, h, high * 1e-6);
    }

    [Theory]
    [InlineData(0.5, 0.025)]
    [InlineData(0.05, 0.975)]
    [InlineData(0.3, 0.025)]
    [InlineData(2.5, 0.5)]
    [InlineData(1e4, 0.975)]
    public void GammaQuantile_AnyShape_InvertsTheRegularizedGamma(double shape, double p) =>
        Assert.Equal(p, SpecialFunctions.GammaLowerRegularized(shape, PoissonInterval.GammaQuantile(shape, p)), 1e-9);

    [Fact]
    public void Garwood_FractionalCount_LiesBetweenItsIntegerNeighbours()
    {
        var (l3, h3) = PoissonInterval.Garwood(3);
        var (l, h) = PoissonInterval.Garwood(3.5);
        var (l4, h4) = PoissonInterval.Garwood(4);
        Assert.InRange(l, l3, l4);
        Assert.InRange(h, h3, h4);
    }

    [Fact]
    public void Interval_NoEvents_IsZeroToTheRuleOfThreePointSeven()
    {
        var sums = default(CountSums);
        for (int i = 0; i < 100; i++)
        {
            sums.Add(0);
        }

        var (rate, low, high, phi) = RateInterval.Interval(sums, exposure: 50);
        Assert.Equal(0, rate);
        Assert.Equal(0, low);
        Assert.Equal(3.688879 / 50, high, 1e-6);
        Assert.Equal(1, phi);
    }

    [Fact]
    public void Interval_AllOnOneMachine_WidensByTheDispersion()
    {
        // 20 events: spread one per machine they are Poisson-like; all on one machine, φ = 20 and the
        // effective count is 1.
        var spread = default(CountSums);
        var clustered = default(CountSums);
        for (int i = 0; i < 100; i++)
        {
            spread.Add(i < 20 ? 1 : 0);
            clustered.Add(i == 0 ? 20 : 0);
        }

        var (_, sl, sh, sphi) = RateInterval.Interval(spread, 100);
        var (_, cl, ch, cphi) = RateInterval.Interval(clustered, 100);
        Assert.Equal(1, sphi);
        Assert.Equal(20, cphi, 1e-9);
        Assert.True(cl < sl && ch > sh);
        Assert.Equal(20 * 5.571643 / 100, ch, 1e-5);
    }
}
