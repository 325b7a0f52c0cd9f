using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Mca.Bench.Replay;

/// <summary>What one operation of a replay benchmark method reads or writes: file bytes and records (events + inputs).</summary>
public readonly record struct ReplayUnits(double Bytes, double Records);

/// <summary>
/// A replay benchmark whose methods move a known amount of replay data. The <see cref="ReplayThroughputColumn"/>
/// asks a fresh instance, with the case's parameters set, for the units of one method.
/// </summary>
public interface IReplayThroughputBenchmark
{
    /// <summary>
    /// The file bytes and records one operation of <paramref name="method"/> writes or reads, or null if
    /// the method does not go through the whole file (the columns then show <c>-</c>).
    /// </summary>
    ReplayUnits? UnitsPerOperation(string method);
}

/// <summary>
/// Replay bytes or records per second: <see cref="IReplayThroughputBenchmark.UnitsPerOperation"/> of the case
/// divided by its mean time. Counted in the host process once per class, parameter set and method (the
/// benchmark records the campaign once to count).
/// </summary>
public sealed class ReplayThroughputColumn(string columnName, double scale, string format, Func<ReplayUnits, double> select) : IColumn
{
    private static readonly ConcurrentDictionary<string, ReplayUnits?> Units = new(StringComparer.Ordinal);

    public string Id => nameof(ReplayThroughputColumn) + "." + ColumnName;
    public string ColumnName { get; } = columnName;
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => $"{ColumnName}: replay data per operation divided by Mean";

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

        var units = Units.GetOrAdd(Key(benchmarkCase), _ => Count(benchmarkCase));
        if (units is not { } u)
        {
            return "-";
        }

        return (select(u) / scale / (meanNs.Value * 1e-9)).ToString(format, CultureInfo.InvariantCulture);
    }

    private static string Key(BenchmarkCase c) => c.Descriptor.Type.FullName + "|" + c.Descriptor.WorkloadMethod.Name + "|" + c.Parameters.DisplayInfo;

    private static ReplayUnits? Count(BenchmarkCase c)
    {
        var instance = (IReplayThroughputBenchmark)Activator.CreateInstance(c.Descriptor.Type)!;
        foreach (var p in c.Parameters.Items)
        {
            c.Descriptor.Type.GetProperty(p.Name)!.SetValue(instance, p.Value);
        }

        return instance.UnitsPerOperation(c.Descriptor.WorkloadMethod.Name);
    }
}

/// <summary>
/// Adds <c>MB/s</c> (replay file bytes, 10^6 per MB), <c>Events/s</c> (handler events plus recorded inputs)
/// and BenchmarkDotNet's <c>Op/s</c>.
/// </summary>
public sealed class ReplayThroughputConfig : ManualConfig
{
    public ReplayThroughputConfig()
    {
        AddColumn(new ReplayThroughputColumn("MB/s", 1e6, "N1", static u => u.Bytes));
        AddColumn(new ReplayThroughputColumn("Events/s", 1, "N0", static u => u.Records));
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
