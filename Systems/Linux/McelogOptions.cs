namespace Mca.Systems.Linux;

/// <summary>
/// How <see cref="Mcelog"/> decodes: the level style, and the CPU identity that struct mce carries in
/// <c>cpuvendor</c>/<c>cpuid</c>. <c>default</c> is Classic levels, vendor Intel and no CPUID line.
/// </summary>
/// <param name="LevelStyle">Cache-level numbering; see <see cref="McelogLevelStyle"/>.</param>
/// <param name="CpuVendor">Linux vendor number (0 Intel, 2 AMD, ...; Linux asm/processor.h X86_VENDOR_*).</param>
/// <param name="CpuId">CPUID leaf 1 EAX; 0 means unknown and prints no "CPUID Vendor" line.</param>
public readonly record struct McelogOptions(McelogLevelStyle LevelStyle, byte CpuVendor, uint CpuId)
{
    /// <summary>Classic levels, vendor Intel, no CPUID line.</summary>
    public static McelogOptions Default => default;

    /// <summary>The given level style with vendor Intel and no CPUID line.</summary>
    public static McelogOptions For(McelogLevelStyle levelStyle) => new(levelStyle, 0, 0);
}
