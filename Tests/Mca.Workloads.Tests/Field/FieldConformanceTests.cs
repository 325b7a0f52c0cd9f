using Mca.Workloads.Campaign;
using Mca.Workloads.Field;

namespace Mca.Workloads.Tests.Field;

/// <summary>The field source with its defaults passes the common source tests over a year.</summary>
public sealed class FieldDefaultConformanceTests : ErrorSourceConformance
{
    protected override long HorizonNs => 365 * DayNs;

    protected override ErrorSourceFactory Factory(ulong seed) => FieldErrorSource.Factory(Machine, new FieldParameters(), seed);
}

/// <summary>
/// The field source with every rate raised, a small slot table and no DIMM replacement: every error
/// class appears in 256 machines, and the slot bound is hit.
/// </summary>
public sealed class FieldStressedConformanceTests : ErrorSourceConformance
{
    internal static FieldParameters Stressed => new()
    {
        FaultRateScale = 200,
        MultiBitUeProbability = 0.5,
        ScrubFindsFirstFraction = 0.3,
        CpuCorrectedPerCoreYear = 1,
        LlcUcnaPerSocketYear = 2,
        LlcSraoPerSocketYear = 2,
        CpuFatalPerCoreYear = 0.5,
        MaxFaultsPerMachine = 6,
        ReplaceDimmAfterUe = false,
    };

    protected override long HorizonNs => 120 * DayNs;

    protected override bool EveryClassExpected => true;

    protected override ErrorSourceFactory Factory(ulong seed) => FieldErrorSource.Factory(Machine, Stressed, seed);
}
