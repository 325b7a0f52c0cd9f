using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Xen;

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
    /// fill_vmsr_data + inject_vmce, current model (Xen vmce.c): broadcast gives vCPU 0 the real
    /// error in bank 1 with MSCOD cleared and the others MCIP|RIPV; LMCE fills only the interrupted
    /// vCPU when it enabled LMCE and runs in the impacted domain. A vCPU with MCIP still set, or with
    /// mce_pending, or a PV vCPU without a trap callback, fails the injection and crashes the domain
    /// (unless the policy skips PV targets without a callback: then nothing is injected).
    /// </summary>
    public bool InjectCurrentModel(int machine, int domainIndex, int cpu, int cookie, in McBankRecord bank)
    {
        var batch = _batch;
        ref var dom = ref batch.DomainsOf(machine)[domainIndex];
        if (SkipsForNoCallback(in dom))
        {
            return false;
        }

        var vcpus = batch.VcpusOf(machine, domainIndex);
        ref readonly var global = ref batch.Telemetry.Data(machine, cookie).Global;
        ref readonly var pcpu = ref batch.CpusOf(machine)[cpu];
        ulong runningExtCtl = pcpu.RunningDomain == dom.DomId && pcpu.RunningVcpu >= 0 && pcpu.RunningVcpu < vcpus.Length
            ? vcpus[pcpu.RunningVcpu].McgExtCtl
            : 0;
        int target = MemoryErrorAction.ChooseVmceVcpu(in global, (ushort)dom.DomId, hostIntel: true, runningExtCtl);
        var sink = batch.Trace.XenSink;
        ushort domId = (ushort)dom.DomId;

        if (VmceFill.Fill(vcpus, in bank, global.McgStatus, target, sink) != VmceFillResult.Ok)
        {
            sink?.Add(XenConsole.FillFailed(domId));
            CrashDomain(machine, domainIndex, CrashReason.VmceBusy);
            return false;
        }

        Span<bool> initialised = stackalloc bool[vcpus.Length];
        Span<bool> callback = stackalloc bool[vcpus.Length];
        initialised.Fill(true);
        callback.Fill(dom.TrapCallbackRegistered);
        bool hvm = dom.Kind == DomainKind.Hvm;
        Span<bool> pendingBefore = stackalloc bool[vcpus.Length];
        for (int v = 0; v < vcpus.Length; v++)
        {
            pendingBefore[v] = vcpus[v].McePending;
        }

        var result = VmceInject.Inject(vcpus, domId, hvm, initialised, callback, target, out _, sink);
        if (result != VmceInjectResult.Ok)
        {
            sink?.Add(XenConsole.InjectFailed(domId));
            CrashDomain(machine, domainIndex, hvm || dom.TrapCallbackRegistered ? CrashReason.VmceBusy : CrashReason.NoHandler);
            return false;
        }

        int realVcpu = target >= 0 ? target : 0;
        for (int v = 0; v < vcpus.Length; v++)
        {
            if (pendingBefore[v] || !vcpus[v].McePending)
            {
                continue;
            }

            ref var vc = ref vcpus[v];
            bool real = v == realVcpu;
            batch.Emit(batch.NewEvent(machine, HandlerEventKind.VmceInjected) with
            {
                Cpu = (short)cpu,
                Domain = dom.DomId,
                Vcpu = (short)v,
                Bank = 1,
                Status = vc.Bank1.Status,
                Addr = vc.Bank1.Addr,
                Misc = vc.Bank1.Misc,
                Arg = (long)vc.McgStatus,
                Arg2 = real ? 1 : 0,
            });
        }

        return true;
    }

    /// <summary>
    /// One vmce_data item (impacted domain, pCPU) delivered to <paramref name="targetIndex"/>'s vCPU 0 (Xen
    /// MCA RFC, xen-devel Feb 2009, with the March 2009 delivery of Xen 32e8dd573b, f74394f46c): the vCPU
    /// sees the host MCG_STATUS and the item's bank (record slot <paramref name="slot"/>, the first that impacts the
    /// item's domain) at its host index; one vMCE in flight at a time, later items queue.
    /// </summary>
    public void InjectRfcItem(int machine, int targetIndex, int impactedIndex, int cpu, int cookie, int slot)
    {
        var batch = _batch;
        ref var target = ref batch.DomainsOf(machine)[targetIndex];
        if (target.RunState != DomainRunState.Running)
        {
            return;
        }

        if (target.Kind == DomainKind.Pv && !target.TrapCallbackRegistered)
        {
            // The 2009 softirq injects only when guest_has_trap_callback (Xen 32e8dd573b mce_intel.c mce_softirq);
            // "Kill PV guest with No MCE handler" is Xen 4.1 vmce.c inject_vmce.
            if (!SkipsForNoCallback(in target))
            {
                CrashDomain(machine, targetIndex, CrashReason.NoHandler);
            }

            return;
        }

        // The item's own bank: another domain's bank logged by the same pCPU is that domain's item (Xen MCA RFC, xen-devel Feb 2009).
        batch.Telemetry.GetBank(machine, cookie, slot, out int bankIndex, out ulong status, out ulong addr, out ulong misc);
        ulong mcg = batch.Telemetry.Data(machine, cookie).Global.McgStatus | McgStatusBits.Mcip;
        // A PV dom0 works in machine addresses; a domU is shown its guest-physical address, as the
        // June 2009 HVM vMCE translated it (Xen db49191f3e).
        var owner = batch.Spec.Memory.OwnerOf((long)(addr >> MemoryMap.PageShift));
        if (target.DomId != 0 && owner.Kind == FrameOwnerKind.Domain && owner.DomId == target.DomId)
        {
            addr = ((ulong)owner.Gfn << MemoryMap.PageShift) | (addr & ((1UL << MemoryMap.PageShift) - 1));
        }

        target.NrInjection++;
        batch.Handler.RfcQueue.Add(new RfcVmce(machine, targetIndex, impactedIndex, cpu, bankIndex, mcg, status, addr, misc));
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

    /// <summary>Whether the policy skips the injection into <paramref name="dom"/>, a PV domain without a #MC trap callback.</summary>
    private bool SkipsForNoCallback(in DomainState dom) =>
        dom.Kind == DomainKind.Pv && !dom.TrapCallbackRegistered && _batch.Policy.PvWithoutCallback == NoCallbackAction.SkipInjection;

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
        batch.Trace.XenSink?.Add($"domain_crash called from mcaction: d{dom.DomId} ({reason})");
        dom.RunState = DomainRunState.Crashed;
        ref var m = ref batch.Machines[machine];
        dom.RestartAtNs = m.NowNs + DomainRestartNs;
        foreach (ref var v in batch.VcpusOf(machine, domainIndex))
        {
            v.McePending = false;
            v.McgStatus = 0;
            v.Bank1 = default;
        }

        if (dom.DomId == 0)
        {
            // The hardware domain's crash reboots the host.
            m.ResetPending = true;
            m.ResetReason = (byte)ResetReason.Dom0Crash;
        }
    }
}
