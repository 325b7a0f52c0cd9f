using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Mca.Bench.Columns;

/// <summary>
/// Units of work per second: <see cref="IThroughputBenchmark.UnitsPerOperation"/> of the case divided by its
/// mean time. The units are counted in the host process, once per benchmark class and parameter set
/// (a deterministic re-run of the workload where it has to be counted).
/// </summary>
public sealed class ThroughputColumn(string columnName) : IColumn
{
    private static readonly ConcurrentDictionary<string, double> Units = new(StringComparer.Ordinal);

    public string Id => nameof(ThroughputColumn) + "." + ColumnName;
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

        double units = Units.GetOrAdd(Key(benchmarkCase), _ => Count(benchmarkCase));
        return (units / (meanNs.Value * 1e-9)).ToString("N0", CultureInfo.InvariantCulture);
    }

    private static string Key(BenchmarkCase c) => c.Descriptor.Type.FullName + "|" + c.Parameters.DisplayInfo;

    private static double Count(BenchmarkCase c)
    {
        var instance = (IThroughputBenchmark)Activator.CreateInstance(c.Descriptor.Type)!;
        foreach (var p in c.Parameters.Items)
        {
            c.Descriptor.Type.GetProperty(p.Name)!.SetValue(instance, p.Value);
        }

        return instance.UnitsPerOperation();
    }
}

/// <summary>Adds an <c>Invocations/s</c> column (handler invocations: one pipeline run for one machine at one instant).</summary>
public sealed class InvocationsPerSecondConfig : ManualConfig
{
    public InvocationsPerSecondConfig()
    {
        AddColumn(new ThroughputColumn("Invocations/s"));
    }
}

/// <summary>Adds a <c>MachineYears/s</c> column.</summary>
public sealed class MachineYearsPerSecondConfig : ManualConfig
{
    public MachineYearsPerSecondConfig()
    {
        AddColumn(new ThroughputColumn("MachineYears/s"));
    }
}

/// <summary>Adds BenchmarkDotNet's <c>Op/s</c> column (with <c>OperationsPerInvoke</c>, items per second).</summary>
public sealed class OperationsPerSecondConfig : ManualConfig
{
    public OperationsPerSecondConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
