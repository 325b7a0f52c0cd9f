using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Workloads.Field;
using Mca.Workloads.Storm;

namespace Mca.Workloads.Campaign;

/// <summary>
/// The workloads a campaign can name: for each, its parameter record (a plain record of numbers the
/// spec file's section of the same name sets, key by key in snake_case), how to validate it, and how
/// to turn it into the engine's per-batch error sources. Adding a workload is one <see cref="Add{T}"/>.
/// </summary>
public sealed class WorkloadCatalog
{
    private readonly List<WorkloadEntry> _entries = [];

    /// <summary>The built-in workloads.</summary>
    public static WorkloadCatalog Default { get; } = CreateDefault();

    public IReadOnlyList<WorkloadEntry> Entries => _entries;

    public IEnumerable<string> Names => _entries.Select(e => e.Name);

    /// <summary>Registers a workload without parameters.</summary>
    public WorkloadCatalog Add(string name, string description, Func<MachineSpec, ulong, ErrorSourceFactory> factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _entries.Add(new WorkloadEntry(name, description, null, null, null, (m, _, s) => factory(m, s)));
        return this;
    }

    /// <summary>Registers a workload whose parameters are a record of type <typeparamref name="T"/>.</summary>
    public WorkloadCatalog Add<T>(string name, string description, Func<T> defaults, Action<T> validate, Func<MachineSpec, T, ulong, ErrorSourceFactory> factory)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(defaults);
        ArgumentNullException.ThrowIfNull(validate);
        ArgumentNullException.ThrowIfNull(factory);
        _entries.Add(new WorkloadEntry(name, description, typeof(T), defaults, p => validate((T)p), (m, p, s) => factory(m, (T)p!, s)));
        return this;
    }

    public WorkloadEntry? Find(string name) => _entries.Find(e => e.Name == name);

    private static WorkloadCatalog CreateDefault() => new WorkloadCatalog()
        .Add<FieldParameters>("field", "DRAM faults and CPU errors at field rates (docs/calibration.md)", () => new FieldParameters(), p => p.Validate(), FieldErrorSource.Factory)
        .Add<StormParameters>("storm", "corrected-error storms and high uncorrected rates, for stress and throughput work", () => new StormParameters(), p => p.Validate(), StormErrorSource.Factory)
        .Add("none", "no errors at all: an idle fleet (what the engine costs when nothing happens)", (_, _) => (_, _, _) => NoErrors.Instance);
}

/// <summary>One workload of a <see cref="WorkloadCatalog"/>.</summary>
public sealed record WorkloadEntry(
    string Name,
    string Description,
    Type? ParametersType,
    Func<object>? Defaults,
    Action<object>? Validate,
    Func<MachineSpec, object?, ulong, ErrorSourceFactory> Factory);
