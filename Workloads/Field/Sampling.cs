using System.Diagnostics;
using Mca.Ecs;

namespace Mca.Workloads.Field;

/// <summary>
/// Variates drawn from a <see cref="CounterRng"/> with <see cref="DetMath"/> only, so each is a pure
/// function of the stream's key and position on any platform. Doubles are for sampling only; callers
/// turn times into integer nanoseconds at once.
/// </summary>
internal static class Sampling
{
    /// <summary>Below this mean, Poisson variates are exact (multiplication method); above, a rounded normal.</summary>
    internal const double PoissonExactLimit = 30.0;

    /// <summary>Bound on rejection loops: the chance of reaching it is below 2^-60.</summary>
    private const int RejectionsMax = 64;

    /// <summary>A uniform double in (0, 1].</summary>
    public static double UniformOpen(ref this CounterRng rng) => 1.0 - rng.NextDouble();

    /// <summary>An exponential variate with mean 1.</summary>
    public static double StandardExponential(ref this CounterRng rng) => -DetMath.Log(rng.UniformOpen());

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public static bool Bernoulli(ref this CounterRng rng, double p) => rng.NextDouble() < p;

    /// <summary>
    /// A Poisson variate. Exact below <see cref="PoissonExactLimit"/>; above it, the normal approximation
    /// round(mean + sqrt(mean) Z), clamped at 0, whose relative error is below 1/sqrt(mean) (the counts it
    /// feeds are a saturating 15-bit bank counter and CE totals).
    /// </summary>
    public static long Poisson(ref this CounterRng rng, double mean)
    {
        Debug.Assert(mean >= 0 && !double.IsNaN(mean), "a Poisson mean is finite and not negative");
        if (mean <= 0)
        {
            return 0;
        }

        if (mean < PoissonExactLimit)
        {
            double limit = DetMath.Exp(-mean);
            double product = rng.UniformOpen();
            long k = 0;
            // Bounded: the expected number of steps is mean + 1 < 31; 1000 is never reached in practice.
            while (product > limit && k < 1000)
            {
                k++;
                product *= rng.UniformOpen();
            }

            return k;
        }

        double value = Math.Round(mean + (Math.Sqrt(mean) * rng.StandardNormal()), MidpointRounding.ToEven);
        if (value <= 0)
        {
            return 0;
        }

        return value >= long.MaxValue / 2 ? long.MaxValue / 2 : (long)value;
    }

    /// <summary>A standard normal variate (Marsaglia's polar method).</summary>
    public static double StandardNormal(ref this CounterRng rng)
    {
        for (int attempt = 0; attempt < RejectionsMax; attempt++)
        {
            double u = (2.0 * rng.NextDouble()) - 1.0;
            double v = (2.0 * rng.NextDouble()) - 1.0;
            double s = (u * u) + (v * v);
            if (s > 0 && s < 1)
            {
                return u * Math.Sqrt(-2.0 * DetMath.Log(s) / s);
            }
        }

        return 0;
    }

    /// <summary>
    /// A Poisson variate conditioned on being at least 1: the CEs of a window known to hold one. Exact
    /// (inversion) below <see cref="PoissonExactLimit"/>, where the chance of a 0 is not negligible;
    /// above it, the normal approximation of <see cref="Poisson"/> raised to at least 1.
    /// </summary>
    public static long ZeroTruncatedPoisson(ref this CounterRng rng, double mean)
    {
        Debug.Assert(mean >= 0 && !double.IsNaN(mean), "a Poisson mean is finite and not negative");
        if (mean < 1e-12)
        {
            return 1;
        }

        if (mean >= PoissonExactLimit)
        {
            return Math.Max(1, rng.Poisson(mean));
        }

        double none = DetMath.Exp(-mean);
        double p = mean * none / (1.0 - none); // P(1 | at least 1)
        double u = rng.NextDouble();
        double cumulative = p;
        long k = 1;
        // Bounded: each step multiplies p by mean/k < 1 once k > mean; stop when p no longer moves the sum.
        while (u >= cumulative && p > cumulative * 1e-17 && k < 1000)
        {
            k++;
            p *= mean / k;
            cumulative += p;
        }

        return k;
    }

    /// <summary>
    /// Failures before the first success when each trial succeeds with probability 1/(1+mean): a geometric
    /// count with mean <paramref name="mean"/>, capped at <paramref name="cap"/>.
    /// </summary>
    public static int Geometric(ref this CounterRng rng, double mean, int cap)
    {
        if (mean <= 0)
        {
            return 0;
        }

        double value = rng.StandardExponential() / DetMath.Log((1.0 + mean) / mean);
        return value >= cap ? cap : (int)value;
    }

    /// <summary>
    /// An exponential variate with rate <paramref name="rate"/> conditioned on being below
    /// <paramref name="limit"/> (inverse of the truncated CDF).
    /// </summary>
    public static double TruncatedExponential(ref this CounterRng rng, double rate, double limit)
    {
        double mass = 1.0 - DetMath.Exp(-rate * limit);
        double value = -DetMath.Log(1.0 - (rng.NextDouble() * mass)) / rate;
        return value < limit ? value : limit * (1.0 - 1e-12);
    }

    /// <summary>An index drawn with probability proportional to <paramref name="weights"/>[i] (all non-negative, sum positive).</summary>
    public static int Weighted(ref this CounterRng rng, ReadOnlySpan<double> weights, double total)
    {
        double x = rng.NextDouble() * total;
        for (int i = 0; i < weights.Length; i++)
        {
            x -= weights[i];
            if (x < 0)
            {
                return i;
            }
        }

        // Rounding left x just above the sum: take the last non-zero weight.
        for (int i = weights.Length - 1; i >= 0; i--)
        {
            if (weights[i] > 0)
            {
                return i;
            }
        }

        return 0;
    }
}
