using Mca.Ecs;

namespace Mca.Workloads.Tests.Statistics;

/// <summary>
/// Synthetic per-machine counts with a known fleet rate, drawn from the project's counter-based stream
/// (Philox), so a coverage run is the same on every machine: each machine gets a gamma-distributed rate
/// (or zero, for the zero-inflated model) and a Poisson count at that rate over one machine-year.
/// </summary>
internal static class ClusteredCounts
{
    /// <summary>Draws one machine's count: with probability <paramref name="zeroShare"/> none, else Poisson(Gamma(shape, mean/shape)).</summary>
    public static long Draw(ref CounterRng rng, double mean, double shape, double zeroShare)
    {
        if (zeroShare > 0 && rng.NextDouble() < zeroShare)
        {
            return 0;
        }

        double perMachine = mean / (1 - zeroShare);
        double lambda = double.IsPositiveInfinity(shape) ? perMachine : Gamma(ref rng, shape) * perMachine / shape;
        return Poisson(ref rng, lambda);
    }

    /// <summary>Poisson by inversion (means here stay well below 100).</summary>
    public static long Poisson(ref CounterRng rng, double lambda)
    {
        double u = rng.NextDouble();
        double p = Math.Exp(-lambda), cdf = p;
        long k = 0;
        while (u > cdf && k < 10_000)
        {
            k++;
            p *= lambda / k;
            cdf += p;
        }

        return k;
    }

    /// <summary>Gamma(shape, 1) by Marsaglia and Tsang (2000), with the U^(1/shape) boost below shape 1.</summary>
    public static double Gamma(ref CounterRng rng, double shape)
    {
        if (shape < 1)
        {
            double boost = Math.Pow(1 - rng.NextDouble(), 1 / shape);
            return Gamma(ref rng, shape + 1) * boost;
        }

        double d = shape - (1.0 / 3), c = 1 / Math.Sqrt(9 * d);
        while (true)
        {
            double x, v;
            do
            {
                x = Normal(ref rng);
                v = 1 + (c * x);
            }
            while (v <= 0);

            v = v * v * v;
            double u = 1 - rng.NextDouble();
            if (Math.Log(u) < (0.5 * x * x) + d - (d * v) + (d * Math.Log(v)))
            {
                return d * v;
            }
        }
    }

    private static double Normal(ref CounterRng rng)
    {
        double u1 = 1 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
