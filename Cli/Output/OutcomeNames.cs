using Mca.Workloads.Campaign;

namespace Mca.Cli.Output;

/// <summary>
/// The per-machine outcomes as the outputs name them: JSON key, table label and the factor from the per-machine unit
/// to the reported one, in table order. The campaign's intervals, compare's and sweep's rows, the report's table and
/// the <c>--target</c> and <c>--outcome</c> options all read this one list.
/// </summary>
internal static class OutcomeNames
{
    public static readonly (CampaignOutcome Outcome, string Key, string Label, double Scale)[] All =
    [
        (CampaignOutcome.Corrected, "corrected", "errors: corrected", 1),
        (CampaignOutcome.Ucna, "ucna", "errors: UCNA", 1),
        (CampaignOutcome.Srao, "srao", "errors: SRAO", 1),
        (CampaignOutcome.Srar, "srar", "errors: SRAR", 1),
        (CampaignOutcome.Fatal, "fatal", "errors: fatal", 1),
        (CampaignOutcome.UncorrectedArrivals, "uncorrected_arrivals", "uncorrected arrivals", 1),
        (CampaignOutcome.MceEvents, "mce_events", "MCE# rendezvous", 1),
        (CampaignOutcome.CmciEvents, "cmci_events", "CMCIs", 1),
        (CampaignOutcome.PollFinds, "poll_finds", "poll/CMCI finds", 1),
        (CampaignOutcome.Resets, "resets", "resets", 1),
        (CampaignOutcome.VmceInjected, "vmce_injected", "vMCEs injected", 1),
        (CampaignOutcome.GuestRecovered, "guest_recovered", "guests: recovered", 1),
        (CampaignOutcome.GuestProcessKilled, "guest_process_killed", "guests: process killed", 1),
        (CampaignOutcome.GuestPanic, "guest_panic", "guests: panicked", 1),
        (CampaignOutcome.DomainsCrashed, "domains_crashed", "domains crashed", 1),
        (CampaignOutcome.PagesOfflined, "pages_offlined", "pages offlined", 1),
        (CampaignOutcome.LogsDelivered, "logs_delivered", "dom0 log records delivered", 1),
        (CampaignOutcome.LogsLost, "logs_lost", "dom0 log records lost", 1),
        (CampaignOutcome.DowntimeNs, "downtime_seconds", "downtime (s)", 1e-9),
        (CampaignOutcome.HandlerEvents, "handler_events", "handler events", 1),
    ];

    /// <summary>The outcome a JSON key names.</summary>
    public static bool TryFind(string key, out (CampaignOutcome Outcome, string Key, string Label, double Scale) entry)
    {
        foreach (var e in All)
        {
            if (e.Key == key)
            {
                entry = e;
                return true;
            }
        }

        entry = default;
        return false;
    }

    /// <summary>The keys of the counts an option may name (downtime aside: a duration, not a count).</summary>
    public static IEnumerable<string> CountKeys => All.Where(e => e.Outcome != CampaignOutcome.DowntimeNs).Select(e => e.Key);
}
