namespace Mca.Systems.Linux;

/// <summary>Which kernel path logged a record.</summary>
public enum LinuxLogSource : byte
{
    /// <summary>__mc_scan_banks inside the #MC handler.</summary>
    MachineCheck,
    /// <summary>machine_check_poll raised by an injected POLL record.</summary>
    InjectedPoll,
    /// <summary>machine_check_poll from the poll timer after an injection.</summary>
    TimerPoll,
}

/// <summary>
/// One record that reached /dev/mcelog (mce_log), with the values the kernel put in it: MISC and
/// ADDR only when MISCV/ADDRV are set (modern SER kernels truncate ADDR to the MISC LSB), ip/cs only
/// from the #MC path with RIPV or EIPV set.
/// </summary>
public readonly record struct LoggedMce
{
    public int Cpu { get; init; }
    public int Bank { get; init; }
    public ulong Status { get; init; }
    public ulong McgStatus { get; init; }
    public ulong Addr { get; init; }
    public ulong Misc { get; init; }
    public ulong Ip { get; init; }
    public ushort Cs { get; init; }
    public ulong Tsc { get; init; }
    public ulong Time { get; init; }
    public int SocketId { get; init; }
    public int ApicId { get; init; }
    /// <summary>The stored severity; null when the era's poller did not grade (2.6.32, v3.x).</summary>
    public LinuxGrade? Grade { get; init; }
    public LinuxLogSource Source { get; init; }
    /// <summary>0-based index of the injection that produced the record.</summary>
    public int InjectionIndex { get; init; }
}
