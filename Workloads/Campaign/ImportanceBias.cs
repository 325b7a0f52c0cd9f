namespace Mca.Workloads.Campaign;

/// <summary>One biased class: its name, its index among the CPU error classes, the factor K and its unbiased expected count per machine L.</summary>
public sealed record BiasedClass(string Name, int CpuClass, double Factor, double ExposurePerMachine);

/// <summary>
/// Importance sampling on arrival classes (field-calibration.md §B): each class's Poisson rate was multiplied by its
/// factor K, so a machine that drew n of its arrivals over an unbiased expected count L has, per class, the likelihood
/// ratio <c>K^-n e^((K-1) L)</c>, and its weight is their product (the classes are independent Poisson streams); then
/// <c>sum w x / N</c> estimates the plain mean of any outcome x without bias.
/// </summary>
public sealed record ImportanceBias(IReadOnlyList<BiasedClass> Classes)
{
    /// <summary>The field workload's CPU error classes that can be biased, with their rate parameter and unit.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["cpu_corrected", "llc_ucna", "llc_srao", "fatal"];

    /// <summary>Names and factors, e.g. "fatal x 20, llc_srao x 5".</summary>
    public string Describe() => string.Join(", ", Classes.Select(c => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{c.Name} x {c.Factor:G4}")));

    /// <summary>
    /// The field workload with each named class's fresh CPU errors at its factor times their rate, and the bias to weight
    /// it by. Class names are <see cref="ClassNames"/>.
    /// </summary>
    public static (CampaignSpec Spec, ImportanceBias Bias) Cpu(CampaignSpec spec, IReadOnlyList<(string Name, double Factor)> biases)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(biases);
        var p = spec.ParametersOf<Field.FieldParameters>("field");
        var machine = spec.MachineSpec();
        double years = spec.Days / 365.0;
        int cores = machine.SocketCount * machine.CoresPerSocket;
        var classes = new List<BiasedClass>();
        foreach (var (name, k) in biases)
        {
            // Each class's unbiased expected count over the run: its rate per core or socket-year x cores or sockets x years (FieldModel's weights).
            switch (name)
            {
                case "cpu_corrected":
                    classes.Add(new BiasedClass(name, 0, k, cores * p.CpuCorrectedPerCoreYear * years));
                    p = p with { CpuCorrectedPerCoreYear = p.CpuCorrectedPerCoreYear * k };
                    break;
                case "llc_ucna":
                    classes.Add(new BiasedClass(name, 1, k, machine.SocketCount * p.LlcUcnaPerSocketYear * years));
                    p = p with { LlcUcnaPerSocketYear = p.LlcUcnaPerSocketYear * k };
                    break;
                case "llc_srao":
                    classes.Add(new BiasedClass(name, 2, k, machine.SocketCount * p.LlcSraoPerSocketYear * years));
                    p = p with { LlcSraoPerSocketYear = p.LlcSraoPerSocketYear * k };
                    break;
                case "fatal":
                    classes.Add(new BiasedClass(name, 3, k, cores * p.CpuFatalPerCoreYear * years));
                    p = p with { CpuFatalPerCoreYear = p.CpuFatalPerCoreYear * k };
                    break;
                default:
                    throw new ArgumentException($"expected a class among {string.Join(", ", ClassNames)}, found '{name}'", nameof(biases));
            }
        }

        return (spec.WithParameters("field", p), new ImportanceBias(classes));
    }

    /// <summary>The field workload with its fresh fatal CPU errors at <paramref name="factor"/> times their rate.</summary>
    public static (CampaignSpec Spec, ImportanceBias Bias) FatalCpu(CampaignSpec spec, double factor) => Cpu(spec, [("fatal", factor)]);

    /// <summary>The weight of a machine with these fresh CPU errors per class.</summary>
    public double Weight(in CpuPrimaryCounts counts)
    {
        double log = 0;
        foreach (var c in Classes)
        {
            log += (-counts[c.CpuClass] * Math.Log(c.Factor)) + ((c.Factor - 1) * c.ExposurePerMachine);
        }

        return Math.Exp(log);
    }
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
