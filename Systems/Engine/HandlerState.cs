
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
        _vmceMaybePending = new bool[machineCount];
    }

    /// <summary>Pages Xen has offlined, per machine (membership only; never iterated).</summary>
    internal HashSet<(int Machine, long Mfn)> BrokenPages { get; } = [];

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
