using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Mca.Bench.Baselines;
using Mca.Bench.Workloads;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Scenario;
using Xunit.Abstractions;

namespace Mca.Bench.Tests.Baselines;

/// <summary>
/// The object-oriented baseline and the ECS pipeline are two implementations of one model: on the same
/// machines and error streams they must produce the same outcome summary per machine, and in fact the same
/// handler events in the same order, the same panic messages and the same number of pipeline steps.
/// </summary>
public class EquivalenceTests(ITestOutputHelper output)
{
    private const ulong Seed = 20260601;
    private const int ScenarioCount = 1000;

    private static readonly HandlerPolicy[] Policies = [HandlerPolicy.Rfc2009, HandlerPolicy.Xen, HandlerPolicy.Rfc2009Impacted];

    [Fact]
    public void RandomScenarios_BaselineMatchesEcs()
    {
        // Scenario i runs on machine shape i % shapes under policy (i / shapes) % policies; the scenarios of
        // one (shape, policy) pair are the machines of one batch (and one fleet), each with its own errors.
        var specs = ScenarioMachines.All;
        var groups = new Dictionary<(int Spec, int Policy), List<int>>();
        for (int i = 0; i < ScenarioCount; i++)
        {
            var key = (i % specs.Count, i / specs.Count % Policies.Length);
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }

            list.Add(i);
        }

        var coverage = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var failures = new List<string>();
        foreach (var ((s, p), scenarios) in groups.OrderBy(g => g.Key))
        {
            var spec = specs[s];
            var errors = scenarios.Select(i => RandomScenario.Generate(Seed, i, spec)).ToList();
            long end = errors.Max(l => l[^1].TimeNs) + spec.RebootDowntimeNs + (4 * 60 * MachineSpec.NsPerSecond) + (60 * MachineSpec.NsPerSecond);
            var batch = MachineBatches.Create(spec, Policies[p], 0, scenarios.Count, Seed, Source(errors));
            var fleet = new ObjectFleet(spec, Policies[p], 0, scenarios.Count, Seed, Source(errors));
            batch.RunUntil(end);
            fleet.RunUntil(end);
            var ecs = ByMachine(batch.Events.Events, scenarios.Count);
            var oo = ByMachine(CollectionsMarshal.AsSpan(fleet.Events), scenarios.Count);
            for (int m = 0; m < scenarios.Count && failures.Count < 5; m++)
            {
                string? mismatch = Compare(ecs[m], batch.Handler.PanicMessages[m], oo[m], fleet.Machines[m].PanicMessage);
                if (mismatch is not null)
                {
                    failures.Add($"scenario {scenarios[m]} (seed {Seed}, machine '{spec.Name}', policy {Policies[p].Name}):\n{mismatch}");
                }
            }

            if (failures.Count == 0)
            {
                Assert.Equal(batch.HandlerInvocations, fleet.HandlerInvocations);
            }

            foreach (var e in batch.Events.Events)
            {
                string kind = e.Kind.ToString();
                coverage[kind] = coverage.GetValueOrDefault(kind) + 1;
            }
        }

        output.WriteLine("events over all scenarios: " + string.Join(", ", coverage.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
        // The scenarios must reach every path they are meant to compare.
        foreach (var kind in new[] { "Reset", "Rebooted", "VmceInjected", "GuestOutcome", "DomainCrashed", "DomainRestarted", "PageOffline", "Dom0Logged", "LogLost", "CmciRaised", "PollFound", "McerResult" })
        {
            Assert.True(coverage.GetValueOrDefault(kind) > 10, $"the scenarios produce few {kind} events ({coverage.GetValueOrDefault(kind)})");
        }
    }

    [Theory]
    [InlineData("rfc2009")]
    [InlineData("xen")]
    public void SyntheticFleet_BaselineMatchesEcs(string policy)
    {
        // The benchmark workload: 200 machines for 30 days of the heavy synthetic mix.
        const int Machines = 200;
        long horizon = 30 * 86_400L * MachineSpec.NsPerSecond;
        long gap = 3600 * MachineSpec.NsPerSecond;
        var spec = MachineSpec.Default;
        var batch = MachineBatches.Create(spec, HandlerPolicy.Parse(policy), 0, Machines, Seed, new SyntheticErrorSource(spec, Seed, 0, Machines, horizon, gap));
        var fleet = new ObjectFleet(spec, HandlerPolicy.Parse(policy), 0, Machines, Seed, new SyntheticErrorSource(spec, Seed, 0, Machines, horizon, gap));
        batch.RunUntil(horizon);
        fleet.RunUntil(horizon);
        var ecs = ByMachine(batch.Events.Events, Machines);
        var oo = ByMachine(CollectionsMarshal.AsSpan(fleet.Events), Machines);
        for (int m = 0; m < Machines; m++)
        {
            Assert.Null(Compare(ecs[m], batch.Handler.PanicMessages[m], oo[m], fleet.Machines[m].PanicMessage));
        }

        Assert.Equal(batch.HandlerInvocations, fleet.HandlerInvocations);
        Assert.True(batch.HandlerInvocations > 100_000, $"the workload is heavy ({batch.HandlerInvocations} steps)");
    }

    private static ListErrorSource Source(List<List<ErrorInjection>> errors) =>
        new(errors.Count, errors.SelectMany((list, m) => list.Select(e => (m, e))));

    /// <summary>Each machine's events in order (machine ids start at 0 in these runs).</summary>
    private static List<HandlerEvent>[] ByMachine(ReadOnlySpan<HandlerEvent> events, int machines)
    {
        var lists = new List<HandlerEvent>[machines];
        for (int m = 0; m < machines; m++)
        {
            lists[m] = [];
        }

        foreach (ref readonly var e in events)
        {
            lists[e.Machine].Add(e);
        }

        return lists;
    }

    /// <summary>Null when a machine did the same in both implementations, else the first difference.</summary>
    private static string? Compare(List<HandlerEvent> ecs, string? ecsPanic, List<HandlerEvent> oo, string? ooPanic)
    {
        var a = OutcomeSummary.Of(ecs, ecsPanic);
        var b = OutcomeSummary.Of(oo, ooPanic);
        var text = new StringBuilder();
        if (a != b)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  summary ECS:      {a}");
            text.AppendLine(CultureInfo.InvariantCulture, $"  summary baseline: {b}");
        }

        int n = Math.Min(ecs.Count, oo.Count);
        int first = Enumerable.Range(0, n).FirstOrDefault(i => ecs[i] != oo[i], -1);
        if (first < 0 && ecs.Count != oo.Count)
        {
            first = n;
        }

        if (first >= 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  first different event #{first} of {ecs.Count} (ECS) / {oo.Count} (baseline):");
            for (int i = Math.Max(0, first - 3); i <= first; i++)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"    ECS      {(i < ecs.Count ? ecs[i].ToString() : "(none)")}");
                text.AppendLine(CultureInfo.InvariantCulture, $"    baseline {(i < oo.Count ? oo[i].ToString() : "(none)")}");
            }
        }

        return text.Length == 0 ? null : text.ToString();
    }
}
