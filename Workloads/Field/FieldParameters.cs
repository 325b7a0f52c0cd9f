namespace Mca.Workloads.Field;

/// <summary>
/// The calibration knobs of the <c>field</c> workload (<see cref="FieldErrorSource"/>): plain numbers a
/// campaign spec sets key by key in snake_case (<c>fault_rate_scale: 4</c>). Every default names the
/// paper it comes from, or says it is a model choice or assumption; docs/calibration.md gives the reasoning
/// and the fleet figures they produce. Rates say their unit (per device, DIMM, core, socket; per hour,
/// day or year); durations are in hours or days and become integer nanoseconds when the source is built.
/// The Jaguar FIT table itself is fixed data (<see cref="JaguarFit"/>).
/// </summary>
internal sealed record FieldParameters
{
    /// <summary>
    /// DIMMs per machine: the machine's RAM is cut into this many equal contiguous ranges, spread evenly
    /// over the sockets (default machine: 4 x 4 GiB). Schroeder 2009 gives 8 % of DIMMs and about a
    /// third of machines with a CE per year, which independent DIMMs match at 4 to 5 DIMMs per machine.
    /// </summary>
    public int DimmCount { get; init; } = 4;

    /// <summary>DRAM devices per DIMM: 18 x4 devices (16 data + 2 check) of a single-rank ECC DIMM (as in Sridharan 2012 / FaultSim).</summary>
    public int DevicesPerDimm { get; init; } = 18;

    /// <summary>
    /// Multiplies every entry of the Jaguar FIT table (Sridharan 2012: 66.1 FIT per device, about 1 %
    /// of DIMMs with a fault per year). The default makes about 8 % of DIMMs see a corrected error in a
    /// year (Schroeder 2009), which counts errors from all causes in an older fleet; density and vendor alone
    /// would justify x1-2 (Meza 2015: 1.8x per generation), and Meza 2015 attributes most errors to non-DRAM causes,
    /// which this model folds into the DRAM rate.
    /// </summary>
    public double FaultRateScale { get; init; } = 8.0;

    /// <summary>
    /// Two-state DIMM (model choice after Schroeder 2011 CACM: CEs are strongly autocorrelated, not i.i.d. Poisson): once a DIMM has a
    /// permanent fault it gets new faults this many times faster. With the fault's own repeating CE stream
    /// this gives the within-DIMM correlation Schroeder 2011 reports, and it makes a UE far more likely on a DIMM that
    /// already logged CEs: the default gives a factor of about 40 (Schroeder 2009: CE to UE factors in the tens
    /// to hundreds).
    /// </summary>
    public double FaultyDimmRateMultiplier { get; init; } = 5.0;

    /// <summary>
    /// Median corrected-error rate of one permanent fault, CEs per day. Heavy-tailed per fault (model choice);
    /// with <see cref="CeRateMeanToMedian"/> it sets the mean, tuned so the fleet logs about 4 000 CEs per
    /// DIMM-year on average (Schroeder 2009, via the ISSI tutorial).
    /// </summary>
    public double CeRateMedianPerDay { get; init; } = 5.0;

    /// <summary>Mean over median of a permanent fault's CE rate: 55 (Meza 2015: Pareto, mean about 55x median).</summary>
    public double CeRateMeanToMedian { get; init; } = 55.0;

    /// <summary>Largest CE rate of one fault, CEs per day: some returned DIMMs logged billions of CEs in 2.5 years, about 10^6 a day (returned-DIMM study of replacement network servers).</summary>
    public double CeRateMaxPerDay { get; init; } = 1_000_000.0;

    /// <summary>
    /// CEs per day of a permanent fault that the patrol scrubber finds rather than a demand read (MCACOD
    /// 0x00C0 instead of 0x0090), at most the fault's own rate: one patrol pass a day meets the faulty
    /// line once (assumption, with <see cref="UeDetectMeanHours"/>'s 24-hour pass). The rest of the fault's
    /// CEs are demand reads. The two are separate streams, so retiring a page can stop its demand CEs while
    /// its scrub CEs go on.
    /// </summary>
    public double CeScrubPerDay { get; init; } = 1.0;

    /// <summary>
    /// Chance that a fault of a multi-bit mode (every mode but single-bit) is a pattern the ECC cannot
    /// correct (Li 2022, Yu 2023: Intel's ECC is weaker than full chipkill for some patterns). Two faults on
    /// different devices that overlap are always uncorrectable. Tuned so about 1-2 % of machines see an
    /// uncorrected error per year (Schroeder 2009).
    /// </summary>
    public double MultiBitUeProbability { get; init; } = 0.02;

