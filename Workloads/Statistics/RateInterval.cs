namespace Mca.Workloads.Statistics;

/// <summary>
/// A rate per unit of exposure (per machine-year) with a confidence interval that holds when counts
/// cluster on machines (docs/statistics.md): quasi-Poisson (Wedderburn 1974) with the exact Garwood
/// interval. The fleet total T is treated as φ times a Poisson count of mean T/φ, where
/// φ = max(1, between-machine variance / mean); the Garwood interval of the effective count T/φ is scaled
/// back by φ and divided by the exposure. With φ = 1 (Poisson-like or no events) it is the exact Poisson
/// interval; for many events it tends to T ± 1.96 √(n s²), the per-machine-mean interval.
/// </summary>
public static class RateInterval
{
    /// <summary>The method's name in the JSON report.</summary>
    public const string Method = "quasi-poisson-garwood";

    /// <summary>
    /// The rate Σx / exposure and its interval at the given confidence, where every machine was observed
    /// for the same time and <paramref name="exposure"/> is the fleet's total (machine-years).
    /// </summary>
    public static (double Rate, double Low, double High, double Dispersion) Interval(in CountSums sums, double exposure, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(exposure);
        double phi = sums.Dispersion;
        var (low, high) = PoissonInterval.Garwood(sums.Total / phi, confidence);
        return (sums.Total / exposure, low * phi / exposure, high * phi / exposure, phi);
    }
}
