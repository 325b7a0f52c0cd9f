using System.Buffers.Binary;
using System.IO.Hashing;
using Mca.Ecs;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Campaign;

/// <summary>
/// Runs a Monte Carlo campaign (docs/design.md "Determinism rules"): machines are
/// cut into fixed-size batches, each an independent ECS world; the worker pool steps batches epoch
/// by epoch; one consumer merges outputs in (epoch, batch) order for totals, progress and recording.
/// Same seed and options give the same result and digest for any thread count.
/// </summary>
public static class CampaignRunner
{
    public static CampaignResult Run(CampaignOptions options, Action<CampaignProgress>? progress = null, Action<EpochOutput>? record = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var batches = new List<CampaignBatch>();
        for (int first = 0, b = 0; first < options.Machines; first += options.BatchSize, b++)
        {
            batches.Add(new CampaignBatch(options, b, options.FirstMachineId + first, Math.Min(options.BatchSize, options.Machines - first)));
        }

        int epochs = options.EpochCount;
        var total = default(CampaignCounts);
        var epochCounts = default(CampaignCounts);
        int threads = Math.Max(1, options.Threads);
        BatchRunner.Run<CampaignBatch, EpochOutput>(batches, epochs, threads, channelCapacity: 64 * threads, (epoch, batch, output) =>
        {
            total.Add(output.Counts);
            epochCounts.Add(output.Counts);
            record?.Invoke(output);
            if (batch == batches.Count - 1)
            {
                long simulated = Math.Min((epoch + 1L) * options.EpochNs, options.DurationNs);
                progress?.Invoke(new CampaignProgress(epoch + 1, epochs, simulated, total.HandlerEvents, in total));
                epochCounts = default;
            }
        }, ct);

        return Summarize(options, batches, total);
    }

    private static readonly int OutcomeCount = Enum.GetValues<CampaignOutcome>().Length;

    private static CampaignResult Summarize(CampaignOptions options, List<CampaignBatch> batches, in CampaignCounts total)
    {
        var hash = new XxHash128();
        Span<byte> header = stackalloc byte[8];
        int reset = 0, withUc = 0, withVmce = 0;
        long dimms = 0, dimmsWithCe = 0;
        var sums = new CountSums[OutcomeCount];
        foreach (var b in batches)
        {
            var outcomes = b.Outcomes;
            foreach (ref readonly var m in outcomes)
            {
                reset += m.Resets > 0 ? 1 : 0;
                withUc += m.UncorrectedArrivals > 0 ? 1 : 0;
                withVmce += m.VmceInjected > 0 ? 1 : 0;
                AppendOutcome(hash, in m, header);
                for (int o = 0; o < sums.Length; o++)
                {
                    sums[o].Add(m.Value((CampaignOutcome)o));
                }
            }

            if (b.Source is IWorkloadFacts facts)
            {
                dimms += (long)facts.DimmsPerMachine * b.MachineCount;
                for (int i = 0; i < b.MachineCount; i++)
                {
                    dimmsWithCe += facts.DimmsWithCe(i);
                }
            }
        }

        return new CampaignResult
        {
            Machines = options.Machines,
            DurationNs = options.DurationNs,
            Counts = total,
            MachinesReset = reset,
            MachinesWithUncorrected = withUc,
            MachinesWithVmce = withVmce,
            Digest = Convert.ToHexStringLower(hash.GetCurrentHash()),
            Dimms = dimms,
            DimmsWithCe = dimmsWithCe,
            Outcomes = sums,
        };
    }

    /// <summary>Feeds one machine's outcome to the digest, field by field in little-endian order.</summary>
    private static void AppendOutcome(XxHash128 hash, in MachineOutcome m, Span<byte> scratch)
    {
        Span<long> fields = [m.Resets, m.MceEvents, m.UncorrectedArrivals, m.VmceInjected, m.DomainsCrashed, m.LogsDelivered, m.LogsLost, m.CorrectedErrors, (long)m.EventHash];
        foreach (long f in fields)
        {
            BinaryPrimitives.WriteInt64LittleEndian(scratch, f);
            hash.Append(scratch);
        }
    }
}
