using Mca.Systems.Events;

namespace Mca.Systems.Engine;

/// <summary>The guest context an error interrupts, which decides a guest's grade (Linux severity.c error_context).</summary>
public enum GuestContext : byte
{
    User,
    Kernel,
    KernelRecov,
}

/// <summary>
/// One error to write into a machine: where, what, and how it is signalled. Real errors go through
/// the SDM overwrite rules; interposed ones (xen-mceinj) are seen only by <see cref="Cpu"/>.
/// </summary>
public struct ErrorInjection
{
    public long TimeNs;
    public int Cpu;
    public int BankIndex;
    public ulong Status;
    public ulong Addr;
    public ulong Misc;
    /// <summary>MCG_STATUS the hardware sets on <see cref="Cpu"/> for a #MC (others get MCIP|RIPV).</summary>
    public ulong McgStatus;
    /// <summary>How it is raised; <see cref="AutoSignal"/> lets the hardware rules decide.</summary>
    public Signal Signal;
    public bool AutoSignal;
    /// <summary>Whether the value is interposed for <see cref="Cpu"/> only (software injection).</summary>
    public bool Interposed;
    /// <summary>Corrected errors this injection stands for (folded in O(1)); 1 for a single error.</summary>
    public long Count;
    /// <summary>The guest context the error interrupts, if a guest consumes it.</summary>
    public GuestContext Context;
    /// <summary>Whether <see cref="Cpu"/> was running a guest vCPU (else Xen itself) when the #MC came.</summary>
    public bool InGuest;
    /// <summary>The domain and vCPU <see cref="Cpu"/> was running, when <see cref="InGuest"/>.</summary>
    public short RunningDomain;
    public short RunningVcpu;
}
