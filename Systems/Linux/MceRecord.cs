namespace Mca.Systems.Linux;

/// <summary>How an injected record is raised (mce-inject flags, andikleen/mce-inject mce.y).</summary>
[Flags]
public enum InjectFlags : ushort
{
    None = 0,
    /// <summary>Queue for its CPU; injected together with the next non-held record.</summary>
    Hold = 1 << 0,
    NoBroadcast = 1 << 1,
    IrqBroadcast = 1 << 2,
    /// <summary>The default broadcast style.</summary>
    NmiBroadcast = 1 << 3,
    InIrq = 1 << 4,
    InProc = 1 << 5,
    /// <summary>Raise through machine_check_poll.</summary>
    Poll = 1 << 6,
    /// <summary>Raise as a #MC exception.</summary>
    Excp = 1 << 7,
}

/// <summary>
/// One machine-check record as written in an mce-inject scenario (andikleen/mce-inject mce.y): the values a
/// CPU's bank and MCG registers are made to hold, and how the error is raised. Addresses are
/// host-physical. Source position is kept so later errors can name the scenario line.
/// </summary>
public readonly record struct MceRecord
{
    public int Cpu { get; init; }
    public int Bank { get; init; }
    public ulong Status { get; init; }
    public ulong McgStatus { get; init; }
    public ulong Addr { get; init; }
    public ulong Misc { get; init; }
    /// <summary>RIP; <see cref="Cs"/> decides user (cs &amp; 3 == 3) or kernel context.</summary>
    public ulong Ip { get; init; }
    public ushort Cs { get; init; }
    public ulong Tsc { get; init; }
    public ulong Time { get; init; }
    public int SocketId { get; init; }
    public int ApicId { get; init; }
    public ulong McgCap { get; init; }
    public InjectFlags Flags { get; init; }
    /// <summary>1-based line of the record's first token in its scenario file (0 if not from a file).</summary>
    public int Line { get; init; }
    /// <summary>1-based column of the record's first token (0 if not from a file).</summary>
    public int Column { get; init; }
    /// <summary>1-based line and column of the record's last STATUS term (0 if it has none or is not from a file).</summary>
    public int StatusLine { get; init; }
    public int StatusColumn { get; init; }
}
