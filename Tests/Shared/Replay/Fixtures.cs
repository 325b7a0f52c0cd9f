using Mca.Replay;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Tests.Shared.Replay;

/// <summary>Small campaigns with a random error mix (every class of error), recorded into temporary files.</summary>
internal static class Fixtures
{
    /// <summary>The random mix: one error per machine every ~6 simulated hours.</summary>
    public const string Random = "random";

    /// <summary><c>none</c> and <see cref="Random"/>.</summary>
    public static WorkloadCatalog Catalog { get; } = CreateCatalog();

    /// <summary>A small campaign of the random mix, in daily epochs (so eight days make eight frames per batch) unless told otherwise.</summary>
    public static CampaignSpec Spec(int machines = 48, int days = 8, ulong seed = 7, string policy = "rfc2009", int batchSize = 16, int epochDays = 1) => new()
    {
        Machines = machines,
        Days = days,
        Seed = seed,
        Policy = policy,
        Workload = Random,
        BatchSize = batchSize,
        EpochDays = epochDays,
    };

    /// <summary>
    /// Runs and records <paramref name="spec"/>; <paramref name="tamper"/> may change an output before it is written. The
    /// file stores inputs and events unless <paramref name="contents"/> says otherwise (the CLI's default keeps hashes only).
    /// </summary>
    public static CampaignResult Record(string path, CampaignSpec spec, int threads = 2, Func<EpochOutput, EpochOutput>? tamper = null, ReplayContents contents = ReplayContents.All)
    {
        using var writer = ReplayWriter.Create(path, spec, Catalog, contents);
        var options = spec.ToOptions(threads, catalog: Catalog) with { Recorder = writer.Recorder };
        var result = CampaignRunner.Run(options, record: o => writer.Append(tamper is null ? o : tamper(o)));
        writer.Complete(result);
        return result;
    }

    /// <summary>Replaces the <paramref name="n"/>-th event of kind <paramref name="kind"/> seen (in output order).</summary>
    public static Func<EpochOutput, EpochOutput> ChangeEvent(HandlerEventKind kind, int n, Func<HandlerEvent, HandlerEvent> change)
    {
        int seen = 0;
        return o =>
        {
            var events = (HandlerEvent[])o.Events!.Clone();
            for (int i = 0; i < events.Length; i++)
            {
                if (events[i].Kind == kind && seen++ == n)
                {
                    events[i] = change(events[i]);
                }
            }

            return o with { Events = events };
        };
    }

    private static WorkloadCatalog CreateCatalog() => new WorkloadCatalog()
        .Add("none", "idle", (_, _) => (_, _, _) => NoErrors.Instance)
        .Add(Random, "a random mix of every error class", (machine, seed) =>
            (first, count, horizon) => new RandomErrorSource(machine, seed, first, count, horizon, 6 * 3600 * MachineSpec.NsPerSecond));
}
