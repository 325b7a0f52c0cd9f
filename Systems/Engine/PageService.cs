using Mca.Systems.Hardware;

namespace Mca.Systems.Engine;

/// <summary>
/// Which machine frames are out of service: what an error source asks so that a page dom0 had offlined is no longer
/// read by its owner (its demand CEs stop, its UEs are found by the patrol scrubber), while the errors themselves
/// stay the same draws whatever the policy (source-audit §6: a paired comparison).
/// </summary>
public interface IPageService
{
    /// <summary>Whether frame <paramref name="mfn"/> of the machine is out of service at <paramref name="timeNs"/>.</summary>
    bool OutOfService(int machineIndex, long mfn, long timeNs);
}

/// <summary>
/// Xen's view of the frames dom0 asked it to offline, per machine: the instant each leaves service (at once for a
/// free frame; when its owner frees it for a domain's; never for a Xen heap frame). Xen keeps it in page_info, so a
/// host reboot forgets it (source-audit §2).
/// </summary>
internal sealed class PageTable : IPageService
{
    /// <summary>4 KiB pages: an mcelog record's address and a frame number differ by this shift.</summary>
    public const int PageShift = 12;

    private readonly Dictionary<long, long>?[] _leavesAt;

    public PageTable(int machineCount) => _leavesAt = new Dictionary<long, long>?[machineCount];

    public bool OutOfService(int machineIndex, long mfn, long timeNs) =>
        _leavesAt[machineIndex] is { } pages && pages.TryGetValue(mfn, out long at) && timeNs >= at;

    /// <summary>Whether the machine has any frame offlined or pending (else no error is on one).</summary>
    public bool Any(int machineIndex) => _leavesAt[machineIndex] is { Count: > 0 };

    /// <summary>The instant the frame leaves service (<see cref="long.MaxValue"/>: it does not, or not yet known).</summary>
    public long LeavesServiceAt(int machineIndex, long mfn) =>
        _leavesAt[machineIndex] is { } pages && pages.TryGetValue(mfn, out long at) ? at : long.MaxValue;

    /// <summary>Whether Xen holds an offline request for the frame (offlined or pending).</summary>
    public bool Requested(int machineIndex, long mfn) => _leavesAt[machineIndex]?.ContainsKey(mfn) == true;

    /// <summary>Records an offline request: the frame leaves service at <paramref name="atNs"/> (the earlier of two requests wins).</summary>
    public void Request(int machineIndex, long mfn, long atNs)
    {
        var pages = _leavesAt[machineIndex] ??= [];
        pages[mfn] = pages.TryGetValue(mfn, out long old) ? Math.Min(old, atNs) : atNs;
    }

    /// <summary>A host reboot: page_info is rebuilt, every frame is RAM in service again (Xen page_alloc.c; source-audit §2).</summary>
    public void Forget(int machineIndex) => _leavesAt[machineIndex]?.Clear();

    /// <summary>Frames out of service at <paramref name="timeNs"/> on the machine.</summary>
    public int RetiredAt(int machineIndex, long timeNs)
    {
        int n = 0;
        if (_leavesAt[machineIndex] is { } pages)
        {
            foreach (long at in pages.Values)
            {
                n += timeNs >= at ? 1 : 0;
            }
        }

        return n;
    }

    /// <summary>Whether an arriving error is a demand read of memory on a frame out of service: then it never happens (its owner no longer reads the page).</summary>
    public bool Suppresses(int machineIndex, ulong status, ulong addr, long timeNs) =>
        IsDemandReadCe(status) && OutOfService(machineIndex, (long)(addr >> PageShift), timeNs);

    /// <summary>
    /// A corrected memory-controller error of a demand read with a valid address: MCACOD 0000 0000 1001 CCCC (Intel SDM
    /// vol. 3B 15.9.2, memory-controller errors, request "memory read"); the patrol scrubber's (1100) keep coming.
    /// </summary>
    public static bool IsDemandReadCe(ulong status) =>
        (status & (MciStatusBits.Uc | MciStatusBits.AddrV)) == MciStatusBits.AddrV && (status & 0xFFF0) == 0x0090;

    /// <summary>A memory-controller error (MCACOD 0000 0000 1MMM CCCC), as mcelog tells one (mcelog intel.c: <c>(mca &gt;&gt; 7) == 1</c>).</summary>
    public static bool IsMemoryError(ulong status) => ((status & 0xFFFF) >> 7) == 1;
}
