namespace Mca.Systems.Components;

/// <summary>
/// A guest vCPU entity's identity. Its guest-visible MCA registers are the <see cref="Xen.VcpuMca"/>
/// component on the same entity (xen-mca.md §3.1 current model).
/// </summary>
public struct VcpuInfo
{
    public int DomainRow;
    public short DomId;
    public byte VcpuIndex;
}
