namespace Mca.Systems.Components;

/// <summary>
/// A guest vCPU entity's identity. Its guest-visible MCA registers are the <see cref="Xen.VcpuMca"/>
/// component on the same entity (Xen vmce.c per-vCPU vMCE).
/// </summary>
public struct VcpuInfo
{
    public int DomainRow;
    public short DomId;
    public byte VcpuIndex;
}
