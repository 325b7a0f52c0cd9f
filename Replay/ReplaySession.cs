using System.Globalization;
using Mca.Replay.Recording;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>
/// What re-simulating a replay needs: its spec (parsed from the header and checked against it), the
/// recorded inputs of any machines (checked against the machine so a crafted file cannot crash the
/// engine), and a run that compares its output with the file epoch by epoch.
/// </summary>
internal static class ReplaySession
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The header's spec; a spec this build cannot run, or one that disagrees with the header, is a format error.</summary>
    public static CampaignSpec LoadSpec(ReplayReader reader, WorkloadCatalog? catalog)
    {
        var h = reader.Header;
        CampaignSpec spec;
        try
        {
            spec = CampaignSpecYaml.Parse(h.SpecYaml, "spec", catalog);
        }
        catch (CampaignSpecException e)
        {
            throw new ReplayFormatException(reader.Path, ReplayFormat.Magic.Length, "a campaign spec this build can run in the header", e.Message);
        }

        long duration = spec.Days * CampaignOptions.DayNs;
        bool agrees = spec.Seed == h.Seed && string.Equals(spec.Policy, h.Policy, StringComparison.OrdinalIgnoreCase) && spec.Workload == h.Workload &&
            duration == h.DurationNs && h.EpochNs == spec.EpochDays * CampaignOptions.DayNs && (long)h.FirstMachineId + h.MachineCount <= spec.Machines &&
            (h.Kind != ReplayKind.Campaign || (h.FirstMachineId == 0 && h.MachineCount == spec.Machines && h.BatchSize == spec.BatchSize));
        if (!agrees)
        {
            throw new ReplayFormatException(reader.Path, ReplayFormat.Magic.Length, "a header that agrees with its spec (seed, policy, workload, machines, batch size, epoch, duration)",
                string.Create(Inv, $"seed {h.Seed}, policy {h.Policy}, workload {h.Workload}, machines {h.FirstMachineId}+{h.MachineCount}, batch {h.BatchSize}, epoch {h.EpochNs} ns, {h.DurationNs} ns against a spec of {spec.Machines} machines x {spec.Days} days in epochs of {spec.EpochDays} days"));
        }

        return spec;
    }

    /// <summary>
    /// The options that re-simulate the machines <paramref name="first"/> .. + <paramref name="count"/> of a replay
    /// (all it holds by default) in batches of <paramref name="batchSize"/>: the header's spec, epochs and polling mode, recording on, lockstep.
    /// </summary>
    public static CampaignOptions Resimulation(CampaignSpec spec, ReplayHeader h, int threads, WorkloadCatalog? catalog, int? first = null, int? count = null, int? batchSize = null) =>
        spec.ToOptions(Threads(threads), literalPolling: h.Literal, catalog: catalog) with
        {
            Recorder = BatchRecorder.Attach,
            Lockstep = true,
            EpochNs = h.EpochNs,
            FirstMachineId = first ?? h.FirstMachineId,
            Machines = count ?? h.MachineCount,
            BatchSize = batchSize ?? h.BatchSize,
        };

    /// <summary>
    /// Runs <paramref name="options"/> (recording on) and compares each epoch with <paramref name="expected"/>.
    /// <paramref name="onOutput"/> sees every output while no divergence was found; with
    /// <paramref name="stopAtFirst"/>, the run stops at the first divergent epoch (and the result is null).
    /// </summary>
    public static (CampaignResult? Result, ReplayDivergence? Divergence) RunAndCompare(
        CampaignOptions options,
        long durationNs,
        FrameCursor expected,
        bool stopAtFirst,
        Action<EpochOutput, IReadOnlyList<MachineFrame>>? onOutput = null,
        Action<CampaignProgress>? progress = null,
        Action<int>? onEpochAgreed = null,
        CancellationToken ct = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var grouper = new FrameGrouper();
        var actual = new List<MachineFrame>();
        int lastBatch = (options.Machines + options.BatchSize - 1) / options.BatchSize - 1;
        int first = options.FirstMachineId;
        int end = first + options.Machines;
        ReplayDivergence? divergence = null;
        CampaignResult? result = null;
        try
        {
            result = CampaignRunner.Run(options, progress, output =>
            {
                if (stopAtFirst && divergence is not null)
                {
                    return;
                }

                grouper.Group(output);
                var sections = grouper.ToSections(output);
                actual.AddRange(sections);
                onOutput?.Invoke(output, sections);
                if (output.Batch != lastBatch)
                {
                    return;
                }

                var want = expected.Take(output.Epoch);
                long epochEnd = Math.Min((output.Epoch + 1L) * options.EpochNs, durationNs);
                divergence ??= EpochComparer.Compare(output.Epoch, epochEnd, want, actual, first, end);
                actual.Clear();
                if (divergence is null)
                {
                    onEpochAgreed?.Invoke(output.Epoch);
                }

                if (stopAtFirst && divergence is not null)
                {
                    stop.Cancel();
                }
            }, ct: stop.Token);
        }
        catch (OperationCanceledException) when (divergence is not null && !ct.IsCancellationRequested)
        {
            return (null, divergence);
        }

        if (expected.Drain() && divergence is null)
        {
            divergence = new ReplayDivergence(-1, durationNs, -1, "frames", -1, "more frames after the last epoch", ReplayDivergence.Nothing);
        }

        return (result, divergence);
    }

    /// <summary>The totals of a re-run against the recorded ones (null when they agree).</summary>
    public static ReplayDivergence? CompareTotals(ReplayTotals recorded, CampaignResult actual, long durationNs)
    {
        var a = ReplayTotals.From(actual, recorded.Events, recorded.Inputs);
        if (a == recorded)
        {
            return null;
        }

        return new ReplayDivergence(-1, durationNs, -1, "totals", -1,
            string.Create(Inv, $"digest {recorded.Digest}, {recorded.Counts.HandlerEvents} events, {recorded.MachinesReset} machines reset"),
            string.Create(Inv, $"digest {a.Digest}, {a.Counts.HandlerEvents} events, {a.MachinesReset} machines reset"));
    }

    /// <summary>Counts one machine's events as the campaign would.</summary>
    public static void Tally(ref CampaignCounts counts, MachineFrame section, MachineSpec machine, long durationNs)
    {
        foreach (ref readonly var e in section.Events.AsSpan())
        {
            counts.Tally(in e, machine.Ser, machine.RebootDowntimeNs, durationNs);
        }
    }

    /// <summary>A worker count: the given one, or every core.</summary>
    public static int Threads(int threads) => threads > 0 ? threads : Environment.ProcessorCount;
}
