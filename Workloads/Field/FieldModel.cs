using Mca.Systems.Model;

namespace Mca.Workloads.Field;

/// <summary>
/// What every batch of one field campaign shares, computed once by <see cref="FieldErrorSource.Factory"/>:
/// the DIMM geometry, the CE-intensity law, the MCA records of the machine, and the parameters turned
/// into nanosecond means and rates. Immutable.
/// </summary>
internal sealed class FieldModel
{
    /// <summary>Nanoseconds per hour, day and (365-day) year.</summary>
    public const double HourNs = 3600.0 * MachineSpec.NsPerSecond;
    public const double DayNs = 24 * HourNs;
    public const double YearNs = 365 * DayNs;

    /// <summary>Transient modes first, then permanent, in <see cref="FaultMode"/> order.</summary>
    public const int ModeWeightCount = 2 * JaguarFit.ModeCount;

    private readonly double[] _modeWeights = new double[ModeWeightCount];
    private readonly double[] _cpuClassWeights = new double[CpuErrorClassCount];

    public const int CpuErrorClassCount = 4;

    public FieldModel(MachineSpec machine, FieldParameters p)
    {
        ArgumentNullException.ThrowIfNull(machine);
        ArgumentNullException.ThrowIfNull(p);
        p.Validate();
        if (machine.SocketCount * machine.CoresPerSocket > byte.MaxValue + 1)
        {
            throw new ArgumentException($"machine '{machine.Name}' has {machine.SocketCount * machine.CoresPerSocket} cores: the field workload supports at most 256");
        }

        Machine = machine;
        // A copy: the record is settable by reflection (the spec loader), and a running campaign must not see later changes.
        Parameters = p with { };
        Geometry = new DimmGeometry(machine, p.DimmCount);
        Intensity = new CeIntensity(p.CeRateMedianPerDay, p.CeRateMeanToMedian, p.CeRateMaxPerDay);
        Records = new ErrorRecords(machine);
        Memory = new MemoryRanges(machine);

        for (int m = 0; m < JaguarFit.ModeCount; m++)
        {
            _modeWeights[m] = JaguarFit.Transient[m];
            _modeWeights[JaguarFit.ModeCount + m] = JaguarFit.Permanent[m];
        }

        // FIT = failures per 10^9 device-hours.
        double dimmFit = p.DevicesPerDimm * JaguarFit.TotalPerDevice * p.FaultRateScale;
        HealthyFaultGapNs = 1e9 * HourNs / dimmFit;
        FaultyFaultGapNs = HealthyFaultGapNs / p.FaultyDimmRateMultiplier;

        ScrubCeRatePerNs = p.CeScrubPerDay / DayNs;
        UeDetectMeanNs = p.UeDetectMeanHours * HourNs;
        UeRepeatMeanNs = p.UeRepeatMeanHours * HourNs;
        DimmReplaceDelayNs = p.DimmReplaceDelayHours * HourNs;

        int cores = machine.SocketCount * machine.CoresPerSocket;
        _cpuClassWeights[(int)CpuErrorClass.Corrected] = cores * p.CpuCorrectedPerCoreYear;
        _cpuClassWeights[(int)CpuErrorClass.LlcUcna] = machine.SocketCount * p.LlcUcnaPerSocketYear;
        _cpuClassWeights[(int)CpuErrorClass.LlcSrao] = machine.SocketCount * p.LlcSraoPerSocketYear;
        _cpuClassWeights[(int)CpuErrorClass.Fatal] = cores * p.CpuFatalPerCoreYear;
        foreach (double w in _cpuClassWeights)
        {
            CpuErrorsPerMachineYear += w;
        }

        CpuErrorGapNs = CpuErrorsPerMachineYear > 0 ? YearNs / CpuErrorsPerMachineYear : double.PositiveInfinity;
        CpuRecurrenceRatePerNs = p.CpuRecurrenceRatePerDay / DayNs;
        CpuRecurrenceWindowNs = p.CpuRecurrenceWindowDays * DayNs;
        SlotsPerMachine = p.MaxFaultsPerMachine;
    }

    public MachineSpec Machine { get; }
    public FieldParameters Parameters { get; }
    public DimmGeometry Geometry { get; }
    public CeIntensity Intensity { get; }
    public ErrorRecords Records { get; }
    public MemoryRanges Memory { get; }

    /// <summary>Weights of the 14 (transient, permanent) x mode fault kinds: the Jaguar FIT table.</summary>
    public ReadOnlySpan<double> ModeWeights => _modeWeights;

    public double ModeWeightTotal { get; } = JaguarFit.TotalPerDevice;

    /// <summary>Mean time between new faults of a healthy DIMM, and of a DIMM with a permanent fault.</summary>
    public double HealthyFaultGapNs { get; }
    public double FaultyFaultGapNs { get; }

    /// <summary>The patrol scrubber's CEs of one permanent fault per ns (at most the fault's rate).</summary>
    public double ScrubCeRatePerNs { get; }
    public double UeDetectMeanNs { get; }
    public double UeRepeatMeanNs { get; }
    public double DimmReplaceDelayNs { get; }

    /// <summary>Weights of the fresh CPU error classes (per machine-year), indexed by <see cref="CpuErrorClass"/>.</summary>
    public ReadOnlySpan<double> CpuClassWeights => _cpuClassWeights;

    public double CpuErrorsPerMachineYear { get; }
    public double CpuErrorGapNs { get; }
    public double CpuRecurrenceRatePerNs { get; }
    public double CpuRecurrenceWindowNs { get; }
    public int SlotsPerMachine { get; }
}
