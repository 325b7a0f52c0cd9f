namespace Mca.Systems.Xen;

/// <summary>Reserved Xen domain and vCPU ids that appear in MCA records (Xen public xen.h and xen-mca.h).</summary>
internal static class XenIds
{
    /// <summary>DOMID_XEN: pages owned by the hypervisor; xen-mceinj's default target.</summary>
    public const ushort DomIdXen = 0x7FF2;
    /// <summary>DOMID_COW: shared (copy-on-write) pages; Xen BUG()s if one is reported broken.</summary>
    public const ushort DomIdCow = 0x7FF3;
    /// <summary>DOMID_INVALID: the bank record's mc_domid before an owner is known.</summary>
    public const ushort DomIdInvalid = 0x7FF4;
    /// <summary>DOMID_IDLE: the running "domain" when the #MC interrupted an idle pCPU.</summary>
    public const ushort DomIdIdle = 0x7FFF;
    /// <summary>XEN_MC_VCPUID_INVALID (xen-mca.h).</summary>
    public const ushort VcpuIdInvalid = 0xFFFF;
    /// <summary>First reserved id: real domains are below this.</summary>
    public const ushort DomIdFirstReserved = 0x7FF0;

    /// <summary>True for an id a real domain can have (below DOMID_FIRST_RESERVED).</summary>
    public static bool IsRealDomain(ushort domId) => domId < DomIdFirstReserved;
}
