namespace Mca.Systems.Linux;

/// <summary>Where the error was consumed, as the grader sees it (Linux severity.c error_context).</summary>
public enum LinuxContext : byte
{
    /// <summary>IN_KERNEL: kernel mode without an MCE-safe exception-table fixup.</summary>
    Kernel,
    /// <summary>IN_USER: (cs &amp; 3) == 3.</summary>
    User,
    /// <summary>IN_KERNEL_RECOV: kernel mode at an ip with an MCE-safe fixup (modern kernels only).</summary>
    KernelRecov,
}
