namespace Mca.Workloads.Campaign;

/// <summary>
/// What happened to one machine over the campaign: the per-machine facts the digest hashes, an
/// order-sensitive hash of every handler event of the machine (so any divergence changes it), and the
/// machine's own <see cref="CampaignCounts"/>, tallied exactly as the campaign's totals are, so the
/// per-machine table's columns sum to the JSON's totals (docs/statistics.md). The digest hashes only the first list.
/// </summary>
public struct MachineOutcome
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

    // Not hashed.
    /// <summary>The instant of the machine's first reset (valid when <see cref="Resets"/> &gt; 0).</summary>
    public long FirstResetNs;
    /// <summary>DIMMs of the machine that logged a corrected error (a workload fact; 0 for workloads without DIMMs).</summary>
    public int DimmsWithCe;
    /// <summary>Fresh CPU errors per class (corrected, LLC UCNA, LLC SRAO, fatal), for an importance-sampling weight (<see cref="CampaignOptions.Bias"/>).</summary>
    public CpuPrimaryCounts CpuPrimaries;
    /// <summary>The machine's counts, classified by <see cref="CampaignCounts.Tally"/>, with its daemon counters and retired frames.</summary>
    public CampaignCounts Counts;

    /// <summary>This machine's count of one outcome.</summary>
    public readonly long Value(CampaignOutcome outcome) => outcome switch
    {
        CampaignOutcome.Corrected => Counts.Corrected,
        CampaignOutcome.Ucna => Counts.Ucna,
        CampaignOutcome.Srao => Counts.Srao,
        CampaignOutcome.Srar => Counts.Srar,
        CampaignOutcome.Fatal => Counts.Fatal,
        CampaignOutcome.UncorrectedArrivals => UncorrectedArrivals,
        CampaignOutcome.MceEvents => MceEvents,
        CampaignOutcome.CmciEvents => Counts.CmciEvents,
        CampaignOutcome.PollFinds => Counts.PollFinds,
        CampaignOutcome.Resets => Resets,
        CampaignOutcome.VmceInjected => VmceInjected,
        CampaignOutcome.GuestRecovered => Counts.GuestRecovered,
        CampaignOutcome.GuestProcessKilled => Counts.GuestProcessKilled,
        CampaignOutcome.GuestPanic => Counts.GuestPanic,
        CampaignOutcome.DomainsCrashed => DomainsCrashed,
        CampaignOutcome.PagesOfflined => Counts.PagesOfflined,
        CampaignOutcome.LogsDelivered => LogsDelivered,
        CampaignOutcome.LogsLost => LogsLost,
        CampaignOutcome.DowntimeNs => Counts.DowntimeNs,
        CampaignOutcome.HandlerEvents => Counts.HandlerEvents,
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "expected a CampaignOutcome"),
    };
}

/// <summary>A machine's fresh CPU errors per class, in <c>CpuErrorClass</c> order.</summary>
[System.Runtime.CompilerServices.InlineArray(4)]
public struct CpuPrimaryCounts
{
    private int _first;
}
