using MathNet.Numerics.Distributions;

namespace Mca.Workloads.Statistics;

/// <summary>
/// The exact (Garwood 1936) interval for a Poisson mean, from gamma quantiles: for a count k, the lower
/// bound is the α/2 quantile of Gamma(k, 1) (0 when k = 0) and the upper the 1 − α/2 quantile of
/// Gamma(k + 1, 1); equivalently qchisq(α/2, 2k)/2 and qchisq(1 − α/2, 2k + 2)/2. The count may be
/// fractional (an effective count, see <see cref="RateInterval"/>).
/// </summary>
internal static class PoissonInterval
{
    /// <summary>The two-sided interval for the mean of a Poisson count at the given confidence (95% by default).</summary>
    public static (double Low, double High) Garwood(double count, double confidence = 0.95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(confidence);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(confidence, 1);
        double tail = (1 - confidence) / 2;
        double low = count > 0 ? GammaQuantile(count, tail) : 0;
        double high = GammaQuantile(count + 1, 1 - tail);
        return (low, high);
    }

    /// <summary>The <paramref name="p"/> quantile of Gamma(shape, rate 1) (R's qgamma(p, shape)).</summary>
    public static double GammaQuantile(double shape, double p)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(shape);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(p);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(p, 1);
        // Shapes here are effective counts, at least about 1 whenever any event happened (all events on one
        // machine give T/φ = 1), where MathNet's inverse is checked against R; it loses lower tails below about 1e-16 (shape 0.1).
        return Gamma.InvCDF(shape, 1, p);
    }

    /// <summary>The <paramref name="p"/> quantile of the chi-square distribution (R's qchisq(p, df)).</summary>
    public static double ChiSquareQuantile(double degreesOfFreedom, double p) => 2 * GammaQuantile(degreesOfFreedom / 2, p);
}
