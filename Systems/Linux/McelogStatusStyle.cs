namespace Mca.Systems.Linux;

/// <summary>
/// Which mcelog prints the "MCi status:" lines of an uncorrected record (mcelog p4.c decode_mci). The
/// default is <see cref="Current"/>, what mcelog prints today; it is independent of
/// <see cref="McelogLevelStyle"/>.
/// </summary>
public enum McelogStatusStyle
{
    /// <summary>
    /// mcelog since 7aa8179 (2025-04-30): "Processor context corrupt" or else, when S or AR is set, the
    /// UCNA/AR/SRAO/SRAR line; a record with PCC prints no SRAO/SRAR line.
    /// </summary>
    Current = 0,

    /// <summary>
    /// mcelog before 7aa8179: "Processor context corrupt" and the UCNA/AR/SRAO/SRAR line are independent
    /// tests, so a record with PCC and S prints both, PCC first.
    /// </summary>
    Classic = 1,
}
