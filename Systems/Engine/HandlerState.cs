
namespace Mca.Systems.Engine;

/// <summary>
/// What Xen's handler keeps per machine outside the hardware rows: the pages it has offlined, the first panic
/// message, the RFC's vMCE queue of the round, and which machines may have a vCPU with <c>mce_pending</c>.
/// </summary>
internal sealed class HandlerState
{
    private readonly bool[] _vmceMaybePending;

    internal HandlerState(int machineCount)
    {
        PanicMessages = new string?[machineCount];
        _brokenPages = new HashSet<long>?[machineCount];
        _vmceMaybePending = new bool[machineCount];
    }

    /// <summary>Pages Xen has marked broken, per machine (null until the first; membership only, never iterated).</summary>
    private readonly HashSet<long>?[] _brokenPages;

    /// <summary>Whether Xen has marked <paramref name="mfn"/> of <paramref name="machine"/> broken since its last boot.</summary>
    internal bool IsBroken(int machine, long mfn) => _brokenPages[machine]?.Contains(mfn) == true;

    /// <summary>Marks a page broken (Xen page_alloc.c offline_page sets PGC_broken).</summary>
    internal void MarkBroken(int machine, long mfn) => (_brokenPages[machine] ??= []).Add(mfn);

    /// <summary>
    /// A host reboot forgets every broken page: PGC_broken lives in page_info, rebuilt at boot, and Xen never
    /// reads ERST back (Xen page_alloc.c offline_page; no caller of apei_read_mce).
    /// </summary>
    internal void ForgetBrokenPages(int machine) => _brokenPages[machine]?.Clear();

    /// <summary>The first panic message of each machine (null if it never panicked).</summary>
    public string?[] PanicMessages { get; }

    /// <summary>RFC vMCE items injected this round, delivered one at a time in order by the guest system.</summary>
    internal List<RfcVmce> RfcQueue { get; } = new(64);

    /// <summary>
    /// False only when no vCPU of the machine has <c>mce_pending</c>: every write to vCPU rows goes through
    /// <see cref="MachineBatch.VcpusOf"/>, which sets it, and only <see cref="SettleVmcePending"/> clears it, after
    /// looking. The guest system skips machines without one.
    /// </summary>
    public bool VmcePossiblyPending(int machine) => _vmceMaybePending[machine];

    internal void VcpusTouched(int machine) => _vmceMaybePending[machine] = true;

    /// <summary>Clears <see cref="VmcePossiblyPending"/> when none of <paramref name="vcpus"/> (the machine's) has <c>mce_pending</c>.</summary>
    internal void SettleVmcePending(int machine, ReadOnlySpan<Xen.VcpuMca> vcpus)
    {
        foreach (ref readonly var v in vcpus)
        {
            if (v.McePending)
            {
                return;
            }
        }

        _vmceMaybePending[machine] = false;
    }
}
