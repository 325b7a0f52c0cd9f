using System.Globalization;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Statistics;

namespace Mca.Replay;

/// <summary>A machine whose outcomes changed under the other policy.</summary>
public sealed record MachineChange(int Machine, MachineTally Recorded, MachineTally Replayed);

/// <summary>
/// One outcome compared machine by machine (each machine took the same inputs under both policies): how
/// many machines had more of it under the replayed policy, how many fewer, and the exact two-sided sign
/// test's p-value for "the policy makes no difference" (<see cref="SignTest"/>).
/// </summary>
public sealed record PairedChange(string Name, int More, int Fewer, double P);

/// <summary>What <see cref="ReplayRerun.Run"/> found.</summary>
/// <param name="Header">The replay's header (its policy is the recorded one).</param>
/// <param name="Policy">The policy the inputs were replayed under.</param>
/// <param name="FirstMachine">First machine replayed.</param>
/// <param name="MachineCount">Machines replayed.</param>
/// <param name="Recorded">Totals of the recorded run over those machines.</param>
/// <param name="Replayed">Totals of the replay under <paramref name="Policy"/>.</param>
/// <param name="Changes">Every machine whose outcomes changed, in machine order.</param>
/// <param name="FirstDivergence">The first handling decision that differs (null if none does).</param>
public sealed record RerunReport(
    ReplayHeader Header,
    string Policy,
    int FirstMachine,
    int MachineCount,
    CampaignCounts Recorded,
    CampaignCounts Replayed,
    IReadOnlyList<MachineChange> Changes,
    ReplayDivergence? FirstDivergence)
{
    /// <summary>Every outcome of <see cref="MachineTally"/>, in its order, compared machine by machine.</summary>
    public IReadOnlyList<PairedChange> Paired()
    {
        var names = MachineTally.Names;
        var more = new int[names.Count];
        var fewer = new int[names.Count];
        foreach (var c in Changes)
        {
            int i = 0;
            foreach (var (a, b) in c.Recorded.Fields().Zip(c.Replayed.Fields(), (a, b) => (a.Value, b.Value)))
            {
                more[i] += b > a ? 1 : 0;
                fewer[i] += b < a ? 1 : 0;
                i++;
            }
        }

        return [.. names.Select((name, i) => new PairedChange(name, more[i], fewer[i], SignTest.TwoSidedP(more[i], fewer[i])))];
    }
}

/// <summary>
/// <c>mca replay run --policy P</c>: feeds a replay's recorded inputs (every error each machine took) to
/// the handler under another policy and reports what changed: totals, and per machine the resets, vMCEs,
/// guest outcomes and losses. The same policy reproduces the recording exactly.
/// </summary>
public static class ReplayRerun
{
    public static RerunReport Run(string path, string policy, int? machine = null, int threads = 0, WorkloadCatalog? catalog = null, Action<CampaignProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var handler = HandlerPolicy.Parse(policy);
        using var reader = ReplayReader.Open(path);
        var h = reader.Header;
        if (machine is int m && !h.Holds(m))
        {
            throw new ArgumentOutOfRangeException(nameof(machine), m, string.Create(CultureInfo.InvariantCulture, $"{path} holds machines {h.FirstMachineId} to {h.FirstMachineId + (long)h.MachineCount - 1}"));
        }

        var spec = ReplaySession.LoadSpec(reader, catalog);
        var machineSpec = spec.MachineSpec();
        int first = machine ?? h.FirstMachineId;
        int count = machine is null ? h.MachineCount : 1;
        int batchSize = machine is null ? h.BatchSize : 1;

        // The same errors as recorded: the workload's source is a pure function of (seed, machine id), so under
        // another policy each machine meets exactly the errors it met (common random numbers).
        var options = ReplaySession.Resimulation(spec, h, threads, catalog, first, count, batchSize) with { Policy = handler };

        var recordedTally = new MachineTally[count];
        var replayedTally = new MachineTally[count];
        var recorded = default(CampaignCounts);
        // The recorded run's events: read, or re-simulated under the recorded policy beside this run (ReplayContent).
        IEnumerable<ReplayFrame> expectedFrames = machine is int only
            ? ReplayContent.Machine(reader, only, catalog, ct).Select(r => r.Frame)
            : ReplayContent.Frames(reader, catalog, threads, ct);
        using var cursor = new FrameCursor(expectedFrames, first, first + count)
        {
            OnFrame = f =>
            {
                foreach (var s in f.Machines)
                {
                    if (s.Machine >= first && s.Machine - first < count)
                    {
                        recordedTally[s.Machine - first].Add(s);
                        ReplaySession.Tally(ref recorded, s, machineSpec, h.DurationNs);
                    }
                }
            },
        };
        var (result, divergence) = ReplaySession.RunAndCompare(options, h.DurationNs, cursor, stopAtFirst: false, onOutput: (_, sections) =>
        {
            foreach (var s in sections)
            {
                replayedTally[s.Machine - first].Add(s);
            }
        }, progress: progress, ct: ct);

        var changes = new List<MachineChange>();
        for (int i = 0; i < count; i++)
        {
            if (recordedTally[i] != replayedTally[i])
            {
                changes.Add(new MachineChange(first + i, recordedTally[i], replayedTally[i]));
            }
        }

        return new RerunReport(h, handler.Name, first, count, recorded, result!.Counts, changes, divergence);
    }
}
