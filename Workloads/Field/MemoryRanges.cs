using System.Diagnostics;
using Mca.Ecs;
using Mca.Systems.Model;

namespace Mca.Workloads.Field;

/// <summary>
/// Draws machine addresses from a machine's memory map (docs/design.md: addresses come from the map, so the
/// page owner follows): uniformly over all of RAM, or over the frames in use (Xen's and the domains'),
/// which is where cached lines and loads come from.
/// </summary>
internal sealed class MemoryRanges
{
    private readonly long[] _inUseStart;
    private readonly long[] _inUseFrames;

    public MemoryRanges(MachineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        Spec = spec;
        var starts = new List<long> { 0 };
        var frames = new List<long> { spec.Memory.XenHeapEnd };
        foreach (var d in spec.Domains)
        {
            starts.Add(d.MfnBase);
            frames.Add(d.FrameCount);
        }

        _inUseStart = [.. starts];
        _inUseFrames = [.. frames];
        foreach (long f in _inUseFrames)
        {
            InUseFrames += f;
        }
    }

    public MachineSpec Spec { get; }

    /// <summary>Frames owned by Xen (fixed and heap) or by a domain.</summary>
    public long InUseFrames { get; }

    /// <summary>A 64-byte-aligned address in a frame in use.</summary>
    public ulong InUseAddress(ref CounterRng rng)
    {
        long k = rng.NextLong(InUseFrames);
        for (int r = 0; r < _inUseFrames.Length; r++)
        {
            if (k < _inUseFrames[r])
            {
                return LineIn(ref rng, _inUseStart[r] + k);
            }

            k -= _inUseFrames[r];
        }

        Debug.Fail("k is below the sum of the run lengths");
        return 0;
    }

    /// <summary>A 64-byte-aligned address anywhere in RAM.</summary>
    public ulong AnyAddress(ref CounterRng rng) => LineIn(ref rng, rng.NextLong(Spec.Memory.TotalFrames));

    /// <summary>Whether a load can consume <paramref name="address"/>: Xen or a domain uses its frame (a free frame is only scrubbed).</summary>
    public bool InUse(ulong address) => Spec.Memory.OwnerOf((long)(address >> MemoryMap.PageShift)).Kind is FrameOwnerKind.Domain or FrameOwnerKind.XenFixed or FrameOwnerKind.XenHeap;

    private static ulong LineIn(ref CounterRng rng, long frame) =>
        ((ulong)frame << MemoryMap.PageShift) | ((ulong)rng.NextInt(1 << (MemoryMap.PageShift - 6)) << 6);
}
