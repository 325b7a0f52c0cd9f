namespace Mca.Systems.Linux;

/// <summary>
/// Linux machine-check severity levels, ordered low to high with the values that "worst"
/// comparisons use (Linux arch/x86/kernel/cpu/mce/internal.h). <see cref="Ucna"/> is the DEFERRED level; the old tables
/// (<see cref="LinuxTableEra.V3"/>, <see cref="LinuxTableEra.V2632"/>) never produce it and grade
/// UCNA as <see cref="Keep"/>.
/// </summary>
public enum LinuxSeverity : byte
{
    No = 0,
    /// <summary>UCNA, an alias of DEFERRED.</summary>
    Ucna = 1,
    Keep = 2,
    Some = 3,
    Ao = 4,
    Uc = 5,
    Ar = 6,
    Panic = 7,
}

/// <summary>Kernel spellings of <see cref="LinuxSeverity"/>.</summary>
public static class LinuxSeverityNames
{
    private static readonly string[] Names = ["NO", "UCNA", "KEEP", "SOME", "AO", "UC", "AR", "PANIC"];

    /// <summary>The kernel's name: NO, UCNA, KEEP, SOME, AO, UC, AR or PANIC (Linux arch/x86/kernel/cpu/mce/internal.h).</summary>
    public static string ToKernelName(this LinuxSeverity severity)
    {
        int index = (int)severity;
        if ((uint)index >= (uint)Names.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "expected a LinuxSeverity from No (0) to Panic (7)");
        }

        return Names[index];
    }
}
