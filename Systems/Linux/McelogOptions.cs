namespace Mca.Systems.Linux;

/// <summary>
/// How <see cref="Mcelog"/> decodes: the level style, the status-line style, and the CPU identity that
/// struct mce carries in <c>cpuvendor</c>/<c>cpuid</c>. <c>default</c> is Classic levels, Current status
/// lines, vendor Intel and no CPUID line.
/// </summary>
/// <param name="LevelStyle">Cache-level numbering; see <see cref="McelogLevelStyle"/>.</param>
/// <param name="CpuVendor">Linux vendor number (0 Intel, 2 AMD, ...; Linux asm/processor.h X86_VENDOR_*).</param>
/// <param name="CpuId">CPUID leaf 1 EAX; 0 means unknown and prints no "CPUID Vendor" line.</param>
public readonly record struct McelogOptions(McelogLevelStyle LevelStyle, byte CpuVendor, uint CpuId)
{
    /// <summary>The "MCi status:" lines; see <see cref="McelogStatusStyle"/>. Current unless set.</summary>
    public McelogStatusStyle StatusStyle { get; init; }

    /// <summary>Classic levels, Current status lines, vendor Intel, no CPUID line.</summary>
    public static McelogOptions Default => default;

    /// <summary>The given level style with Current status lines, vendor Intel and no CPUID line.</summary>
    public static McelogOptions For(McelogLevelStyle levelStyle) => new(levelStyle, 0, 0);

    /// <summary>The given level and status styles with vendor Intel and no CPUID line.</summary>
    public static McelogOptions For(McelogLevelStyle levelStyle, McelogStatusStyle statusStyle) =>
        new(levelStyle, 0, 0) { StatusStyle = statusStyle };
}
