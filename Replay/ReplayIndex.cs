using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>Where a frame is: its record's offset and its (epoch, batch).</summary>
internal readonly record struct FrameEntry(long Offset, int Epoch, int Batch);

/// <summary>
/// The last record of a replay: every frame's offset, the frames each machine appears in (so one machine
/// is read without scanning the file), and the campaign's totals.
/// </summary>
/// <param name="Frames">Key 0: every frame in file order, which is (epoch, batch) order.</param>
/// <param name="MachineIds">Key 1 (first half of each pair): machines that appear in any frame, ascending.</param>
/// <param name="MachineFrames">Key 1 (second half): for <c>MachineIds[i]</c>, the ascending frame numbers it appears in.</param>
/// <param name="Totals">Keys 2 to 10: the totals of the run.</param>
internal sealed record ReplayIndex(FrameEntry[] Frames, int[] MachineIds, int[][] MachineFrames, ReplayTotals Totals)
{
    /// <summary>The frame numbers machine <paramref name="machine"/> appears in (empty if none).</summary>
    public ReadOnlySpan<int> FramesOf(int machine)
    {
        int i = Array.BinarySearch(MachineIds, machine);
        return i >= 0 ? MachineFrames[i] : [];
    }
}

/// <summary>The totals of a recorded run, as the campaign computed them.</summary>
/// <param name="Counts">Key 2: the campaign counts (docs/replay-format.md lists the order).</param>
/// <param name="Digest">Key 3: the campaign digest (hex XxHash128 over every machine's outcome).</param>
/// <param name="MachinesReset">Key 4.</param>
/// <param name="MachinesWithUncorrected">Key 5.</param>
/// <param name="MachinesWithVmce">Key 6.</param>
/// <param name="Dimms">Key 7.</param>
/// <param name="DimmsWithCe">Key 8.</param>
/// <param name="Events">Key 9: handler events recorded in the frames.</param>
/// <param name="Inputs">Key 10: inputs recorded in the frames.</param>
public sealed record ReplayTotals(
    CampaignCounts Counts,
    string Digest,
    int MachinesReset,
    int MachinesWithUncorrected,
    int MachinesWithVmce,
    long Dimms,
    long DimmsWithCe,
    long Events,
    long Inputs)
{
    /// <summary>The totals of a finished campaign plus what was recorded.</summary>
    public static ReplayTotals From(CampaignResult result, long events, long inputs)
    {
        ArgumentNullException.ThrowIfNull(result);
        return new ReplayTotals(result.Counts, result.Digest, result.MachinesReset, result.MachinesWithUncorrected, result.MachinesWithVmce, result.Dimms, result.DimmsWithCe, events, inputs);
    }
}
