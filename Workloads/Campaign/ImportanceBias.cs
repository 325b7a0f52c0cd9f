namespace Mca.Workloads.Campaign;

/// <summary>
/// Importance sampling on an arrival class (field-calibration.md §B): the class's Poisson rate was multiplied by
/// <see cref="Factor"/> (K), so a machine that drew n of its arrivals over an unbiased expected count L
/// (<see cref="ExposurePerMachine"/>) has the likelihood ratio <c>w = K^-n e^((K-1) L)</c>, and
/// <c>sum w x / N</c> estimates the plain mean of any outcome x without bias.
/// </summary>
public sealed record ImportanceBias(string Class, double Factor, double ExposurePerMachine)
{
    /// <summary>The field workload with its fresh fatal CPU errors at <paramref name="factor"/> times their rate, and the bias to weight it by.</summary>
    public static (CampaignSpec Spec, ImportanceBias Bias) FatalCpu(CampaignSpec spec, double factor)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var p = spec.ParametersOf<Field.FieldParameters>("field");
        var machine = spec.MachineSpec();
        // The class's unbiased expected count over the run: cores x rate per core-year x years (FieldModel's weight).
        double exposure = machine.SocketCount * machine.CoresPerSocket * p.CpuFatalPerCoreYear * (spec.Days / 365.0);
        return (spec.WithParameters("field", p with { CpuFatalPerCoreYear = p.CpuFatalPerCoreYear * factor }), new ImportanceBias("fatal", factor, exposure));
    }

    /// <summary>The weight of a machine with <paramref name="arrivals"/> arrivals of the class.</summary>
    public double Weight(int arrivals) => Math.Exp((-arrivals * Math.Log(Factor)) + ((Factor - 1) * ExposurePerMachine));
}

/// <summary>One outcome's importance-weighted sums over machines: <c>sum w x</c>, <c>sum (w x)^2</c>.</summary>
public struct WeightedSums
{
    public long Machines;
    public double SumWx;
    public double SumWx2;

    public void Add(double w, long x)
    {
        Machines++;
        SumWx += w * x;
        SumWx2 += w * x * (w * (double)x);
    }

    /// <summary>The estimated fleet total (N times the weighted mean) and its standard error.</summary>
    public readonly (double Total, double StandardError) Estimate()
    {
        if (Machines == 0)
        {
            return (0, 0);
        }

        double n = Machines;
        double mean = SumWx / n;
        double variance = Machines > 1 ? Math.Max(0, (SumWx2 - (n * mean * mean)) / (n - 1)) : 0;
        return (SumWx, Math.Sqrt(n * variance));
    }

    /// <summary>Standard error over the estimate (infinity when the estimate is 0).</summary>
    public readonly double RelativeError
    {
        get
        {
            var (t, se) = Estimate();
            return t > 0 ? se / t : double.PositiveInfinity;
        }
    }
}

/// <summary>The weighted estimates of a biased run, per <see cref="CampaignOutcome"/>, with the weights' effective sample size.</summary>
public sealed record ImportanceEstimates(ImportanceBias Bias, WeightedSums[] Outcomes, double SumWeights, double SumWeights2)
{
    /// <summary>Kish's effective sample size, <c>(sum w)^2 / sum w^2</c>.</summary>
    public double EffectiveMachines => SumWeights2 > 0 ? SumWeights * SumWeights / SumWeights2 : 0;

    public WeightedSums Of(CampaignOutcome outcome) => Outcomes[(int)outcome];
}
