using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;
using Mca.Bench.Columns;

namespace Mca.Bench.Replay;

/// <summary>What one operation of a replay benchmark method reads or writes: file bytes and records (events + inputs).</summary>
internal readonly record struct ReplayUnits(double Bytes, double Records);

/// <summary>
/// A replay benchmark whose methods move a known amount of replay data. The <see cref="ReplayThroughputColumn"/>
/// asks a fresh instance, with the case's parameters set, for the units of one method.
/// </summary>
internal interface IReplayThroughputBenchmark
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
internal sealed class ReplayThroughputColumn(string columnName, double scale, string format, Func<ReplayUnits, double> select) : PerSecondColumn(columnName, format)
{
    protected override string KeyOf(BenchmarkCase c) => base.KeyOf(c) + "|" + c.Descriptor.WorkloadMethod.Name;

    protected override double? UnitsOf(BenchmarkCase c) =>
        CreateInstance<IReplayThroughputBenchmark>(c).UnitsPerOperation(c.Descriptor.WorkloadMethod.Name) is { } u ? select(u) / scale : null;
}

/// <summary>
/// Adds <c>MB/s</c> (replay file bytes, 10^6 per MB), <c>Events/s</c> (handler events plus recorded inputs)
/// and BenchmarkDotNet's <c>Op/s</c>.
/// </summary>
internal sealed class ReplayThroughputConfig : ManualConfig
{
    public ReplayThroughputConfig()
    {
        AddColumn(new ReplayThroughputColumn("MB/s", 1e6, "N1", static u => u.Bytes));
        AddColumn(new ReplayThroughputColumn("Events/s", 1, "N0", static u => u.Records));
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
