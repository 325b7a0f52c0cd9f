namespace Mca.Systems.Xen;

/// <summary><c>mc_flags</c> of the global telemetry record, the <c>MC_FLAG_*</c> constants of Xen public xen-mca.h.</summary>
[Flags]
internal enum McFlags : uint
{
    None = 0,
    /// <summary>MC_FLAG_CORRECTABLE.</summary>
    Correctable = 1 << 0,
    /// <summary>MC_FLAG_UNCORRECTABLE (some bank had PCC).</summary>
    Uncorrectable = 1 << 1,
    /// <summary>MC_FLAG_RECOVERABLE (some bank had UC, none PCC).</summary>
    Recoverable = 1 << 2,
    /// <summary>MC_FLAG_POLLED (poller and boot-time reset logouts).</summary>
    Polled = 1 << 3,
    /// <summary>MC_FLAG_RESET: defined in xen-mca.h but never set by Xen.</summary>
    Reset = 1 << 4,
    /// <summary>MC_FLAG_CMCI.</summary>
    Cmci = 1 << 5,
    /// <summary>MC_FLAG_MCE.</summary>
    Mce = 1 << 6,
}

/// <summary><c>mi-&gt;flags</c> of a whole <c>struct mc_info</c>.</summary>
[Flags]
internal enum McInfoFlags : uint
{
    None = 0,
    /// <summary>MCINFO_FLAGS_UNCOMPLETE: a block did not fit in the 768-byte record.</summary>
    Uncomplete = 1,
}

/// <summary>The <c>type</c> of a block inside <c>struct mc_info</c> (<c>MC_TYPE_*</c>).</summary>
internal enum McBlockType : ushort
{
    Global = 0,
    Bank = 1,
    Extended = 2,
    Recovery = 3,
}
