namespace Mca.Systems.Linux;

/// <summary>What the kernel did about an error beyond logging it.</summary>
public enum LinuxActionKind : byte
{
    /// <summary>memory_failure(pfn, flags).</summary>
    MemoryFailure,
    /// <summary>A SIGBUS to the task current on the CPU.</summary>
    Sigbus,
    /// <summary>fixup_exception: the kernel resumed at the MCE-safe fixup of the faulting ip.</summary>
    KernelFixup,
}

/// <summary>si_code of a SIGBUS.</summary>
public enum LinuxSigbusCode : byte
{
    None,
    /// <summary>force_sig(SIGBUS): SI_KERNEL, no address.</summary>
    Kernel,
    /// <summary>BUS_MCEERR_AR with the poisoned address.</summary>
    McErrAr,
}

/// <summary>memory_failure flags.</summary>
[Flags]
public enum MemoryFailureFlags : byte
{
    None = 0,
    ActionRequired = 1 << 0,
    MustKill = 1 << 1,
}

/// <summary>What memory_failure returned, as the model sees it.</summary>
public enum MemoryFailureResult : byte
{
    None,
    /// <summary>0: the page was poisoned and isolated now.</summary>
    Recovered,
    /// <summary>-EHWPOISON: the page was already poisoned.</summary>
    AlreadyPoisoned,
}

/// <summary>One action, in the order the kernel took it.</summary>
public readonly record struct LinuxAction
{
    public LinuxActionKind Kind { get; init; }
    public int Cpu { get; init; }
    public int InjectionIndex { get; init; }
    public ulong Pfn { get; init; }
    /// <summary>The error address (SIGBUS si_addr, memory_failure's source address).</summary>
    public ulong Address { get; init; }
    /// <summary>The faulting ip, for <see cref="LinuxActionKind.KernelFixup"/>.</summary>
    public ulong Ip { get; init; }
    public MemoryFailureFlags Flags { get; init; }
    public MemoryFailureResult Result { get; init; }
    public LinuxSigbusCode SigbusCode { get; init; }
    /// <summary>The kernel function that took the action: kill_me_maybe, kill_me_now, kill_me_never, uc_decode_notifier, mce_ring, mce_notify_process, force_sig, memory_failure, fixup_exception.</summary>
    public string Via { get; init; }
}
