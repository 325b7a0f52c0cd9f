using System.Globalization;
using Mca.Systems.Model;

namespace Mca.Workloads.Campaign;

/// <summary>
/// Everything that determines a campaign's results: fleet shape, duration, seed, policy, workload and
/// the workload's parameters. Read from a YAML spec file (<see cref="CampaignSpecYaml"/>), overridden by
/// flags, and stored in replay headers as canonical YAML. Thread count is not part of it: results do
/// not depend on it.
/// </summary>
public sealed record CampaignSpec
{
    /// <summary>Largest fleet a spec may name; <see cref="MemoryEstimate"/> refuses a smaller one that would not fit in memory.</summary>
    public const int MachinesMax = 10_000_000;

    /// <summary>Longest campaign: a century.</summary>
    public const int DaysMax = 36_500;

    private readonly IReadOnlyDictionary<string, object>? _parameters;

    public int Machines { get; init; } = 10_000;

    public int Days { get; init; } = 365;

    public ulong Seed { get; init; } = 1;

    /// <summary>Handler policy name (<see cref="HandlerPolicy.All"/>).</summary>
    public string Policy { get; init; } = "rfc2009";

    /// <summary>Workload name (<see cref="WorkloadCatalog"/>).</summary>
    public string Workload { get; init; } = "field";

    /// <summary><c>default</c> or <c>default-no-ser</c> (the default machine without MCG_SER_P).</summary>
    public string Machine { get; init; } = "default";

    /// <summary>Machines per batch: how the fleet is cut for the worker pool; results do not depend on it.</summary>
    public int BatchSize { get; init; } = 512;

    /// <summary>
    /// Simulated days per epoch: how often the workers hand their batches' outputs to the ordered consumer
    /// (progress, plot points, replay frames and state hashes). Results do not depend on it; a replay's frames
    /// do. A week, because each epoch of each batch costs a hand-over, an output and, when recording, a frame
    /// and state hashes (daily epochs measured in docs/performance.md, "Epoch length").
    /// </summary>
    public int EpochDays { get; init; } = 7;

    /// <summary>dom0's predictive page offlining (the <c>page_offline:</c> section; <c>--page-offline</c>).</summary>
    public PageOfflineSpec PageOffline { get; init; } = new();

    /// <summary>The handler policy with dom0's daemon, as the engine runs it.</summary>
    public HandlerPolicy ResolvedPolicy() => HandlerPolicy.Parse(Policy).WithDom0Daemon(PageOffline.Resolve(Policy));

    /// <summary>
    /// Parameters of each workload that has them, by workload name; a workload missing here runs with its
    /// defaults. Records are immutable: change one with <see cref="WithParameters"/>.
    /// </summary>
    public IReadOnlyDictionary<string, object> Parameters
    {
        get => _parameters ?? EmptyParameters;
        init => _parameters = value;
    }

    public static IReadOnlyList<string> MachineNames { get; } = ["default", "default-no-ser"];

    private static IReadOnlyDictionary<string, object> EmptyParameters { get; } = new Dictionary<string, object>();

    /// <summary>The parameters of <paramref name="workload"/>: as set, or the workload's defaults.</summary>
    public T ParametersOf<T>(string workload, WorkloadCatalog? catalog = null)
        where T : class
    {
        if (Parameters.TryGetValue(workload, out object? p))
        {
            return (T)p;
        }

        var entry = (catalog ?? WorkloadCatalog.Default).Find(workload) ?? throw new ArgumentException($"unknown workload '{workload}'", nameof(workload));
        return (T)(entry.Defaults?.Invoke() ?? throw new ArgumentException($"workload '{workload}' has no parameters", nameof(workload)));
    }

    /// <summary>A copy with <paramref name="workload"/>'s parameters replaced.</summary>
    public CampaignSpec WithParameters(string workload, object parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var copy = new Dictionary<string, object>(Parameters, StringComparer.Ordinal) { [workload] = parameters };
        return this with { Parameters = copy };
    }

    /// <summary>Checks every setting; throws <see cref="CampaignSpecException"/> naming the first one at fault.</summary>
    public void Validate(WorkloadCatalog? catalog = null)
    {
        catalog ??= WorkloadCatalog.Default;
        var inv = CultureInfo.InvariantCulture;
        if (Machines is < 1 or > MachinesMax)
        {
            throw new CampaignSpecException("machines", string.Create(inv, $"a number of machines from 1 to {MachinesMax:N0}"), Machines.ToString(inv));
        }

        if (Days is < 1 or > DaysMax)
        {
            throw new CampaignSpecException("days", string.Create(inv, $"a number of days from 1 to {DaysMax:N0}"), Days.ToString(inv));
        }

        if (BatchSize is < 1 or > 65_536)
        {
            throw new CampaignSpecException("batch_size", "machines per batch from 1 to 65,536", BatchSize.ToString(inv));
        }

        if (EpochDays is < 1 or > DaysMax)
        {
            throw new CampaignSpecException("epoch_days", string.Create(inv, $"days per epoch from 1 to {DaysMax:N0}"), EpochDays.ToString(inv));
        }

        if (!HandlerPolicy.All.Any(p => string.Equals(p.Name, Policy, StringComparison.OrdinalIgnoreCase)))
        {
            throw new CampaignSpecException("policy", "one of " + string.Join(", ", HandlerPolicy.All.Select(p => p.Name)), $"'{Policy}'");
        }

        PageOffline.Validate();
        if (!MachineNames.Contains(Machine))
        {
            throw new CampaignSpecException("machine", "one of " + string.Join(", ", MachineNames), $"'{Machine}'");
        }

        if (catalog.Find(Workload) is null)
        {
            throw new CampaignSpecException("workload", "one of " + string.Join(", ", catalog.Names) + " or a spec FILE.yaml", $"'{Workload}'");
        }

        foreach (var (name, parameters) in Parameters)
        {
            var entry = catalog.Find(name);
            if (entry?.Validate is null || entry.ParametersType != parameters.GetType())
            {
                throw new CampaignSpecException(name, "parameters of a workload that has them", parameters.GetType().Name);
            }

            try
            {
                entry.Validate(parameters);
            }
            catch (ParameterException e)
            {
                throw new CampaignSpecException(name + "." + e.Name, e.Expected, e.Found);
            }
            catch (ArgumentException e)
            {
                throw new CampaignSpecException(name, e.Message, "other values");
            }
        }
    }

    /// <summary>The machine every member of the fleet is.</summary>
    public MachineSpec MachineSpec() => Machine == "default-no-ser" ? Systems.Model.MachineSpec.DefaultNoSer : Systems.Model.MachineSpec.Default;

    /// <summary>The engine options of this (validated) spec.</summary>
    public CampaignOptions ToOptions(int threads, bool literalPolling = false, WorkloadCatalog? catalog = null)
    {
        catalog ??= WorkloadCatalog.Default;
        Validate(catalog);
        var machine = MachineSpec();
        var entry = catalog.Find(Workload)!;
        object? parameters = entry.ParametersType is null ? null : Parameters.TryGetValue(Workload, out object? p) ? p : entry.Defaults!();
        return new CampaignOptions
        {
            Machine = machine,
            Policy = ResolvedPolicy(),
            Machines = Machines,
            DurationNs = Days * CampaignOptions.DayNs,
            EpochNs = EpochDays * CampaignOptions.DayNs,
            Seed = Seed,
            Source = entry.Factory(machine, parameters, Seed),
            Threads = Math.Max(1, threads),
            BatchSize = BatchSize,
            LiteralPolling = literalPolling,
        };
    }
}
