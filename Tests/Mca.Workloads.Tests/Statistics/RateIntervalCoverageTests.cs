using Mca.Ecs;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Tests.Statistics;

/// <summary>
/// Coverage by simulation (docs/statistics.md): how often the 95% interval of a fleet's rate per
/// machine-year holds the true rate, over 2,000 fleets drawn from a known clustered model. One binomial
/// standard error of a 95% coverage over 2,000 fleets is 0.49 %, so 93..97 % is a band of about three.
/// Every fleet's stream is keyed by (seed 17, fleet index), so the counts are fixed.
/// </summary>
public sealed class RateIntervalCoverageTests
{
    private const int Fleets = 2000;

    [Fact]
    public void Interval_NegativeBinomialFleet_CoversNearNominal()
    {
        // Per machine a gamma rate of shape 0.5 (variance 8 against mean 2: strongly clustered).
        var (coverage, _) = Coverage(machines: 200, mean: 2, shape: 0.5, zeroShare: 0);
        Assert.InRange(coverage, 0.93, 0.97);
    }

    [Fact]
    public void Interval_ZeroInflatedFleet_CoversNearNominal()
    {
        // 80 % of machines never fail; the rest fail at 5 per machine-year.
        var (coverage, _) = Coverage(machines: 200, mean: 1, shape: double.PositiveInfinity, zeroShare: 0.8);
        Assert.InRange(coverage, 0.93, 0.97);
    }

    [Fact]
    public void Interval_ClusteredLowRateFleet_CoversNearNominal()
    {
        // About 10 events in a fleet of 100, half the machines immune, the rest gamma of shape 0.3.
        var (coverage, _) = Coverage(machines: 100, mean: 0.1, shape: 0.3, zeroShare: 0.5);
        Assert.InRange(coverage, 0.93, 0.97);
    }

    [Fact]
    public void Interval_PoissonLowRateFleet_CoversAtLeastNominal()
    {
        // About 8 events over 400 machines: the exact Garwood interval is conservative by construction
        // (at least 95 % for every Poisson mean; about 97 % at a mean of 8), so the band is 95..99 %.
        var (coverage, _) = Coverage(machines: 400, mean: 0.02, shape: double.PositiveInfinity, zeroShare: 0);
        Assert.InRange(coverage, 0.95, 0.99);
    }

    [Fact]
    public void OldWilsonOnCounts_ClusteredFleets_FailsCoverage()
    {
        // The interval the campaign printed before: Wilson on min(count, machine-years) of machine-years.
        var (_, nb) = Coverage(machines: 200, mean: 2, shape: 0.5, zeroShare: 0);
        var (_, zeroInflated) = Coverage(machines: 200, mean: 1, shape: double.PositiveInfinity, zeroShare: 0.8);
        var (_, lowRate) = Coverage(machines: 100, mean: 0.1, shape: 0.3, zeroShare: 0.5);
        Assert.Equal(0, nb); // a proportion's bounds never exceed 1 per machine-year
        Assert.InRange(zeroInflated, 0, 0.6);
        Assert.InRange(lowRate, 0, 0.9);
    }

    /// <summary>The share of fleets whose interval holds the true mean: the quasi-Poisson interval's and the old Wilson-on-counts one's.</summary>
    private static (double Covered, double OldCovered) Coverage(int machines, double mean, double shape, double zeroShare)
    {
        int covered = 0, oldCovered = 0;
        for (int fleet = 0; fleet < Fleets; fleet++)
        {
            var rng = CounterRng.Create(17, (ulong)fleet, 1);
            var sums = default(CountSums);
            for (int m = 0; m < machines; m++)
            {
                sums.Add(ClusteredCounts.Draw(ref rng, mean, shape, zeroShare));
            }

            // Each machine is observed for one year, so the exposure is the number of machines.
            var (_, low, high, _) = RateInterval.Interval(sums, machines);
            covered += low <= mean && mean <= high ? 1 : 0;
            var (oldLow, oldHigh) = Wilson.Interval(Math.Min(sums.Total, machines), machines);
            oldCovered += oldLow <= mean && mean <= oldHigh ? 1 : 0;
        }

        return (covered / (double)Fleets, oldCovered / (double)Fleets);
    }
}
