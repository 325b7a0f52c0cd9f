namespace Mca.Systems.Components;

/// <summary>A guest vCPU entity: its guest-visible MCA registers (xen-mca.md §3.1 current model).</summary>
public struct VcpuState
{
    public int DomainRow;
    public short DomId;
    public byte VcpuIndex;
    public ulong McgCap;
    public ulong McgStatus;
    public ulong McgExtCtl;
    public ulong Bank1Status;
    public ulong Bank1Addr;
    public ulong Bank1Misc;
    public ulong Bank1Ctl2;
    public bool McePending;
}
