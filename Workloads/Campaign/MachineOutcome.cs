namespace Mca.Workloads.Campaign;

/// <summary>
/// What happened to one machine over the campaign: the per-machine facts the digest hashes, an
/// order-sensitive hash of every handler event of the machine (so any divergence changes it), and the
/// per-machine counts of the table's other outcomes, classified as <see cref="CampaignCounts.Tally"/> does,
/// for the intervals (docs/statistics.md); the digest hashes only the first list.
/// </summary>
internal struct MachineOutcome
{
    public int Resets;
    public int MceEvents;
    public int UncorrectedArrivals;
    public int VmceInjected;
    public int DomainsCrashed;
    public long LogsDelivered;
    public long LogsLost;
    public long CorrectedErrors;
    public ulong EventHash;

    // Not hashed: counted only for the intervals.
    public long Corrected;
    public long DowntimeNs;
    public int Ucna;
    public int Srao;
    public int Srar;
    public int Fatal;
    public long CmciEvents;
    public long PollFinds;
    public int GuestRecovered;
    public int GuestProcessKilled;
    public int GuestPanic;
    public int PagesOfflined;
    public long HandlerEvents;

    /// <summary>This machine's count of one outcome.</summary>
    public readonly long Value(CampaignOutcome outcome) => outcome switch
    {
        CampaignOutcome.Corrected => Corrected,
        CampaignOutcome.Ucna => Ucna,
        CampaignOutcome.Srao => Srao,
        CampaignOutcome.Srar => Srar,
        CampaignOutcome.Fatal => Fatal,
        CampaignOutcome.UncorrectedArrivals => UncorrectedArrivals,
        CampaignOutcome.MceEvents => MceEvents,
        CampaignOutcome.CmciEvents => CmciEvents,
        CampaignOutcome.PollFinds => PollFinds,
        CampaignOutcome.Resets => Resets,
        CampaignOutcome.VmceInjected => VmceInjected,
        CampaignOutcome.GuestRecovered => GuestRecovered,
        CampaignOutcome.GuestProcessKilled => GuestProcessKilled,
        CampaignOutcome.GuestPanic => GuestPanic,
        CampaignOutcome.DomainsCrashed => DomainsCrashed,
        CampaignOutcome.PagesOfflined => PagesOfflined,
        CampaignOutcome.LogsDelivered => LogsDelivered,
        CampaignOutcome.LogsLost => LogsLost,
        CampaignOutcome.DowntimeNs => DowntimeNs,
        CampaignOutcome.HandlerEvents => HandlerEvents,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "expected a CampaignOutcome"),
    };
}
