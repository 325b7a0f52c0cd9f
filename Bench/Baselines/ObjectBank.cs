using Mca.Systems.Model;

namespace Mca.Bench.Baselines;

/// <summary>
/// One physical MCA bank as an object. A CPU holds references to the banks it sees, so a core or package
/// bank is one object shared by several CPUs (the natural object-oriented way to model shared banks).
/// </summary>
internal sealed class ObjectBank
{
    public ObjectBank(int bankIndex, BankScope scope)
    {
        BankIndex = bankIndex;
        Scope = scope;
    }

    public int BankIndex { get; }
    public BankScope Scope { get; }
    public int CmciOwnerCpu { get; set; } = -1;
    public ulong Ctl { get; set; }
    public ulong Status { get; set; }
    public ulong Addr { get; set; }
    public ulong Misc { get; set; }
    public ulong Ctl2 { get; set; }
    public int InterposedCpu { get; set; } = -1;
    public ulong InterposedStatus { get; set; }
    public ulong InterposedAddr { get; set; }
    public ulong InterposedMisc { get; set; }
    public long CorrectedSinceLogout { get; set; }

    /// <summary>mca_rdmsr as <paramref name="cpu"/> sees the bank: its interposed value first.</summary>
    public (ulong Status, ulong Addr, ulong Misc) ReadFor(int cpu) =>
        InterposedCpu == cpu ? (InterposedStatus, InterposedAddr, InterposedMisc) : (Status, Addr, Misc);

    /// <summary>mca_wrmsr of 0 to STATUS by <paramref name="cpu"/>: deletes its interposed value, else clears the registers.</summary>
    public void ClearFor(int cpu)
    {
        if (InterposedCpu == cpu)
        {
            DropInterposed();
            return;
        }

        Status = 0;
        Addr = 0;
        Misc = 0;
        CorrectedSinceLogout = 0;
    }

    public void DropInterposed()
    {
        InterposedCpu = -1;
        InterposedStatus = 0;
        InterposedAddr = 0;
        InterposedMisc = 0;
    }
}
