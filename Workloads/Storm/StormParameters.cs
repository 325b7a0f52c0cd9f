using Mca.Workloads.Field;

namespace Mca.Workloads.Storm;

/// <summary>
/// The knobs of the <c>storm</c> workload (<see cref="StormErrorSource"/>): a deliberately heavy but
/// bounded load for stress and throughput work, not a field calibration. Plain numbers a campaign spec
/// sets key by key in snake_case. The defaults give about 160 arrivals per machine-year: four
/// corrected-error storms of an hour (one folded arrival every two minutes) and about 40 uncorrected
/// errors.
/// </summary>
internal sealed record StormParameters
{
    /// <summary>Corrected-error storms per machine per year; storms do not overlap (the next is drawn from the end of the last).</summary>
    public double StormsPerMachineYear { get; init; } = 4.0;

    /// <summary>Mean storm length, minutes (exponential): a hard but correctable fault hammering one bank (Gottscho et al., IEEE CAL).</summary>
    public double StormDurationMeanMinutes { get; init; } = 60.0;

    /// <summary>A storm reports one folded arrival per window of this many seconds, with Count = the CEs in it.</summary>
    public double StormWindowSeconds { get; init; } = 120.0;

    /// <summary>CEs per second during a storm: far above every storm threshold (old Linux mce_intel.c CMCI_STORM_THRESHOLD 15 in 1 s; Radisys ATCA-5400 BIOS stops logging after 10 an hour).</summary>
    public double StormCePerSecond { get; init; } = 50.0;

    /// <summary>Fraction of storms on the memory controller (bank 8, one bad line); the rest hit a core's MLC (bank 3) or DCU (bank 0).</summary>
    public double StormMemoryFraction { get; init; } = 0.75;

    /// <summary>LLC UCNA (bank 7, 0x0136) per machine per year, signalled by CMCI or found by the poller.</summary>
    public double UcnaPerMachineYear { get; init; } = 20.0;

    /// <summary>SRAO per machine per year: patrol-scrub UEs (bank 8, 0x00C0 | channel) and LLC explicit writebacks (bank 7, 0x017A).</summary>
    public double SraoPerMachineYear { get; init; } = 10.0;

    /// <summary>Fraction of the SRAOs that are LLC explicit writebacks (0x017A) rather than scrub UEs.</summary>
    public double LlcSraoFraction { get; init; } = 0.2;

    /// <summary>SRAR data loads (bank 0, 0x0134) per machine per year, in frames Xen or a domain uses; the consumer runs the frame's owner.</summary>
    public double SrarPerMachineYear { get; init; } = 10.0;

    /// <summary>Fraction of guest-consumed SRARs taken in user mode (else kernel).</summary>
    public double SrarUserFraction { get; init; } = 0.8;

    /// <summary>Fatal PCC errors (bank 4 internal timer or bank 3 MLC) per machine per year: each resets the machine.</summary>
    public double FatalPerMachineYear { get; init; } = 0.5;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter (in snake_case) that is out of range.</summary>
    public void Validate()
    {
        FieldParameters.Rate(StormsPerMachineYear, "storms_per_machine_year");
        FieldParameters.Check(StormDurationMeanMinutes is > 0 and <= 525_600, "storm_duration_mean_minutes", "> 0 and <= 525600 (a year)", StormDurationMeanMinutes);
        FieldParameters.Check(StormWindowSeconds is >= 0.001 and <= 86_400, "storm_window_seconds", "from 0.001 to 86400", StormWindowSeconds);
        FieldParameters.Check(StormCePerSecond is > 0 and <= 1e9, "storm_ce_per_second", "> 0 and <= 1e9", StormCePerSecond);
        FieldParameters.Probability(StormMemoryFraction, "storm_memory_fraction");
        FieldParameters.Rate(UcnaPerMachineYear, "ucna_per_machine_year");
        FieldParameters.Rate(SraoPerMachineYear, "srao_per_machine_year");
        FieldParameters.Probability(LlcSraoFraction, "llc_srao_fraction");
        FieldParameters.Rate(SrarPerMachineYear, "srar_per_machine_year");
        FieldParameters.Probability(SrarUserFraction, "srar_user_fraction");
        FieldParameters.Rate(FatalPerMachineYear, "fatal_per_machine_year");
        // Bound the arrivals one storm can make (house style: bound every loop): a year of one-per-millisecond windows at most.
        FieldParameters.Check(StormDurationMeanMinutes * 60 / StormWindowSeconds <= 1e7, "storm_window_seconds", "at least storm_duration_mean_minutes x 60 / 1e7 (at most 10^7 windows per storm on average)", StormWindowSeconds);
        // And the arrivals a machine-year can make: 10^6 storm windows (the default makes 120) keep a machine-day at milliseconds.
        double windowsPerYear = StormsPerMachineYear * StormDurationMeanMinutes * 60 / StormWindowSeconds;
        FieldParameters.Check(windowsPerYear <= 1e6, "storms_per_machine_year", "at most 1e6 storm windows per machine-year on average (storms_per_machine_year x storm_duration_mean_minutes x 60 / storm_window_seconds; beyond it a machine-day runs for seconds)", StormsPerMachineYear);
    }
}
