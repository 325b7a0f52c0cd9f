using Mca.Ecs;

namespace Mca.Workloads.Field;

/// <summary>
/// The per-fault corrected-error rate: a Pareto distribution truncated at a maximum rate, whose shape and
/// scale are solved (bisection, with <see cref="DetMath"/>) so that its median and its mean over median
/// match the parameters (Meza 2015: Pareto, mean about 55x median; a heavy-tailed rate per fault is a model choice).
/// </summary>
internal sealed class CeIntensity
{
    private const double ShapeMin = 0.05;
    private const double ShapeMax = 20.0;

    public CeIntensity(double medianPerDay, double meanToMedian, double maxPerDay)
    {
        if (!(medianPerDay > 0) || !(meanToMedian > 1) || !(maxPerDay > medianPerDay))
        {
            throw new ArgumentException(
                $"CE intensity: expected median > 0, mean/median > 1 and max > median, found median {medianPerDay}, mean/median {meanToMedian}, max {maxPerDay}");
        }

        MedianPerDay = medianPerDay;
        MaxPerDay = maxPerDay;
        // The ratio falls as the shape rises; bisection on a fixed number of steps is deterministic.
        double low = ShapeMin;
        double high = ShapeMax;
        for (int step = 0; step < 100; step++)
        {
            double mid = 0.5 * (low + high);
            if (Ratio(mid, out _) > meanToMedian)
            {
                low = mid;
            }
            else
            {
                high = mid;
            }
        }

        Shape = 0.5 * (low + high);
        AchievedMeanToMedian = Ratio(Shape, out double scale);
        ScalePerDay = scale;
        TailMass = DetMath.Pow(ScalePerDay / MaxPerDay, Shape);
    }

    /// <summary>Pareto shape alpha.</summary>
    public double Shape { get; }

    /// <summary>Pareto scale x_m (the smallest rate), CEs per day.</summary>
    public double ScalePerDay { get; }

    public double MedianPerDay { get; }
    public double MaxPerDay { get; }

    /// <summary>Mean over median of the solved distribution (equals the target unless the target is out of reach).</summary>
    public double AchievedMeanToMedian { get; }

    /// <summary>(x_m / max)^alpha: the Pareto mass above the cap that truncation removes.</summary>
    private double TailMass { get; }

    /// <summary>A rate in CEs per day (inverse of the truncated CDF).</summary>
    public double SamplePerDay(ref CounterRng rng)
    {
        double u = rng.NextDouble();
        double x = ScalePerDay * DetMath.Pow(1.0 - (u * (1.0 - TailMass)), -1.0 / Shape);
        return Math.Min(x, MaxPerDay);
    }

    /// <summary>Mean over median at shape <paramref name="shape"/>, with the scale that puts the median at <see cref="MedianPerDay"/>.</summary>
    private double Ratio(double shape, out double scale)
    {
        // Median of the truncated law: x_m (1 - (1 - (x_m/C)^a) / 2)^(-1/a) = median; a fixed point in x_m.
        scale = MedianPerDay * DetMath.Pow(2.0, -1.0 / shape);
        for (int i = 0; i < 50; i++)
        {
            double tail = DetMath.Pow(scale / MaxPerDay, shape);
            scale = MedianPerDay * DetMath.Pow(1.0 - (0.5 * (1.0 - tail)), 1.0 / shape);
        }

        double mass = 1.0 - DetMath.Pow(scale / MaxPerDay, shape);
        double mean = Math.Abs(shape - 1.0) < 1e-9
            ? scale * DetMath.Log(MaxPerDay / scale) / mass
            : shape * DetMath.Pow(scale, shape) * (DetMath.Pow(scale, 1.0 - shape) - DetMath.Pow(MaxPerDay, 1.0 - shape)) / ((shape - 1.0) * mass);
        return mean / MedianPerDay;
    }
}
