namespace Mca.Systems.Components;

/// <summary>A physical CPU entity: topology, MCG registers, what it was running, and its per-#MC flags.</summary>
public struct CpuState
{
    public short CpuIndex;
    public byte Socket;
    public byte Core;
    public byte Thread;
    public short ApicId;
    public bool Online;
    /// <summary>IA32_MCG_STATUS as the hardware set it.</summary>
    public ulong McgStatus;
    /// <summary>An injected MCG_STATUS visible to this CPU only (xen-mceinj interposition, Xen mce.c intpose_add).</summary>
    public ulong InterposedMcgStatus;
    public bool McgInterposed;
    /// <summary>The domain whose vCPU was running when the #MC came, or -1 for Xen itself.</summary>
    public short RunningDomain;
    public short RunningVcpu;
    /// <summary>Bank indices whose CMCI this CPU owns (mce_banks_owned, Xen mce_intel.c cmci_discover).</summary>
    public ulong CmciOwnedMask;
    /// <summary>Bank indices this CPU polls (poll_bankmask: no_cmci_banks, Xen mce_intel.c).</summary>
    public ulong PollMask;

    /// <summary>A CMCI is waiting for this CPU's handler.</summary>
    public bool CmciPending;

    // Scratch of the current #MC.
    public bool FoundError;
    public bool Fatal;
    /// <summary>Telemetry cookie deferred on this CPU's pending list (-1 none).</summary>
    public int PendingCookie;
    /// <summary>Era (A) severity 0..3 of this CPU's logout (Xen 32e8dd573b mce_intel.c intel_machine_check).</summary>
    public byte Severity;
    public byte ArrivalRank;
    /// <summary>This CPU takes part in the current #MC rendezvous.</summary>
    public bool InMce;
}
