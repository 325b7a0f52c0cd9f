namespace Mca.Workloads.Campaign;

/// <summary>
/// The outcomes of the campaign table that are counted per machine (<see cref="MachineOutcome.Value"/>),
/// each with mergeable sums in <see cref="CampaignResult.Outcomes"/>; the order is the table's.
/// </summary>
public enum CampaignOutcome
{
    Corrected,
    Ucna,
    Srao,
    Srar,
    Fatal,
    UncorrectedArrivals,
    MceEvents,
    CmciEvents,
    PollFinds,
    Resets,
    VmceInjected,
    GuestRecovered,
    GuestProcessKilled,
    GuestPanic,
    DomainsCrashed,
    PagesOfflined,
    LogsDelivered,
    LogsLost,
    DowntimeNs,
    HandlerEvents,
}
