namespace Mca.Workloads.Statistics;

/// <summary>
/// The Wilson score interval for a binomial proportion (Wilson 1927;
/// Thulin, arXiv 1303.1288: Wilson or Clopper-Pearson, never Wald). Well behaved at zero successes, where its upper bound is
/// close to the rule of three (3/n).
/// </summary>
public static class Wilson
{
    /// <summary>z for a two-sided 95% interval.</summary>
    public const double Z95 = 1.959963984540054;

    /// <summary>The interval of <paramref name="successes"/> out of <paramref name="trials"/> at the given z (95% by default).</summary>
    public static (double Low, double High) Interval(long successes, long trials, double z = Z95)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(successes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(trials);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(successes, trials);
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double denominator = 1 + (z2 / n);
        double centre = (p + (z2 / (2 * n))) / denominator;
        double half = z * Math.Sqrt((p * (1 - p) / n) + (z2 / (4 * n * n))) / denominator;
        // Clamp the rounding at the ends: 0 successes has a low of exactly 0, n successes a high of 1.
        double low = successes == 0 ? 0 : Math.Max(0, centre - half);
        double high = successes == trials ? 1 : Math.Min(1, centre + half);
        return (low, high);
    }
}
