using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Mca.Bench.Columns;

/// <summary>
/// A column of units of work per second: the units one operation of a case does, divided by the case's
/// mean time. Units are counted in the host process once per key (<see cref="KeyOf"/>), by a fresh
/// benchmark instance with the case's parameters set; "-" where a case has no such units.
/// </summary>
internal abstract class PerSecondColumn(string columnName, string format) : IColumn
{
    private readonly ConcurrentDictionary<string, double?> _units = new(StringComparer.Ordinal);

    public string Id => GetType().Name + "." + ColumnName;
    public string ColumnName { get; } = columnName;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{ColumnName}: units of work per operation divided by Mean";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => true;

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        double? meanNs = summary[benchmarkCase]?.ResultStatistics?.Mean;
        if (meanNs is null or <= 0)
        {
            return "NA";
        }

        double? units = _units.GetOrAdd(KeyOf(benchmarkCase), _ => UnitsOf(benchmarkCase));
        return units is { } u ? (u / (meanNs.Value * 1e-9)).ToString(format, CultureInfo.InvariantCulture) : "-";
    }

    /// <summary>What the units depend on: by default the benchmark class and its parameters.</summary>
    protected virtual string KeyOf(BenchmarkCase c) => c.Descriptor.Type.FullName + "|" + c.Parameters.DisplayInfo;

    /// <summary>Units of work one operation of <paramref name="c"/> does, or null when it has none.</summary>
    protected abstract double? UnitsOf(BenchmarkCase c);

    /// <summary>A fresh instance of the case's benchmark class with the case's parameters set.</summary>
    protected static T CreateInstance<T>(BenchmarkCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        object instance = Activator.CreateInstance(c.Descriptor.Type)!;
        foreach (var p in c.Parameters.Items)
        {
            c.Descriptor.Type.GetProperty(p.Name)!.SetValue(instance, p.Value);
        }

        return (T)instance;
    }
}
