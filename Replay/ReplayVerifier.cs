using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>What <see cref="ReplayVerifier.Verify"/> found.</summary>
/// <param name="Header">The replay's header.</param>
/// <param name="Divergence">The first difference between the file and the re-simulation; null if identical.</param>
/// <param name="Frames">Frames in the file.</param>
/// <param name="Events">Handler events in the file.</param>
/// <param name="Inputs">Inputs in the file.</param>
public sealed record VerifyReport(ReplayHeader Header, ReplayDivergence? Divergence, long Frames, long Events, long Inputs)
{
    public bool Identical => Divergence is null;

    /// <summary>Whether the file was written by this engine version (a different one may legitimately diverge).</summary>
    public bool SameEngine => Header.EngineVersion == ReplayFormat.EngineVersion;
}

/// <summary>
/// <c>mca replay verify</c>: re-simulates a replay from its header and compares every frame (inputs,
/// events, state hashes) and the totals. A campaign replay re-runs its spec, workload included; an
/// extracted replay re-runs its one machine from the same spec (docs/replay-format.md "Verification").
/// </summary>
public static class ReplayVerifier
{
    public static VerifyReport Verify(string path, int threads = 0, WorkloadCatalog? catalog = null, Action<CampaignProgress>? progress = null, CancellationToken ct = default)
    {
        using var reader = ReplayReader.Open(path);
        var h = reader.Header;
        var spec = ReplaySession.LoadSpec(reader, catalog);
        // A campaign re-runs its spec, workload included; an extract its machines under their fleet ids (the workload's
        // errors are a pure function of (seed, machine id), so the spec's own source gives them exactly what they met).
        var options = ReplaySession.Resimulation(spec, h, threads, catalog);

        using var cursor = new FrameCursor(reader.ReadFrames());
        var (result, divergence) = ReplaySession.RunAndCompare(options, h.DurationNs, cursor, stopAtFirst: true, progress: progress, ct: ct);
        if (divergence is null && result is not null)
        {
            divergence = ReplaySession.CompareTotals(reader.Index.Totals, result, h.DurationNs);
        }

        var t = reader.Index.Totals;
        return new VerifyReport(h, divergence, reader.Index.Frames.Length, t.Events, t.Inputs);
    }
}
