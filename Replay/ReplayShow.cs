using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>One line of a machine's timeline: an input, an event, or its end-of-epoch state hash.</summary>
public sealed record TimelineEntry(long TimeNs, int Epoch, ErrorInjection? Input, HandlerEvent? Event, ulong? StateHash);

/// <summary>A machine's timeline between two times.</summary>
public sealed record MachineTimeline(ReplayHeader Header, int Machine, long FromNs, long ToNs, IReadOnlyList<TimelineEntry> Entries, MachineTally Tally);

/// <summary>A replay's totals: recorded ones (whole run), or counted from the frames (a time range).</summary>
public sealed record ReplaySummary(ReplayHeader Header, long FromNs, long ToNs, CampaignCounts Counts, ReplayTotals Totals, long Frames, long Bytes, int MachinesWithData);

/// <summary>The machines with a given outcome between two times, in machine order, each with all its outcomes.</summary>
public sealed record OutcomeList(ReplayHeader Header, string Outcome, long FromNs, long ToNs, IReadOnlyList<(int Machine, MachineTally Tally)> Machines);

/// <summary><c>mca replay show</c>: a machine's timeline, the campaign's totals, or the machines with an outcome.</summary>
public static class ReplayShow
{
    /// <summary>The inputs, events and state hashes of <paramref name="machine"/> with <paramref name="fromNs"/> &lt;= time &lt;= <paramref name="toNs"/>, in time order (an input before the events at its instant).</summary>
    /// <remarks>A file that keeps only hashes re-simulates the machine (checked against them; <see cref="ReplayContent"/>).</remarks>
    public static MachineTimeline Machine(string path, int machine, long fromNs = 0, long toNs = long.MaxValue, WorkloadCatalog? catalog = null)
    {
        using var reader = ReplayReader.Open(path);
        var h = reader.Header;
        if (!h.Holds(machine))
        {
            throw new ArgumentOutOfRangeException(nameof(machine), machine, $"{path} holds machines {h.FirstMachineId} to {h.FirstMachineId + (long)h.MachineCount - 1}");
        }

        var entries = new List<TimelineEntry>();
        var tally = default(MachineTally);
        foreach (var (frame, s) in ReplayContent.Machine(reader, machine, catalog))
        {
            // Frames hold inputs taken in the epoch; a delayed input can be older than the epoch, so filter per item.
            if (h.EpochEndNs(frame.Epoch) < fromNs && s.Inputs.All(i => i.Error.TimeNs < fromNs))
            {
                continue;
            }

            if (h.EpochStartNs(frame.Epoch) > toNs && s.Inputs.All(i => i.Error.TimeNs > toNs))
            {
                break;
            }

            int i = 0, k = 0;
            while (i < s.Inputs.Length || k < s.Events.Length)
            {
                bool input = i < s.Inputs.Length && (k >= s.Events.Length || s.Inputs[i].Error.TimeNs <= s.Events[k].TimeNs);
                long t = input ? s.Inputs[i].Error.TimeNs : s.Events[k].TimeNs;
                bool inRange = t >= fromNs && t <= toNs;
                if (input)
                {
                    if (inRange)
                    {
                        entries.Add(new TimelineEntry(t, frame.Epoch, s.Inputs[i].Error, null, null));
                    }

                    i++;
                }
                else
                {
                    if (inRange)
                    {
                        entries.Add(new TimelineEntry(t, frame.Epoch, null, s.Events[k], null));
                        tally.Add(s.Events[k]);
                    }

                    k++;
                }
            }

            long end = h.EpochEndNs(frame.Epoch);
            if (s.StateHash is ulong hash && end >= fromNs && end <= toNs)
            {
                entries.Add(new TimelineEntry(end, frame.Epoch, null, null, hash));
            }
        }

        return new MachineTimeline(h, machine, fromNs, toNs, entries, tally);
    }

    /// <summary>What <see cref="With"/> takes besides <see cref="MachineTally.Names"/>: any outcome but routine log deliveries.</summary>
    public const string AnyOutcome = "any";

    /// <summary>
    /// The machines with at least one <paramref name="outcome"/> (a <see cref="MachineTally"/> field, or
    /// <see cref="AnyOutcome"/>) between two times: where to start taking a failure apart. Reads every frame
    /// once; only machines with data are tallied.
    /// </summary>
    public static OutcomeList With(string path, string outcome, long fromNs = 0, long toNs = long.MaxValue, WorkloadCatalog? catalog = null, int threads = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (!IsOutcome(outcome))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, $"expected {AnyOutcome} or one of {string.Join(", ", MachineTally.Names)}");
        }

        using var reader = ReplayReader.Open(path);
        var tallies = new Dictionary<int, MachineTally>();
        foreach (var f in ReplayContent.Frames(reader, catalog, threads, ct))
        {
            foreach (var s in f.Machines)
            {
                ref var tally = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(tallies, s.Machine, out _);
                foreach (ref readonly var e in s.Events.AsSpan())
                {
                    if (e.TimeNs >= fromNs && e.TimeNs <= toNs)
                    {
                        tally.Add(in e);
                    }
                }
            }
        }

        var found = tallies.Where(kv => Has(kv.Value, outcome)).Select(kv => (kv.Key, kv.Value)).OrderBy(m => m.Key).ToList();
        var h = reader.Header;
        return new OutcomeList(h, outcome, Math.Max(0, fromNs), Math.Min(toNs, h.DurationNs), found);
    }

    /// <summary>Whether <see cref="With"/> takes <paramref name="outcome"/>: <see cref="AnyOutcome"/> or one of <see cref="MachineTally.Names"/>.</summary>
    public static bool IsOutcome(string outcome) => outcome == AnyOutcome || MachineTally.Names.Contains(outcome);

    private static bool Has(MachineTally t, string outcome) =>
        outcome == AnyOutcome ? t.Fields().Any(f => f.Name != "logs_delivered" && f.Value > 0) : t.Get(outcome) > 0;

    /// <summary>The campaign's totals: as recorded for the whole run, or counted from the frames between two times.</summary>
    public static ReplaySummary Totals(string path, long fromNs = 0, long toNs = long.MaxValue, WorkloadCatalog? catalog = null, int threads = 0, CancellationToken ct = default)
    {
        using var reader = ReplayReader.Open(path);
        var h = reader.Header;
        var totals = reader.Index.Totals;
        int machines = reader.Index.MachineIds.Length;
        if (fromNs <= 0 && toNs >= h.DurationNs)
        {
            return new ReplaySummary(h, 0, h.DurationNs, totals.Counts, totals, reader.Index.Frames.Length, reader.Length, machines);
        }

        var machine = ReplaySession.LoadSpec(reader, catalog).MachineSpec();
        var counts = default(CampaignCounts);
        foreach (var f in ReplayContent.Frames(reader, catalog, threads, ct))
        {
            foreach (var s in f.Machines)
            {
                foreach (ref readonly var e in s.Events.AsSpan())
                {
                    if (e.TimeNs >= fromNs && e.TimeNs <= toNs)
                    {
                        counts.Tally(in e, machine.Ser, machine.RebootDowntimeNs, h.DurationNs);
                    }
                }
            }
        }

        return new ReplaySummary(h, Math.Max(0, fromNs), Math.Min(toNs, h.DurationNs), counts, totals, reader.Index.Frames.Length, reader.Length, machines);
    }
}