    /// <summary>Mean time from an uncorrectable pattern to its first detection: half a 24-hour patrol-scrub pass (assumption).</summary>
    public double UeDetectMeanHours { get; init; } = 12.0;

    /// <summary>
    /// Of the UEs in memory something uses (a domain's or Xen's frames), the fraction the patrol scrubber
    /// finds first (SRAO 0xC0-0xCF, bank 8); the rest are consumed by a load (SRAR 0x134, bank 0). A UE in
    /// a free frame is always found by the scrubber. Assumption (no field figure found).
    /// </summary>
    public double ScrubFindsFirstFraction { get; init; } = 0.7;

    /// <summary>Fraction of guest-consumed SRARs taken in user mode (else kernel): assumption; Linux severity.c grades the two differently.</summary>
    public double SrarUserFraction { get; init; } = 0.8;

    /// <summary>
    /// Mean number of further UEs, at other lines of the same bad region, after the first: 1, a geometric
    /// count, so half of the DIMMs with a UE have exactly one (returned-DIMM study of replacement network servers: about half of the
    /// UE-only DIMMs had exactly one UE). A one-line region repeats at the same line (the scrubber meets it
    /// again).
    /// </summary>
    public double UeExtraMean { get; init; } = 1.0;

    /// <summary>Mean time between the UEs of one bad region, hours (assumption).</summary>
    public double UeRepeatMeanHours { get; init; } = 72.0;

    /// <summary>Replace a DIMM after its first detected UE (model choice: repair action): its faults stop and it starts healthy.</summary>
    public bool ReplaceDimmAfterUe { get; init; } = true;

    /// <summary>Time from a DIMM's first UE to its replacement, hours (model choice: a delay; one week is an assumption).</summary>
    public double DimmReplaceDelayHours { get; init; } = 168.0;

    /// <summary>Corrected L1/L2/TLB errors (banks 0-3) per core per year (model choice: a much smaller stream than memory; assumption).</summary>
    public double CpuCorrectedPerCoreYear { get; init; } = 0.005;

    /// <summary>LLC UCNA (bank 7, MCACOD 0x0136) per socket per year (assumption).</summary>
    public double LlcUcnaPerSocketYear { get; init; } = 0.001;

    /// <summary>LLC explicit-writeback SRAO (bank 7, MCACOD 0x017A) per socket per year (assumption).</summary>
    public double LlcSraoPerSocketYear { get; init; } = 0.001;

    /// <summary>
    /// Fatal (PCC) CPU errors per core per year. Nightingale 2011: 1 in 190 consumer PCs had a CPU
    /// subsystem crash in 8 months, about 1.2 % a year, an upper bound for ECC servers; the default gives
    /// about 0.3 % of machines a year before recurrence (assumption).
    /// </summary>
    public double CpuFatalPerCoreYear { get; init; } = 0.0004;

    /// <summary>Chance that a CPU error recurs on the same core, and again after each recurrence (Nightingale 2011: 1 in 3.3).</summary>
    public double CpuRecurrenceProbability { get; init; } = 1.0 / 3.3;

    /// <summary>Rate of the delay to a recurrence, per day: 0.18 puts 84 % of recurrences within 10 days (Nightingale 2011, secondary summary).</summary>
    public double CpuRecurrenceRatePerDay { get; init; } = 0.18;

    /// <summary>Recurrences come within this many days (Nightingale 2011, secondary summary: 97 % within a month).</summary>
    public double CpuRecurrenceWindowDays { get; init; } = 30.0;

    /// <summary>Most recurrences one CPU error can have (house style: bound every loop).</summary>
    public int CpuMaxRecurrences { get; init; } = 8;

    /// <summary>Fraction of fatal CPU errors that are PCU internal-timer errors (bank 4, 0x0400); the rest are MLC (bank 3) (assumption).</summary>
    public double FatalInternalTimerFraction { get; init; } = 0.5;

    /// <summary>
    /// Entries a machine tracks at once (house style: bound every queue): a permanent fault takes two (its demand
    /// and its scrub CE streams), a pending UE or CPU error one; a new fault beyond it is dropped and counted.
    /// The default fleet never comes close.
    /// </summary>
    public int MaxFaultsPerMachine { get; init; } = 32;

