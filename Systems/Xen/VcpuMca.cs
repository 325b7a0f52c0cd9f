namespace Mca.Systems.Xen;

/// <summary>One virtual MCA bank of a vCPU (<c>struct vmce_bank</c>).</summary>
public struct VmceBank
{
    public ulong Status;
    public ulong Addr;
    public ulong Misc;
    public ulong Ctl2;
}

/// <summary>
/// The guest-visible MCA state of one vCPU in the current model (<c>v-&gt;arch.vmce</c> plus
/// <c>v-&gt;mce_pending</c>; Xen vmce.c, asm/mce.h): two banks, the error always in bank 1.
/// </summary>
public struct VcpuMca
{
    /// <summary>vMCG_CAP (see <see cref="VmceMsrs.GuestMcgCap"/>).</summary>
    public ulong McgCap;
    /// <summary>vMCG_STATUS; MCIP set means the previous vMCE is not handled yet.</summary>
    public ulong McgStatus;
    /// <summary>vMCG_EXT_CTL (only bit 0, LMCE_EN).</summary>
    public ulong McgExtCtl;
    public VmceBank Bank0;
    public VmceBank Bank1;
    /// <summary><c>mce_pending</c>: a vMCE waits to be delivered on the next entry to the guest.</summary>
    public bool McePending;

    /// <summary>A freshly initialized vCPU (<c>vmce_init_vcpu</c>): the guest MCG_CAP, everything else zero.</summary>
    public static VcpuMca Create(bool hostIntel, bool lmce = false) => new() { McgCap = VmceMsrs.GuestMcgCap(hostIntel, lmce) };
}
