namespace Mca.Systems.Linux;

/// <summary>
/// The fields of one Linux <c>struct mce</c> record that mcelog's <c>dump_mce</c> prints (mcelog mcelog.c).
/// <see cref="Time"/> is the simulated time in whole seconds; it is printed as a number, never converted
/// to a calendar date, so output does not depend on the host clock or time zone.
/// </summary>
/// <param name="Cpu">Linux CPU number (<c>extcpu</c>).</param>
/// <param name="Bank">MCA bank, 0..255 (a u8 in struct mce; 128 and up are mcelog's software banks).</param>
/// <param name="Status">IA32_MCi_STATUS.</param>
/// <param name="McgStatus">IA32_MCG_STATUS.</param>
/// <param name="Addr">IA32_MCi_ADDR (printed only when ADDRV).</param>
/// <param name="Misc">IA32_MCi_MISC (printed only when MISCV).</param>
/// <param name="McgCap">IA32_MCG_CAP (printed when non-zero).</param>
/// <param name="ApicId">Initial APIC id, non-negative.</param>
/// <param name="SocketId">Socket id, non-negative.</param>
/// <param name="Tsc">TSC at logging time (printed when non-zero).</param>
/// <param name="Time">Simulated seconds (printed when non-zero).</param>
/// <param name="Ip">Instruction pointer (the RIP line is printed when non-zero).</param>
/// <param name="Cs">Code segment selector.</param>
public readonly record struct McelogInput(
    int Cpu,
    int Bank,
    ulong Status,
    ulong McgStatus,
    ulong Addr,
    ulong Misc,
    ulong McgCap,
    int ApicId,
    int SocketId,
    ulong Tsc,
    ulong Time,
    ulong Ip,
    ushort Cs);
