using Mca.Systems.Model;

namespace Mca.Systems.Components;

/// <summary>
/// A physical bank entity. A package-scoped bank is one entity seen by every CPU of its socket.
/// Real registers follow the SDM; an interposed value is visible only to the CPU it was injected
/// on and is gone when written or when the machine resets (Xen mce.c intpose table).
/// </summary>
public struct BankState
{
    public short BankIndex;
    public BankScope Scope;
    /// <summary>The CPU owning this bank's CMCI, or -1 when the bank is polled.</summary>
    public short CmciOwnerCpu;
    public ulong Ctl;
    public ulong Status;
    public ulong Addr;
    public ulong Misc;
    public ulong Ctl2;
    /// <summary>The CPU an injected value is interposed for, or -1.</summary>
    public short InterposedCpu;
    public ulong InterposedStatus;
    public ulong InterposedAddr;
    public ulong InterposedMisc;
    /// <summary>Corrected errors counted in the bank since its last logout (beyond the 15-bit field).</summary>
    public long CorrectedSinceLogout;
}
