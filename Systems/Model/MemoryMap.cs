namespace Mca.Systems.Model;

/// <summary>
/// The machine-frame map of a machine shape: Xen-fixed frames, the Xen heap, domain runs and free
/// frames. Lookups are O(domains); the map is immutable and shared by every machine of a shape.
/// </summary>
public sealed class MemoryMap
{
    public const int PageShift = 12;

    private readonly DomainSpec[] _domainsByMfn;

    public MemoryMap(long totalFrames, long xenFixedFrames, long xenHeapFrames, IReadOnlyList<DomainSpec> domains)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(totalFrames);
        ArgumentOutOfRangeException.ThrowIfNegative(xenFixedFrames);
        ArgumentOutOfRangeException.ThrowIfNegative(xenHeapFrames);
        TotalFrames = totalFrames;
        XenFixedFrames = xenFixedFrames;
        XenHeapEnd = xenFixedFrames + xenHeapFrames;
        _domainsByMfn = [.. domains.OrderBy(d => d.MfnBase)];
        long previousEnd = XenHeapEnd;
        foreach (var d in _domainsByMfn)
        {
            if (d.MfnBase < previousEnd || d.MfnEnd > totalFrames)
            {
                throw new ArgumentException(
                    $"domain {d.DomId} frames [0x{d.MfnBase:x}, 0x{d.MfnEnd:x}) overlap Xen, another domain or the end of RAM 0x{totalFrames:x}");
            }

            previousEnd = d.MfnEnd;
        }
    }

    public long TotalFrames { get; }
    public long XenFixedFrames { get; }
    public long XenHeapEnd { get; }
    public long TotalBytes => TotalFrames << PageShift;

    /// <summary>maddr_get_owner / offline_page classification of a machine frame (Xen mce.c, page_alloc.c).</summary>
    public FrameOwner OwnerOf(long mfn)
    {
        if (mfn < 0 || mfn >= TotalFrames)
        {
            return FrameOwner.None(FrameOwnerKind.Invalid);
        }

        if (mfn < XenFixedFrames)
        {
            return FrameOwner.None(FrameOwnerKind.XenFixed);
        }

        if (mfn < XenHeapEnd)
        {
            return FrameOwner.None(FrameOwnerKind.XenHeap);
        }

        foreach (var d in _domainsByMfn)
        {
            if (mfn >= d.MfnBase && mfn < d.MfnEnd)
            {
                return new FrameOwner(FrameOwnerKind.Domain, d.DomId, mfn - d.MfnBase);
            }
        }

        return FrameOwner.None(FrameOwnerKind.Free);
    }

    /// <summary>get_gfn: the machine frame behind a domain's guest frame, or -1 when unmapped (Xen mce.c do_mca XEN_MC_msrinject).</summary>
    public long MfnOf(int domId, long gfn)
    {
        foreach (var d in _domainsByMfn)
        {
            if (d.DomId == domId)
            {
                return gfn >= 0 && gfn < d.FrameCount ? d.MfnBase + gfn : -1;
            }
        }

        return -1;
    }

    /// <summary>Frames in the run of a domain, or 0 if there is no such domain.</summary>
    public long FramesOf(int domId)
    {
        foreach (var d in _domainsByMfn)
        {
            if (d.DomId == domId)
            {
                return d.FrameCount;
            }
        }

        return 0;
    }
}
