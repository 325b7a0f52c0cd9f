using Mca.Workloads.Statistics;

namespace Mca.Workloads.Tests.Statistics;

/// <summary>
/// The Wilson interval's coverage of a share of machines, computed exactly (the sum of binomial
/// probabilities of the counts whose interval holds p), so no simulation noise.
/// </summary>
public sealed class WilsonCoverageTests
{
    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    public void Interval_AveragedOverShares_CoversNearNominal(int machines)
    {
        // Wilson's coverage oscillates with p (Brown, Cai and DasGupta 2001); averaged over p it sits near 95 %.
        double sum = 0;
        int points = 0;
        for (double p = 0.02; p <= 0.5; p += 0.01, points++)
        {
            sum += ExactCoverage(machines, p);
        }

        Assert.InRange(sum / points, 0.94, 0.96);
    }

    [Theory]
    [InlineData(100, 0.1)]
    [InlineData(100, 0.3)]
    [InlineData(1000, 0.01)]
    [InlineData(1000, 0.14)]
    public void Interval_OneShare_StaysWithinAFewPointsOfNominal(int machines, double p) =>
        Assert.InRange(ExactCoverage(machines, p), 0.92, 0.98);

    private static double ExactCoverage(int n, double p)
    {
        double covered = 0;
        for (int k = 0; k <= n; k++)
        {
            var (low, high) = Wilson.Interval(k, n);
            if (low <= p && p <= high)
            {
                covered += Math.Exp(LogChoose(n, k) + (k * Math.Log(p)) + ((n - k) * Math.Log(1 - p)));
            }
        }

        return covered;
    }

    private static double LogChoose(int n, int k) =>
        MathNet.Numerics.SpecialFunctions.FactorialLn(n) - MathNet.Numerics.SpecialFunctions.FactorialLn(k) - MathNet.Numerics.SpecialFunctions.FactorialLn(n - k);
}
