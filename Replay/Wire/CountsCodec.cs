using Mca.Workloads.Campaign;

namespace Mca.Replay.Wire;

/// <summary>
/// <see cref="CampaignCounts"/> on the wire: an array of its fields in a fixed order (docs/replay-format.md
/// "Totals"). New counters are appended at the end; the order of existing ones never changes.
/// </summary>
internal static class CountsCodec
{
    public const int Fields = 34;

    /// <summary>The counts of format 2 and older (without <see cref="CampaignCounts.LostDom0Buffer"/>); format 3 has 26 (without the daemon's).</summary>
    public const int FieldsMin = 25;

    public static long[] ToArray(in CampaignCounts c) =>
    [
        c.ErrorArrivals, c.Corrected, c.Ucna, c.Srao, c.Srar, c.Fatal, c.MceEvents, c.CmciEvents, c.PollFinds,
        c.Resets, c.VmceInjected, c.VmceDeliveredToVcpus, c.GuestRecovered, c.GuestProcessKilled, c.GuestPanic,
        c.DomainsCrashed, c.PagesOfflined, c.LogsDelivered, c.LostPoolExhausted, c.LostResetBeforeFetch,
        c.LostVirqNotBound, c.LostInterposed, c.LostOverwritten, c.DowntimeNs, c.HandlerEvents, c.LostDom0Buffer,
        c.DaemonAccounted, c.DaemonOfflined, c.DaemonPending, c.DaemonFailed, c.DimmTriggers, c.SocketTriggers, c.UesOnRetiredPages, c.PagesRetiredAtEnd,
    ];

    public static CampaignCounts FromArray(ReadOnlySpan<long> v) => new()
    {
        ErrorArrivals = v[0],
        Corrected = v[1],
        Ucna = v[2],
        Srao = v[3],
        Srar = v[4],
        Fatal = v[5],
        MceEvents = v[6],
        CmciEvents = v[7],
        PollFinds = v[8],
        Resets = v[9],
        VmceInjected = v[10],
        VmceDeliveredToVcpus = v[11],
        GuestRecovered = v[12],
        GuestProcessKilled = v[13],
        GuestPanic = v[14],
        DomainsCrashed = v[15],
        PagesOfflined = v[16],
        LogsDelivered = v[17],
        LostPoolExhausted = v[18],
        LostResetBeforeFetch = v[19],
        LostVirqNotBound = v[20],
        LostInterposed = v[21],
        LostOverwritten = v[22],
        DowntimeNs = v[23],
        HandlerEvents = v[24],
        LostDom0Buffer = v.Length > 25 ? v[25] : 0,
        DaemonAccounted = At(v, 26),
        DaemonOfflined = At(v, 27),
        DaemonPending = At(v, 28),
        DaemonFailed = At(v, 29),
        DimmTriggers = At(v, 30),
        SocketTriggers = At(v, 31),
        UesOnRetiredPages = At(v, 32),
        PagesRetiredAtEnd = At(v, 33),
    };

    /// <summary>Field <paramref name="i"/>, or 0 in a file older than the field (format 3 wrote 26).</summary>
    private static long At(ReadOnlySpan<long> v, int i) => i < v.Length ? v[i] : 0;
}
