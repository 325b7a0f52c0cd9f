namespace Mca.Systems.Xen;

/// <summary>The <c>PG_OFFLINE_*</c> status bits of <c>offline_page</c> (public/sysctl.h), as stored in the recovery record.</summary>
internal static class PageOfflineStatus
{
    public const ulong Offlined = 1UL << 1;
    public const ulong Pending = 1UL << 2;
    public const ulong Failed = 1UL << 3;
    public const ulong Again = 1UL << 4;
    public const ulong XenPage = 1UL << 8;
    public const ulong Dom0Page = 1UL << 9;
    public const ulong Anonymous = 1UL << 10;
    public const ulong NotConventionalRam = 1UL << 11;
    public const ulong Owned = 1UL << 12;
    public const ulong Broken = 1UL << 13;
    /// <summary><c>PG_OFFLINE_OWNER_SHIFT</c>: the owner domid sits in bits 31:16.</summary>
    public const int OwnerShift = 16;

    /// <summary>The owner domid carried in a status word.</summary>
    public static ushort Owner(ulong status) => (ushort)(status >> OwnerShift);
}

/// <summary>What <c>offline_page(mfn, broken = 1)</c> found (Xen page_alloc.c).</summary>
public enum PageOfflineOutcome : byte
{
    /// <summary>The page was free (or already offlined) and is now retired: PG_OFFLINE_OFFLINED.</summary>
    Offlined,
    /// <summary>The page was already broken and owned; <c>offline_page</c> crashed the owner: PG_OFFLINE_AGAIN.</summary>
    Again,
    /// <summary>Owned by a domain (possibly DOMID_XEN for a shared Xen page): PENDING | OWNED, owner in bits 31:16.</summary>
    PendingOwned,
    /// <summary>A Xen heap page: PENDING | XENPAGE, no OWNED bit.</summary>
    PendingXenHeap,
    /// <summary>In use, owner unknown: FAILED | ANONYMOUS (returns success, result unchanged).</summary>
    Anonymous,
    /// <summary><c>offline_page</c> failed with -EINVAL: the MFN is not valid.</summary>
    InvalidMfn,
    /// <summary><c>offline_page</c> failed with -EPERM: a Xen-fixed MFN (status XENPAGE | FAILED).</summary>
    XenFixed,
    /// <summary><c>offline_page</c> failed with -EINVAL: not conventional RAM.</summary>
    NotConventionalRam,
}

/// <summary>The outcome of <c>offline_page</c> for one frame, with the owner when the page is owned.</summary>
internal readonly record struct PageOfflineResult(PageOfflineOutcome Outcome, ushort Owner)
{
    public static PageOfflineResult Offlined() => new(PageOfflineOutcome.Offlined, XenIds.DomIdInvalid);
    public static PageOfflineResult Again() => new(PageOfflineOutcome.Again, XenIds.DomIdInvalid);
    public static PageOfflineResult PendingOwned(ushort owner) => new(PageOfflineOutcome.PendingOwned, owner);
    public static PageOfflineResult PendingXenHeap() => new(PageOfflineOutcome.PendingXenHeap, XenIds.DomIdXen);
    public static PageOfflineResult Anonymous() => new(PageOfflineOutcome.Anonymous, XenIds.DomIdInvalid);
    public static PageOfflineResult InvalidMfn() => new(PageOfflineOutcome.InvalidMfn, XenIds.DomIdInvalid);
    public static PageOfflineResult XenFixed() => new(PageOfflineOutcome.XenFixed, XenIds.DomIdXen);
    public static PageOfflineResult NotConventionalRam() => new(PageOfflineOutcome.NotConventionalRam, XenIds.DomIdInvalid);

    /// <summary>Whether <c>offline_page</c> returned an error (no recovery record, result unchanged).</summary>
    public bool CallFailed => Outcome is PageOfflineOutcome.InvalidMfn or PageOfflineOutcome.XenFixed or PageOfflineOutcome.NotConventionalRam;

    /// <summary>
    /// The status word <c>offline_page(mfn, 1, &amp;status)</c> reports, as page_alloc.c builds it:
    /// BROKEN is added on every path that reaches the heap lock (not for AGAIN or the error returns).
    /// 0 for <see cref="PageOfflineOutcome.InvalidMfn"/>, where Xen never writes it.
    /// </summary>
    public ulong StatusWord => Outcome switch
    {
        // Xen page_alloc.c offline_page: OFFLINED, AGAIN, PENDING | OWNED (owner in 31:16), PENDING (Xen heap), ANONYMOUS/FAILED
        PageOfflineOutcome.Offlined => PageOfflineStatus.Offlined | PageOfflineStatus.Broken,
        PageOfflineOutcome.Again => PageOfflineStatus.Again,
        PageOfflineOutcome.PendingOwned => PageOfflineStatus.Owned | PageOfflineStatus.Pending | ((ulong)Owner << PageOfflineStatus.OwnerShift) | PageOfflineStatus.Broken,
        PageOfflineOutcome.PendingXenHeap => PageOfflineStatus.XenPage | PageOfflineStatus.Pending | ((ulong)XenIds.DomIdXen << PageOfflineStatus.OwnerShift) | PageOfflineStatus.Broken,
        PageOfflineOutcome.Anonymous => PageOfflineStatus.Anonymous | PageOfflineStatus.Failed | ((ulong)XenIds.DomIdInvalid << PageOfflineStatus.OwnerShift) | PageOfflineStatus.Broken,
        PageOfflineOutcome.XenFixed => PageOfflineStatus.XenPage | PageOfflineStatus.Failed | ((ulong)XenIds.DomIdXen << PageOfflineStatus.OwnerShift),
        PageOfflineOutcome.NotConventionalRam => PageOfflineStatus.Failed | PageOfflineStatus.NotConventionalRam,
        _ => 0,
    };
}
