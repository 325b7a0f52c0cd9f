using System.Text.Json.Serialization;

namespace Mca.Cli.Output;

/// <summary>The <c>mca campaign --json</c> document (README "Outputs"); keys in this order.</summary>
internal sealed record CampaignJson(
    int Machines,
    long Days,
    ulong Seed,
    string Policy,
    string Workload,
    string Digest,
    CampaignJson.ErrorsJson Errors,
    long ErrorArrivals,
    long MceEvents,
    long CmciEvents,
    long PollFinds,
    long Resets,
    int MachinesReset,
    CampaignJson.ResetRateJson ResetRatePerMachineYear,
    long VmceInjected,
    long VmceVcpuDeliveries,
    CampaignJson.GuestsJson Guests,
    long DomainsCrashed,
    long PagesOfflined,
    CampaignJson.PageOfflineJson PageOffline,
    double CmcisPerMachineYear,
    double Dom0RecordsPerMachineYear,
    CampaignJson.LogsJson Logs,
    double DowntimeSeconds,
    long Dimms,
    long DimmsWithCe,
    int MachinesWithUe,
    double MachineYears,
    long HandlerEvents,
    double WallSeconds,
    double EventsPerSecond,
    OrderedDictionary<string, CampaignJson.IntervalJson> Intervals,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CampaignJson.RecordingJson? Recording,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] CampaignJson.ImportanceJson? ImportanceSampling,
    ProvenanceJson Provenance)
{
    /// <summary>
    /// Importance sampling (<c>--bias</c>): the biased class and factor, the unbiased expected count per machine, Kish's
    /// effective machines, and per outcome the likelihood-weighted estimate of the plain run's total with its standard
    /// and relative error (never a Wilson interval on weighted data).
    /// </summary>
    internal sealed record ImportanceJson(IReadOnlyList<BiasJson> Classes, double EffectiveMachines, string Method, OrderedDictionary<string, EstimateJson> Estimates);

    /// <summary>One biased class: its name, factor and unbiased expected count per machine.</summary>
    internal sealed record BiasJson(string Class, double Factor, double ExposurePerMachine);

    /// <summary><see cref="RelativeError"/> is null when the estimate is 0.</summary>
    internal sealed record EstimateJson(double Total, double RatePerMachineYear, double StandardError, double? RelativeError);

    internal sealed record ErrorsJson(long Corrected, long Ucna, long Srao, long Srar, long Fatal);

    /// <summary>Kept for scripts that read it; the bounds are those of <c>intervals.resets</c> (the old Wilson-on-counts interval was wrong).</summary>
    internal sealed record ResetRateJson(double Rate, double Wilson95Low, double Wilson95High, string Method);

    internal sealed record GuestsJson(long Recovered, long ProcessKilled, long Panic);

    /// <summary>dom0's predictive page offlining: the daemon, what it asked Xen and what came of it, its DIMM and socket triggers.</summary>
    internal sealed record PageOfflineJson(
        string Daemon,
        long PagesOfflined,
        long PagesPending,
        long OfflineFailed,
        long PagesAccounted,
        long DimmTriggers,
        long SocketTriggers,
        long MemoryRetiredBytes,
        long UesOnRetiredPages);

    internal sealed record LogsJson(long Delivered, long Lost, LostByCauseJson LostByCause);

    internal sealed record LostByCauseJson(long PoolExhausted, long ResetBeforeFetch, long VirqNotBound, long InterposedLostOnReset, long Overwritten, long Dom0Buffer);

    /// <summary>One outcome's rate per machine-year and the share of machines with it, each with its 95% interval.</summary>
    internal sealed record IntervalJson(double RatePerMachineYear, double Low, double High, string Method, double Dispersion, ShareJson MachinesWithAny);

    internal sealed record ShareJson(long Machines, double Share, double Low, double High, string Method);

    internal sealed record RecordingJson(string Path, long Bytes, long Frames, long Events, long Inputs, double BytesPerRecordedEvent);
}
