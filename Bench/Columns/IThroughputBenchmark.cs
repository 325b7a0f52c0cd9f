namespace Mca.Bench.Columns;

/// <summary>
/// A benchmark whose operation does a known amount of work (handler invocations, machine-years). The
/// <see cref="ThroughputColumn"/> asks a fresh instance, with the case's parameters set, for that amount.
/// </summary>
internal interface IThroughputBenchmark
{
    /// <summary>Units of work one benchmark operation does (may run the workload once to count them).</summary>
    double UnitsPerOperation();
}
