using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Puts a vMCE into a domain's vCPUs under either model, or crashes the domain when Xen cannot.
/// </summary>
internal sealed class VmceInjector
{
    /// <summary>How long a crashed domain takes to come back.</summary>
    public const long DomainRestartNs = 60 * MachineSpec.NsPerSecond;

    private readonly MachineBatch _batch;

    public VmceInjector(MachineBatch batch)
    {
        _batch = batch;
    }

    /// <summary>
    /// fill_vmsr_data + inject_vmce, current model (xen-mca.md §3.1): broadcast gives vCPU 0 the real
    /// error in bank 1 with MSCOD cleared and the others MCIP|RIPV; LMCE fills only the interrupted
    /// vCPU when it enabled LMCE and runs in the impacted domain. A vCPU with MCIP still set, or with
    /// mce_pending, or a PV vCPU without a trap callback, fails the injection and crashes the domain.
    /// </summary>
    public bool InjectCurrentModel(int machine, int domainIndex, int cpu, ulong hostMcg, int bankIndex, ulong status, ulong gaddr, ulong misc)
    {
        var batch = _batch;
        ref var dom = ref batch.DomainsOf(machine)[domainIndex];
        var vcpus = batch.VcpusOf(machine, domainIndex);
        ref var pcpu = ref batch.CpusOf(machine)[cpu];

        int target = -1;
        if ((hostMcg & McgStatusBits.Lmce) != 0 && pcpu.RunningDomain == dom.DomId && pcpu.RunningVcpu >= 0
            && pcpu.RunningVcpu < vcpus.Length && (vcpus[pcpu.RunningVcpu].McgExtCtl & 1) != 0)
        {
            target = pcpu.RunningVcpu;
        }

        // fill_vmsr_data: refuse while a previous vMCE is unhandled.
        for (int v = 0; v < vcpus.Length; v++)
        {
            if ((target < 0 || v == target) && (vcpus[v].McgStatus & McgStatusBits.Mcip) != 0)
            {
                batch.Trace.Xen(Xen.XenConsole.Dprintk($"d{dom.DomId}v{v}: guest has not handled previous vMCE yet!"));
                batch.Trace.Xen(Xen.XenConsole.Dprintk($"Fill vMCE# data for DOM{dom.DomId} failed"));
                CrashDomain(machine, domainIndex, CrashReason.VmceBusy);
                return false;
            }
        }

        ulong gstatus = status & ~MciStatusBits.MscodMask;
        for (int v = 0; v < vcpus.Length; v++)
        {
            ref var vc = ref vcpus[v];
            if (target >= 0 && v != target)
            {
                continue;
            }

            bool real = target >= 0 ? v == target : v == 0;
            if (real)
            {
                vc.McgStatus = hostMcg & ~McgStatusBits.Lmce;
                vc.Bank1Status = gstatus;
                vc.Bank1Addr = gaddr;
                vc.Bank1Misc = misc;
            }
            else
            {
                vc.McgStatus = McgStatusBits.Mcip | McgStatusBits.Ripv;
            }
        }

        // inject_vmce: every eligible vCPU gets mce_pending; any that cannot fails the injection.
        bool eligible = dom.Kind == DomainKind.Hvm || dom.TrapCallbackRegistered;
        for (int v = 0; v < vcpus.Length; v++)
        {
            ref var vc = ref vcpus[v];
            if (target >= 0 && v != target)
            {
                continue;
            }

            if (!eligible || vc.McePending)
            {
                batch.Trace.Xen(Xen.XenConsole.Dprintk($"Failed to inject vMCE to d{dom.DomId}v{v}"));
                batch.Trace.Xen(Xen.XenConsole.Dprintk($"inject vMCE to DOM{dom.DomId} failed"));
                CrashDomain(machine, domainIndex, eligible ? CrashReason.VmceBusy : CrashReason.NoHandler);
                return false;
            }

            vc.McePending = true;
            bool real = target >= 0 ? v == target : v == 0;
            batch.Emit(batch.NewEvent(machine, HandlerEventKind.VmceInjected) with
            {
                Cpu = (short)cpu,
                Domain = dom.DomId,
                Vcpu = (short)v,
                Bank = 1,
                Status = real ? vc.Bank1Status : 0,
                Addr = real ? vc.Bank1Addr : 0,
                Misc = real ? vc.Bank1Misc : 0,
                Arg = (long)vc.McgStatus,
                Arg2 = real ? 1 : 0,
            });
        }

        return true;
    }

    /// <summary>
    /// One vmce_data item (impacted domain, pCPU) delivered to <paramref name="targetIndex"/>'s vCPU 0
    /// (xen-mca.md §3.1 RFC, with the March 2009 delivery): the vCPU sees the host MCG_STATUS and the
    /// item's banks at their host indices; one vMCE in flight at a time, later items queue.
    /// </summary>
    public void InjectRfcItem(int machine, int targetIndex, int impactedIndex, int cpu, int cookie)
    {
        var batch = _batch;
        ref var target = ref batch.DomainsOf(machine)[targetIndex];
        if (target.RunState != DomainRunState.Running)
        {
            return;
        }

        if (target.Kind == DomainKind.Pv && !target.TrapCallbackRegistered)
        {
            // "Kill PV guest with No MCE handler" (xen-mca.md §3.1 HVM to Xen 4.2).
            CrashDomain(machine, targetIndex, CrashReason.NoHandler);
            return;
        }

        batch.Telemetry.FirstUcBank(machine, cookie, out int bankIndex, out ulong status, out ulong addr, out ulong misc);
        ulong mcg = McaLogout.ReadMcgStatus(in batch.CpusOf(machine)[cpu]) | McgStatusBits.Mcip | McgStatusBits.Ripv;
        target.NrInjection++;
        batch.RfcQueue.Add(new RfcVmce(machine, targetIndex, impactedIndex, cpu, bankIndex, mcg, status, addr, misc));
        batch.Emit(batch.NewEvent(machine, HandlerEventKind.VmceInjected) with
        {
            Cpu = (short)cpu,
            Domain = target.DomId,
            Vcpu = 0,
            Bank = (short)bankIndex,
            Status = status,
            Addr = addr,
            Misc = misc,
            Arg = (long)mcg,
            Arg2 = 1,
        });
    }

    /// <summary>domain_crash: the domain stops and restarts later; dom0 crashing reboots the host.</summary>
    public void CrashDomain(int machine, int domainIndex, CrashReason reason)
    {
        if (domainIndex < 0)
        {
            return;
        }

        var batch = _batch;
        ref var dom = ref batch.DomainsOf(machine)[domainIndex];
        if (dom.RunState != DomainRunState.Running)
        {
            return;
        }

        batch.Emit(batch.NewEvent(machine, HandlerEventKind.DomainCrashed) with { Domain = dom.DomId, Arg = (long)reason });
        batch.Trace.Xen($"domain_crash called from mcaction: d{dom.DomId} ({reason})");
        dom.RunState = DomainRunState.Crashed;
        ref var m = ref batch.Machines[machine];
        dom.RestartAtNs = m.NowNs + DomainRestartNs;
        foreach (ref var v in batch.VcpusOf(machine, domainIndex))
        {
            v.McePending = false;
            v.McgStatus = 0;
            v.Bank1Status = 0;
        }

        if (dom.DomId == 0)
        {
            // The hardware domain's crash reboots the host.
            m.ResetPending = true;
            m.ResetReason = (byte)ResetReason.Dom0Crash;
        }
    }
}
