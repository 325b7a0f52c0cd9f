using System.Globalization;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>What <see cref="ReplayDiff.Compare"/> found.</summary>
/// <param name="A">The first replay's header.</param>
/// <param name="B">The second replay's header.</param>
/// <param name="HeaderDifferences">Settings that differ (policy, seed, ...), one line each.</param>
/// <param name="FirstMachine">First machine compared (the machines both hold).</param>
/// <param name="EndMachine">One past the last machine compared.</param>
/// <param name="Divergence">The first difference in the recorded data (A expected, B actual); null if none.</param>
public sealed record DiffReport(ReplayHeader A, ReplayHeader B, IReadOnlyList<string> HeaderDifferences, int FirstMachine, int EndMachine, ReplayDivergence? Divergence)
{
    public bool Identical => Divergence is null;
}

/// <summary>
/// <c>mca replay diff A B</c>: the first divergence between two replays, epoch by epoch over the machines
/// both hold (so a campaign and a machine extracted from it compare cleanly).
/// </summary>
public static class ReplayDiff
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <remarks>
    /// Files that keep only hashes are compared by them; where they differ, the machine is re-simulated from each file
    /// (<see cref="ReplayContent"/>) so the first differing input or event is named, as for files that store them.
    /// </remarks>
    public static DiffReport Compare(string pathA, string pathB, WorkloadCatalog? catalog = null, CancellationToken ct = default)
    {
        using var a = ReplayReader.Open(pathA);
        using var b = ReplayReader.Open(pathB);
        var ha = a.Header;
        var hb = b.Header;
        var notes = new List<string>();
        void Note(string what, object x, object y)
        {
            if (!Equals(x, y))
            {
                notes.Add(string.Create(Inv, $"{what}: {x} vs {y}"));
            }
        }

        Note("engine", ha.EngineVersion, hb.EngineVersion);
        Note("kind", Kind(ha.Kind), Kind(hb.Kind));
        Note("policy", ha.Policy, hb.Policy);
        Note("workload", ha.Workload, hb.Workload);
        Note("seed", ha.Seed, hb.Seed);
        Note("machines", Machines(ha), Machines(hb));
        Note("duration_ns", ha.DurationNs, hb.DurationNs);
        notes.AddRange(SpecDifferences(ha.SpecYaml, hb.SpecYaml));
        if (ha.EpochNs != hb.EpochNs)
        {
            throw new ArgumentException(string.Create(Inv, $"{pathA} and {pathB} cut time into different epochs ({ha.EpochNs} and {hb.EpochNs} ns): expected the same"));
        }

        int first = Math.Max(ha.FirstMachineId, hb.FirstMachineId);
        int end = (int)Math.Min(ha.FirstMachineId + (long)ha.MachineCount, hb.FirstMachineId + (long)hb.MachineCount);
        if (first >= end)
        {
            throw new ArgumentException($"{pathA} and {pathB} hold no machine in common");
        }

        using var ca = new FrameCursor(a.ReadFrames(), first, end);
        using var cb = new FrameCursor(b.ReadFrames(), first, end);
        int epochs = Math.Max(ha.EpochCount, hb.EpochCount);
        ReplayDivergence? divergence = null;
        for (int e = 0; e < epochs && divergence is null; e++)
        {
            long epochEnd = Math.Min((e + 1L) * ha.EpochNs, Math.Max(ha.DurationNs, hb.DurationNs));
            var (sa, sb) = (ca.Take(e), cb.Take(e));
            divergence = EpochComparer.Compare(e, epochEnd, sa, sb, first, end);
            if (divergence is not null && !(ha.StoresAll && hb.StoresAll))
            {
                // Hashes say which machines differ, not which differs first: each is re-simulated from both files.
                divergence = EpochComparer.DifferingMachines(e, epochEnd, sa, sb, first, end)
                    .Select(m => Itemised(a, b, m, e, epochEnd, catalog, ct))
                    .OfType<ReplayDivergence>()
                    .MinBy(d => (d.TimeNs, EpochComparer.Rank(d), d.Machine)) ?? divergence;
            }
        }

        if (divergence is null)
        {
            ca.Drain();
            cb.Drain();
        }

        return new DiffReport(ha, hb, notes, first, end, divergence);
    }

    /// <summary>Machine <paramref name="machine"/>'s first differing item in <paramref name="epoch"/>, re-simulated from each file where it keeps only hashes.</summary>
    private static ReplayDivergence? Itemised(ReplayReader a, ReplayReader b, int machine, int epoch, long epochEndNs, WorkloadCatalog? catalog, CancellationToken ct)
    {
        var sa = ReplayContent.Machine(a, machine, catalog, ct).Where(x => x.Frame.Epoch == epoch).Select(x => x.Section).ToList();
        var sb = ReplayContent.Machine(b, machine, catalog, ct).Where(x => x.Frame.Epoch == epoch).Select(x => x.Section).ToList();
        return EpochComparer.Compare(epoch, epochEndNs, sa, sb);
    }

    /// <summary>Settings of two canonical spec texts that differ (<c>batch_size: 16 vs 5</c>), beyond those the header names.</summary>
    internal static IEnumerable<string> SpecDifferences(string a, string b)
    {
        var sa = Settings(a);
        var sb = Settings(b);
        foreach (string key in sa.Keys.Concat(sb.Keys.Where(k => !sa.ContainsKey(k))))
        {
            if (key is "seed" or "policy" or "workload")
            {
                continue;
            }

            string? x = sa.GetValueOrDefault(key);
            string? y = sb.GetValueOrDefault(key);
            if (x != y)
            {
                yield return $"spec {key}: {x ?? "(none)"} vs {y ?? "(none)"}";
            }
        }
    }

    /// <summary>A canonical spec's settings by key path (<c>field.ce_rate</c> under a workload section), in text order.</summary>
    private static Dictionary<string, string> Settings(string yaml)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        string section = string.Empty;
        foreach (string raw in yaml.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Length == 0 || line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            bool nested = line.StartsWith(' ');
            string key = line[..colon].Trim();
            string value = line[(colon + 1)..].Trim();
            if (!nested)
            {
                section = value.Length == 0 ? key + "." : string.Empty;
                if (value.Length == 0)
                {
                    continue;
                }
            }

            settings.TryAdd((nested ? section : string.Empty) + key, value);
        }

        return settings;
    }

    private static string Kind(ReplayKind kind) => kind == ReplayKind.Campaign ? "campaign" : "extract";

    private static string Machines(ReplayHeader h) => h.MachineCount == 1
        ? h.FirstMachineId.ToString(Inv)
        : string.Create(Inv, $"{h.FirstMachineId}..{h.FirstMachineId + (long)h.MachineCount - 1}");
}
