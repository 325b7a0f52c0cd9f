using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace Mca.Bench.Columns;

/// <summary>
/// Units of work per second: <see cref="IThroughputBenchmark.UnitsPerOperation"/> of the case divided by its
/// mean time (a deterministic re-run of the workload where it has to be counted).
/// </summary>
internal sealed class ThroughputColumn(string columnName) : PerSecondColumn(columnName, "N0")
{
    protected override double? UnitsOf(BenchmarkCase c) => CreateInstance<IThroughputBenchmark>(c).UnitsPerOperation();
}

/// <summary>Adds an <c>Invocations/s</c> column (handler invocations: one pipeline run for one machine at one instant).</summary>
internal sealed class InvocationsPerSecondConfig : ManualConfig
{
    public InvocationsPerSecondConfig()
    {
        AddColumn(new ThroughputColumn("Invocations/s"));
    }
}

/// <summary>Adds a <c>MachineYears/s</c> column.</summary>
internal sealed class MachineYearsPerSecondConfig : ManualConfig
{
    public MachineYearsPerSecondConfig()
    {
        AddColumn(new ThroughputColumn("MachineYears/s"));
    }
}

/// <summary>Adds a <c>PhysicalEvents/s</c> column (handler events counted as what they stand for: a CorrectedRun as its CEs, CMCIs and records).</summary>
internal sealed class PhysicalEventsPerSecondConfig : ManualConfig
{
    public PhysicalEventsPerSecondConfig()
    {
        AddColumn(new ThroughputColumn("PhysicalEvents/s"));
    }
}

/// <summary>Adds BenchmarkDotNet's <c>Op/s</c> column (with <c>OperationsPerInvoke</c>, items per second).</summary>
internal sealed class OperationsPerSecondConfig : ManualConfig
{
    public OperationsPerSecondConfig()
    {
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
