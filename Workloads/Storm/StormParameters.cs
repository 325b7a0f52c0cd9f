using Mca.Workloads.Field;

namespace Mca.Workloads.Storm;

/// <summary>
/// The knobs of the <c>storm</c> workload (<see cref="StormErrorSource"/>): a deliberately heavy but
/// bounded load for stress and throughput work, not a field calibration. Plain numbers a campaign spec
/// sets key by key in snake_case. The defaults give per machine-year four corrected-error storms of an hour at
/// 50 CEs a second (720,000 CEs, each at its own instant) and about 40 uncorrected errors.
/// </summary>
internal sealed record StormParameters
{
    /// <summary>Corrected-error storms per machine per year; storms do not overlap (the next is drawn from the end of the last).</summary>
    public double StormsPerMachineYear { get; init; } = 4.0;

    /// <summary>Mean storm length, minutes (exponential): a hard but correctable fault hammering one bank (Gottscho et al., IEEE CAL).</summary>
    public double StormDurationMeanMinutes { get; init; } = 60.0;

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
        FieldParameters.Check(StormCePerSecond is > 0 and <= 1e9, "storm_ce_per_second", "> 0 and <= 1e9", StormCePerSecond);
        FieldParameters.Probability(StormMemoryFraction, "storm_memory_fraction");
        FieldParameters.Rate(UcnaPerMachineYear, "ucna_per_machine_year");
        FieldParameters.Rate(SraoPerMachineYear, "srao_per_machine_year");
        FieldParameters.Probability(LlcSraoFraction, "llc_srao_fraction");
        FieldParameters.Rate(SrarPerMachineYear, "srar_per_machine_year");
        FieldParameters.Probability(SrarUserFraction, "srar_user_fraction");
        FieldParameters.Rate(FatalPerMachineYear, "fatal_per_machine_year");
        // Bound the CEs a machine-year can make (house style: bound every loop): 10^10, a 10^6-a-day storm for 27 years.
        // Storms do not overlap, so at most a year of storming: min(storms x mean length, a year) x the rate.
        double perYear = Math.Min(StormsPerMachineYear * StormDurationMeanMinutes * 60, 365 * 86_400.0) * StormCePerSecond;
        FieldParameters.Check(perYear <= 1e10, "storm_ce_per_second", "at most 1e10 storm CEs per machine-year (min(storms_per_machine_year x storm_duration_mean_minutes x 60, a year in seconds) x storm_ce_per_second)", StormCePerSecond);
    }
}
