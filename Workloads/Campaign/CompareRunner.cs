using MathNet.Numerics.Distributions;
using Mca.Ecs;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Campaign;

/// <summary>
/// One outcome compared between a baseline arm and another arm, machine by machine: the exact sums of the per-machine
/// differences <c>d = x(arm) - x(baseline)</c>, and how many machines went each way (docs/statistics.md "Paired comparisons").
/// </summary>
public struct PairedSums
{
    public long Machines;
    public long Baseline;
    public long Arm;
    public Int128 SumSquares;
    public long More;
    public long Fewer;

    public void Add(long baseline, long arm)
    {
        long d = arm - baseline;
        Machines++;
        Baseline += baseline;
        Arm += arm;
        SumSquares += (Int128)d * d;
        More += d > 0 ? 1 : 0;
        Fewer += d < 0 ? 1 : 0;
    }

    /// <summary>The difference of the totals, <c>sum d</c>.</summary>
    public readonly long Difference => Arm - Baseline;

    /// <summary>
    /// The paired 95 % interval of the difference of the totals: <c>sum d +- t(0.975, n - 1) sqrt(n s^2)</c>, with
    /// <c>s^2</c> the sample variance of the per-machine differences (a t interval on the mean difference, scaled by n).
    /// </summary>
    public readonly (double Low, double High) Interval(double confidence = 0.95)
    {
        if (Machines < 2)
        {
            return (Difference, Difference);
        }

        double n = Machines;
        double mean = Difference / n;
        double variance = Math.Max(0, ((double)SumSquares - (n * mean * mean)) / (n - 1));
        double t = StudentT.InvCDF(0, 1, n - 1, 1 - ((1 - confidence) / 2));
        double half = t * Math.Sqrt(n * variance);
        return (Difference - half, Difference + half);
    }

    /// <summary>The exact two-sided sign test's p-value over the machines that changed.</summary>
    public readonly double SignP => SignTest.TwoSidedP(More, Fewer);
}

/// <summary>What <see cref="CompareRunner.Run"/> found: each arm's result, and each arm against the first, per outcome.</summary>
/// <param name="Arms">Each arm's result, exactly a plain campaign's with its settings (digest included).</param>
/// <param name="Paired">Per arm after the first, per <see cref="CampaignOutcome"/>: the paired sums against arm 0.</param>
public sealed record CompareResult(CampaignResult[] Arms, PairedSums[][] Paired);

/// <summary>
/// <c>mca compare</c>: every machine runs under each arm in the same pass, on the same worker, one arm after the other,
/// so it meets the same error draws in each (common random numbers: a machine's errors are keyed by the seed and its
/// id), and the arms are compared machine by machine. Memory is the streaming campaign's: one world per thread.
/// </summary>
public static class CompareRunner
{
    private static readonly int OutcomeCount = Enum.GetValues<CampaignOutcome>().Length;

    public static CompareResult Run(IReadOnlyList<CampaignOptions> arms, Action<CampaignProgress>? progress = null, Action<BatchResult[]>? batchDone = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (arms.Count < 2)
        {
            throw new ArgumentException("a comparison needs at least two arms", nameof(arms));
        }

        var first = arms[0];
        foreach (var o in arms)
        {
            o.Validate();
            if (o.Machines != first.Machines || o.DurationNs != first.DurationNs || o.EpochNs != first.EpochNs || o.BatchSize != first.BatchSize || o.Seed != first.Seed || o.FirstMachineId != first.FirstMachineId)
            {
                throw new ArgumentException("the arms must share machines, days, seed, batch size and epochs", nameof(arms));
            }
        }

        int count = CampaignRunner.BatchCount(first);
        int threads = Math.Max(1, first.Threads);
        var builders = arms.Select(o => new CampaignResultBuilder(o)).ToArray();
        var paired = new PairedSums[arms.Count - 1][];
        for (int a = 0; a < paired.Length; a++)
        {
            paired[a] = new PairedSums[OutcomeCount];
        }

        long machineEpochs = (long)first.Machines * first.EpochCount;
        BatchStream.Run(count, threads, window: 4 * threads, (b, token) =>
        {
            var results = new BatchResult[arms.Count];
            for (int a = 0; a < arms.Count; a++)
            {
                results[a] = CampaignRunner.RunBatch(arms[a], b, token);
            }

            return results;
        }, (b, results) =>
        {
            for (int a = 0; a < results.Length; a++)
            {
                builders[a].Add(results[a]);
            }

            batchDone?.Invoke(results);

            var baseline = results[0].Machines;
            for (int a = 1; a < results.Length; a++)
            {
                var arm = results[a].Machines;
                var sums = paired[a - 1];
                for (int m = 0; m < baseline.Length; m++)
                {
                    for (int o = 0; o < sums.Length; o++)
                    {
                        sums[o].Add(baseline[m].Value((CampaignOutcome)o), arm[m].Value((CampaignOutcome)o));
                    }
                }
            }

            var b0 = builders[0];
            progress?.Invoke(new CampaignProgress(b0.MachinesAdded * (long)first.EpochCount, machineEpochs, b0.MachinesAdded, first.DurationNs, b0.Total.HandlerEvents, b0.Total));
        }, ct);

        return new CompareResult([.. builders.Select(x => x.Build())], paired);
    }
}
