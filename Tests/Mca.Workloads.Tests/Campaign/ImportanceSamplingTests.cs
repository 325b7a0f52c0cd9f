using Mca.Workloads.Campaign;
using Xunit.Abstractions;

namespace Mca.Workloads.Tests.Campaign;

/// <summary>
/// Importance sampling on fresh fatal CPU errors (<c>--bias fatal=K</c>, field-calibration.md §B): the likelihood-weighted
/// estimate agrees with plain Monte Carlo on a fleet large enough to see the event, and reaches a given relative error
/// with far fewer machines.
/// </summary>
public class ImportanceSamplingTests(ITestOutputHelper output)
{
    [Fact]
    public void Weighted_AgreesWithPlain_AndNeedsFewerMachines()
    {
        const int PlainMachines = 20_000, BiasedMachines = 2_000;
        var baseSpec = new CampaignSpec { Policy = "xen", Seed = 11 };
        var plain = CampaignRunner.Run((baseSpec with { Machines = PlainMachines }).ToOptions(threads: 2));
        var (biasedSpec, bias) = ImportanceBias.FatalCpu(baseSpec with { Machines = BiasedMachines, Seed = 12 }, 20);
        var biased = CampaignRunner.Run(biasedSpec.ToOptions(threads: 2) with { Bias = bias });
        Assert.Null(plain.Weighted);
        var w = biased.Weighted!;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        foreach (var outcome in new[] { CampaignOutcome.Fatal, CampaignOutcome.Resets })
        {
            var sums = plain.Sums(outcome);
            double n = sums.Machines;
            double mean = sums.Total / n;
            double plainVar = ((double)sums.SumSquares - (n * mean * mean)) / (n - 1);
            double plainSe = Math.Sqrt(plainVar / n);
            var (total, se) = w.Of(outcome).Estimate();
            double isMean = total / BiasedMachines, isSe = se / BiasedMachines;
            double z = (isMean - mean) / Math.Sqrt((plainSe * plainSe) + (isSe * isSe));
            // Machines each method needs for the same relative error: N x RE^2 is constant in N.
            double plainNeed = PlainMachines * Math.Pow(plainSe / mean, 2);
            double isNeed = BiasedMachines * Math.Pow(isSe / isMean, 2);
            output.WriteLine(string.Create(inv, $"{outcome}: plain {mean * 1000:F2} +- {plainSe * 1000:F2} per 1,000 machines; weighted {isMean * 1000:F2} +- {isSe * 1000:F2}; z {z:F2}; machines for the same relative error: {plainNeed / isNeed:F1}x fewer"));
            Assert.InRange(z, -3, 3);
            Assert.True(plainNeed / isNeed > 2, $"{outcome}: importance sampling should need far fewer machines, found {plainNeed / isNeed:F2}x");
        }

        Assert.InRange(w.EffectiveMachines, BiasedMachines * 0.5, BiasedMachines);
    }

    [Fact]
    public void TwoClasses_WeightedAgreesWithPlain()
    {
        var baseSpec = new CampaignSpec { Policy = "xen", Seed = 21 };
        var plain = CampaignRunner.Run((baseSpec with { Machines = 20_000 }).ToOptions(threads: 2));
        var (spec, bias) = ImportanceBias.Cpu(baseSpec with { Machines = 6_000, Seed = 22 }, [("fatal", 10), ("llc_srao", 30)]);
        var w = CampaignRunner.Run(spec.ToOptions(threads: 2) with { Bias = bias }).Weighted!;
        foreach (var outcome in new[] { CampaignOutcome.Fatal, CampaignOutcome.Srao, CampaignOutcome.Resets })
        {
            var s = plain.Sums(outcome);
            double n = s.Machines, mean = s.Total / n;
            double plainSe = Math.Sqrt((((double)s.SumSquares - (n * mean * mean)) / (n - 1)) / n);
            var (total, se) = w.Of(outcome).Estimate();
            double z = ((total / 6_000) - mean) / Math.Sqrt((plainSe * plainSe) + Math.Pow(se / 6_000, 2));
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{outcome}: plain {mean * 1000:F2}, weighted {total / 6:F2} per 1,000 machines, z {z:F2}"));
            Assert.InRange(z, -3, 3);
        }
    }

    [Fact]
    public void Weight_IsTheLikelihoodRatio()
    {
        var bias = new ImportanceBias([new BiasedClass("fatal", 3, 10, 0.02)]);
        var none = default(CpuPrimaryCounts);
        var two = default(CpuPrimaryCounts);
        two[3] = 2;
        two[0] = 7; // an unbiased class does not enter the ratio
        Assert.Equal(Math.Exp(9 * 0.02), bias.Weight(in none), 12);
        Assert.Equal(Math.Exp(9 * 0.02) / 100, bias.Weight(in two), 12);
        // The weights' mean under the biased Poisson law is 1: sum over n of P_K(n) w(n).
        double mean = 0, p = Math.Exp(-10 * 0.02);
        for (int k = 0; k < 20; k++)
        {
            var c = default(CpuPrimaryCounts);
            c[3] = k;
            mean += p * bias.Weight(in c);
            p *= 10 * 0.02 / (k + 1);
        }

        Assert.Equal(1, mean, 10);
        // Two classes: the product of their ratios.
        var both = new ImportanceBias([new BiasedClass("fatal", 3, 10, 0.02), new BiasedClass("llc_srao", 2, 4, 0.01)]);
        var c2 = default(CpuPrimaryCounts);
        c2[3] = 1;
        c2[2] = 1;
        Assert.Equal(Math.Exp((9 * 0.02) + (3 * 0.01)) / 40, both.Weight(in c2), 12);
    }
}