    /// <summary>The largest <see cref="FaultRateScale"/> a spec may set.</summary>
    public const double FaultRateScaleMax = 1e4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first parameter (in snake_case) that is out of range.</summary>
    public void Validate()
    {
        Check(DimmCount is >= 1 and <= DimmGeometry.DimmsMax, "dimm_count", $"from 1 to {DimmGeometry.DimmsMax}", DimmCount);
        Check(DevicesPerDimm is >= 2 and <= 72, "devices_per_dimm", "from 2 to 72", DevicesPerDimm);
        // 1e4 gives every DIMM about 100 faults a year (18 x 66.1 FIT each, JaguarFit), past max_faults_per_machine within
        // months: larger values add only dropped faults and run time (1e12 ran 129 s per machine-day).
        Check(FaultRateScale is > 0 and <= FaultRateScaleMax, "fault_rate_scale", "> 0 and <= 10000 (at 1e4 every DIMM takes about 100 faults a year; more only adds run time)", FaultRateScale);
        Check(FaultyDimmRateMultiplier is >= 1 and <= 1e6, "faulty_dimm_rate_multiplier", "from 1 to 1e6", FaultyDimmRateMultiplier);
        Positive(CeRateMedianPerDay, "ce_rate_median_per_day");
        Check(CeRateMeanToMedian is > 1 and <= 1e6, "ce_rate_mean_to_median", "> 1 and <= 1e6", CeRateMeanToMedian);
        Check(CeRateMaxPerDay > CeRateMedianPerDay && CeRateMaxPerDay <= 1e12, "ce_rate_max_per_day", "> ce_rate_median_per_day and <= 1e12", CeRateMaxPerDay);
        Check(CeScrubPerDay is >= 0 and <= 1e9, "ce_scrub_per_day", "from 0 to 1e9", CeScrubPerDay);
        Probability(MultiBitUeProbability, "multi_bit_ue_probability");
        Duration(UeDetectMeanHours, "ue_detect_mean_hours");
        Probability(ScrubFindsFirstFraction, "scrub_finds_first_fraction");
        Probability(SrarUserFraction, "srar_user_fraction");
        Check(UeExtraMean is >= 0 and <= 1000, "ue_extra_mean", "from 0 to 1000", UeExtraMean);
        Duration(UeRepeatMeanHours, "ue_repeat_mean_hours");
        Duration(DimmReplaceDelayHours, "dimm_replace_delay_hours");
        Rate(CpuCorrectedPerCoreYear, "cpu_corrected_per_core_year");
        Rate(LlcUcnaPerSocketYear, "llc_ucna_per_socket_year");
        Rate(LlcSraoPerSocketYear, "llc_srao_per_socket_year");
        Rate(CpuFatalPerCoreYear, "cpu_fatal_per_core_year");
        Check(CpuRecurrenceProbability is >= 0 and < 1, "cpu_recurrence_probability", ">= 0 and < 1", CpuRecurrenceProbability);
        Check(CpuRecurrenceRatePerDay is > 0 and <= 1e6, "cpu_recurrence_rate_per_day", "> 0 and <= 1e6", CpuRecurrenceRatePerDay);
        Check(CpuRecurrenceWindowDays is > 0 and <= 36_500, "cpu_recurrence_window_days", "> 0 and <= 36500", CpuRecurrenceWindowDays);
        Check(CpuMaxRecurrences is >= 0 and <= 1000, "cpu_max_recurrences", "from 0 to 1000", CpuMaxRecurrences);
        Probability(FatalInternalTimerFraction, "fatal_internal_timer_fraction");
        Check(MaxFaultsPerMachine is >= 1 and <= 1024, "max_faults_per_machine", "from 1 to 1024", MaxFaultsPerMachine);
    }

    internal static void Check(bool ok, string name, string expected, double value)
    {
        if (!ok)
        {
            throw new Campaign.ParameterException(name, expected, value);
        }
    }

    internal static void Positive(double value, string name) => Check(value is > 0 and <= 1e12, name, "> 0 and <= 1e12", value);

    /// <summary>A probability or fraction: 0 to 1 inclusive.</summary>
    internal static void Probability(double value, string name) => Check(value is >= 0 and <= 1, name, "from 0 to 1", value);

    /// <summary>An event rate: not negative, at most a million per unit.</summary>
    internal static void Rate(double value, string name) => Check(value is >= 0 and <= 1e6, name, "from 0 to 1e6", value);

    /// <summary>A duration in hours: above 0, at most a century.</summary>
    internal static void Duration(double hours, string name) => Check(hours is > 0 and <= 24 * 36_500, name, "> 0 and <= 876000 (a century)", hours);
}
