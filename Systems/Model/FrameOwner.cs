namespace Mca.Systems.Model;

/// <summary>Who owns a machine frame, as <c>offline_page</c> would classify it (Xen page_alloc.c).</summary>
public enum FrameOwnerKind : byte
{
    /// <summary>Outside RAM: offline_page fails with -EINVAL.</summary>
    Invalid,
    /// <summary>Xen-fixed (image, boot data): offline fails with -EPERM.</summary>
    XenFixed,
    /// <summary>Xen heap page in use: offline is PENDING without OWNED.</summary>
    XenHeap,
    /// <summary>Free: offline retires it at once (OFFLINED).</summary>
    Free,
    /// <summary>Owned by a domain: PENDING|OWNED with the domain id.</summary>
    Domain,
}

/// <summary>The owner of one machine frame and, for a domain, the guest frame it backs.</summary>
public readonly record struct FrameOwner(FrameOwnerKind Kind, int DomId, long Gfn)
{
    public static FrameOwner None(FrameOwnerKind kind) => new(kind, -1, -1);
}
