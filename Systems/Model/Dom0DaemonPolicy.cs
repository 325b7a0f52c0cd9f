namespace Mca.Systems.Model;

/// <summary>Which dom0 daemon reads the mcelog records and keeps the per-page counts.</summary>
public enum Dom0DaemonKind : byte
{
    /// <summary>No predictive accounting: records are only logged.</summary>
    None,
    /// <summary>mcelog --daemon: leaky buckets per page, per DIMM and per socket (mcelog page.c, memdb.c, leaky-bucket.c).</summary>
    Mcelog,
    /// <summary>rasdaemon's page isolation: a count per page reset every refresh cycle (rasdaemon ras-page-isolation.c, misc/rasdaemon.env).</summary>
    Rasdaemon,
}

/// <summary>What the daemon does with a page whose CE count crosses its threshold (mcelog page.c <c>memory-ce-action</c>, rasdaemon <c>PAGE_CE_ACTION</c>).</summary>
public enum PageAction : byte
{
    Off,
    /// <summary>Count and report the crossing, offline nothing.</summary>
    Account,
    Soft,
    Hard,
    SoftThenHard,
}

/// <summary>
/// dom0's predictive page offlining as policy data (source-audit §6): the daemon, its per-4 KiB-page threshold
/// (n records per window) and action, the per-DIMM and per-socket trigger thresholds, how long a domain keeps
/// an offline-pending page before it frees it, and whether dom0 re-offlines its pages after a host reboot.
/// Under Xen every offlining action reaches the hypervisor through <c>xen-hptool mem-offline</c>
/// (<c>XEN_SYSCTL_page_offline_op</c>, <c>offline_page(mfn, broken = 0)</c>): dom0's sysfs offline files take dom0
/// pseudo-physical frames, not the machine frames the records carry, so soft, hard and soft-then-hard are the
/// same hypercall here.
/// </summary>
public sealed record Dom0DaemonPolicy
{
    public const long HourNs = 3600L * 1_000_000_000L;

    /// <summary>The preset's name (off, mcelog, rasdaemon), or "custom" once a setting differs.</summary>
    public required string Name { get; init; }
    public required Dom0DaemonKind Kind { get; init; }
    public required PageAction Action { get; init; }
    /// <summary>Records on one page within <see cref="PageWindowNs"/> that cross the threshold (0: never).</summary>
    public required int PageThreshold { get; init; }
    public required long PageWindowNs { get; init; }
    /// <summary>mcelog memdb <c>ce-error-threshold</c> per DIMM (0: none); a crossing is counted as a DIMM trigger.</summary>
    public required int DimmCeThreshold { get; init; }
    /// <summary>mcelog memdb <c>uc-error-threshold</c> per DIMM (0: none); a crossing is counted as a DIMM trigger.</summary>
    public required int DimmUcThreshold { get; init; }
    /// <summary>mcelog <c>socket-memory-ce-threshold</c>-style bucket per socket (0: none); a crossing is a socket trigger.</summary>
    public required int SocketThreshold { get; init; }
    /// <summary>The window of the DIMM and socket buckets.</summary>
    public required long TriggerWindowNs { get; init; }
    /// <summary>
    /// Mean time a domain keeps an offline-pending page before its allocator frees it and the page leaves service
    /// (model choice, exponential per page; Xen page_alloc.c: a PENDING page is offlined when it is freed).
    /// </summary>
    public required long PendingReleaseMeanNs { get; init; }
    /// <summary>The RFC's "dom0 remembers offlined pages and offlines them again at boot"; Xen itself forgets them (source-audit §2).</summary>
    public required bool PersistAcrossReboot { get; init; }

    /// <summary>Whether any record is accounted at all.</summary>
    public bool Active => Kind != Dom0DaemonKind.None && Action != PageAction.Off;

    /// <summary>Whether a page crossing asks Xen to offline the page.</summary>
    public bool Offlines => Active && Action >= PageAction.Soft;

    /// <summary>Nothing accounted, nothing offlined: what a 2009 dom0 ran (mcelog from cron; page offline came with Linux 2.6.33 and mcelog's daemon mode).</summary>
    public static Dom0DaemonPolicy Off { get; } = new()
    {
        Name = "off",
        Kind = Dom0DaemonKind.None,
        Action = PageAction.Off,
        PageThreshold = 0,
        PageWindowNs = 24 * HourNs,
        DimmCeThreshold = 0,
        DimmUcThreshold = 0,
        SocketThreshold = 0,
        TriggerWindowNs = 24 * HourNs,
        PendingReleaseMeanNs = 24 * HourNs,
        PersistAcrossReboot = false,
    };

    /// <summary>
    /// Shipped mcelog.conf: <c>memory-ce-threshold = 2 / 24h</c>, <c>memory-ce-action = soft</c> (mcelog c75cd42e245d),
    /// memdb <c>ce-error-threshold = 10 / 24h</c>, <c>uc-error-threshold = 1 / 24h</c>, per socket 100 / 24h (source-audit §6).
    /// </summary>
    public static Dom0DaemonPolicy Mcelog { get; } = Off with
    {
        Name = "mcelog",
        Kind = Dom0DaemonKind.Mcelog,
        Action = PageAction.Soft,
        PageThreshold = 2,
        DimmCeThreshold = 10,
        DimmUcThreshold = 1,
        SocketThreshold = 100,
    };

    /// <summary>rasdaemon.env: <c>PAGE_CE_THRESHOLD=50</c>, <c>PAGE_CE_REFRESH_CYCLE=24h</c>, <c>PAGE_CE_ACTION=soft</c>; no DIMM or socket triggers.</summary>
    public static Dom0DaemonPolicy Rasdaemon { get; } = Off with
    {
        Name = "rasdaemon",
        Kind = Dom0DaemonKind.Rasdaemon,
        Action = PageAction.Soft,
        PageThreshold = 50,
    };

    public static IReadOnlyList<Dom0DaemonPolicy> Presets { get; } = [Off, Mcelog, Rasdaemon];

    /// <summary>
    /// The default per handler policy: <c>off</c> for both. A 2009 dom0 (RHEL 5 era) ran mcelog hourly from cron,
    /// which keeps no counts, and soft_offline_page arrived only in Linux 2.6.33 (2010). A current dom0 ships mcelog
    /// with <c>memory-ce-action = soft</c>, but its sysfs offline takes dom0 pseudo-physical frames, not the machine
    /// frames Xen's records carry, so out of the box no faulty frame leaves service (source-audit §6); the
    /// <see cref="Mcelog"/> preset models a site that adds the xen-hptool trigger.
    /// </summary>
#pragma warning disable IDE0060 // The policy is the key a per-policy default is looked up by, even while both are off.
    public static Dom0DaemonPolicy DefaultFor(string policyName) => Off;
#pragma warning restore IDE0060

    /// <summary>A preset by name; null when there is none.</summary>
    public static Dom0DaemonPolicy? Find(string name) =>
        Presets.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase));
}
