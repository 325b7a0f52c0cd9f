namespace Mca.Systems.Linux;

/// <summary>
/// Which mcelog prints the cache level of a compound MCACOD (mcelog p4.c; Intel SDM vol. 3B 15.9.2).
/// The default is <see cref="Classic"/> because the strings Xen's mce-test greps for in dom0's mcelog
/// output ("Generic CACHE Level-2 Eviction Error" for 0x017A, "Data CACHE Level-2 Data-Read Error" for
/// 0x0136; Xen mce-test mcelog_verify) are the pre-2021 ones, and the acceptance suite pins those.
/// </summary>
public enum McelogLevelStyle
{
    /// <summary>
    /// mcelog before its 2021 change (andikleen/mcelog 570893f8^): a cache error's LL field prints as
    /// "Level-LL", so LL = 10 is "Level-2". The strings Xen's mce-test checks.
    /// </summary>
    Classic = 0,

    /// <summary>
    /// mcelog since 2021 (HEAD): a cache error prints "Level-(LL+1)", so 0x0134 is "Level-1" and 0x017A
    /// "Level-3"; LL = 11 has no name and prints "UNKNOWN". TLB, generic-hierarchy and bus levels are unchanged.
    /// </summary>
    Modern = 1,
}
