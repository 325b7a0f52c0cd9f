namespace Mca.Systems.Xen;

/// <summary>
/// The global block of a telemetry record, <c>struct mcinfo_global</c> (Xen public
/// xen-mca.h, filled by mce.c mcheck_mca_logout), plus two simulator fields (<see cref="Cpu"/>, <see cref="TimeNs"/>) that the C struct
/// does not have and that do not count towards <see cref="McInfo.GlobalSizeBytes"/>.
/// </summary>
internal struct McGlobal
{
    /// <summary><c>mc_flags</c>.</summary>
    public McFlags Flags;
    /// <summary><c>mc_gstatus</c>: MCG_STATUS as read at logout.</summary>
    public ulong McgStatus;
    /// <summary><c>mc_socketid</c> of the detecting CPU.</summary>
    public uint SocketId;
    /// <summary><c>mc_coreid</c> of the detecting CPU; the console dump prints this, not the logical CPU.</summary>
    public ushort CoreId;
    /// <summary><c>mc_core_threadid</c>.</summary>
    public ushort ThreadId;
    /// <summary><c>mc_apicid</c>.</summary>
    public uint ApicId;
    /// <summary><c>mc_domid</c>: the domain running on the detecting CPU (the interrupted context, not the victim).</summary>
    public ushort DomId;
    /// <summary><c>mc_vcpuid</c>: the running vCPU, or <see cref="XenIds.VcpuIdInvalid"/>.</summary>
    public ushort VcpuId;
    /// <summary>Simulator: logical number of the detecting pCPU (not in the C struct).</summary>
    public int Cpu;
    /// <summary>Simulator: simulated time of the logout in ns (not in the C struct).</summary>
    public long TimeNs;

    /// <summary>A global block as <c>mca_init_global</c> starts it: ids invalid until the running vCPU is known.</summary>
    public static McGlobal Create(McFlags flags, ulong mcgStatus, int cpu, long timeNs) => new()
    {
        Flags = flags,
        McgStatus = mcgStatus,
        DomId = XenIds.DomIdInvalid,
        VcpuId = XenIds.VcpuIdInvalid,
        Cpu = cpu,
        TimeNs = timeNs,
    };
}
