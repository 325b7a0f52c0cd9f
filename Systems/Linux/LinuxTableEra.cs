namespace Mca.Systems.Linux;

/// <summary>
/// Which kernel generation's grading table and #MC handler details to apply
/// (Linux 2.6.32/v3.x mce-severity.c and mce.c, modern severity.c and core.c). Old eras model the default tolerant = 1.
/// </summary>
internal enum LinuxTableEra : byte
{
    /// <summary>Current severity.c/core.c (v6.x): EXCP gates, UCNA level, AR rules, timeouts panic.</summary>
    Modern,
    /// <summary>v3.x mce-severity.c: first AR rules ("Action required: data load error"), no EXCP notion.</summary>
    V3,
    /// <summary>2.6.32 mce-severity.c: no AR rules, "Action required; unknown MCACOD" for MCACOD 0 only.</summary>
    V2632,
}
