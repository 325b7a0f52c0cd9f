using System.Globalization;
using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 7 (docs/design.md): guests take their vMCEs. Each guest kernel (Linux) reads its
/// virtual MSRs under Xen's rules, grades the bank with the Linux table, acts (memory_failure,
/// SIGBUS, panic), then clears the bank and MCIP, which ends the vMCE (Xen vmce.c
/// vmce_rdmsr/vmce_wrmsr; Linux severity.c, core.c).
/// </summary>
internal sealed class HandleGuestVmceSystem
{
    /// <summary>Guest frames below 16 MiB hold the kernel image and reserved data in a Linux guest.</summary>
    private const long ReservedKernelFrames = 0x1000;

    private readonly MachineBatch _batch;
    private readonly VmceInjector _injector;

    public HandleGuestVmceSystem(MachineBatch batch)
    {
        _batch = batch;
        _injector = new VmceInjector(batch);
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new HandleGuestVmceDue(this);
        _batch.World.ForEachRow<MachineState, HandleGuestVmceDue>(machines, ref due);

        // RFC items, in injection order: the guest handles the list head, IRETs, and the next is armed.
        foreach (var item in _batch.Handler.RfcQueue)
        {
            ref var dom = ref _batch.DomainsOf(item.Machine)[item.TargetIndex];
            if (_batch.Machines[item.Machine].ResetPending || dom.RunState != DomainRunState.Running)
            {
                continue;
            }

            var context = (GuestContext)_batch.Machines[item.Machine].MceContext;
            GuestOutcomeKind outcome;
            if (item.TargetIndex != item.ImpactedIndex)
            {
                // dom0 takes the item for another domain's page and only logs it: the 2009 code gave dom0 no
                // recovery to do, only an interface through which Xen reports its own offline action (Xen
                // c8596872e0 mca_error_handler). The impacted domain itself is not told (the RFC's first step).
                int impacted = _batch.DomainsOf(item.Machine)[item.ImpactedIndex].DomId;
                if (_batch.Trace.Enabled)
                {
                    _batch.Trace.Guest(dom.DomId, string.Create(CultureInfo.InvariantCulture,
                        $"MCA: vMCE for DOM{impacted} page 0x{item.Addr >> MemoryMap.PageShift:x} logged; no recovery action in dom0"));
                }

                outcome = GuestOutcomeKind.Unaffected;
            }
            else
            {
                outcome = Handle(item.Machine, item.TargetIndex, item.McgStatus, item.Status, item.Addr, item.Misc, context, guestSer: _batch.Spec.Ser);
            }
            dom.NrInjection = Math.Max(0, dom.NrInjection - 1);
            ref var v0 = ref _batch.VcpusOf(item.Machine, item.TargetIndex)[0];
            v0.McePending = dom.NrInjection > 0;
            Finish(item.Machine, item.TargetIndex, outcome);
        }

        _batch.Handler.RfcQueue.Clear();
    }

    /// <summary>The system's work on one machine due this round (its row is its index in the batch).</summary>
    private void Visit(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up || s.ResetPending)
        {
            return;
        }

        // Most invocations inject nothing: the vCPUs are visited only when one may have mce_pending.
        if (!_batch.Handler.VmcePossiblyPending(m))
        {
            return;
        }

        var domains = _batch.DomainsOf(m);
        for (int d = 0; d < domains.Length; d++)
        {
            if (domains[d].RunState == DomainRunState.Running)
            {
                HandleCurrentModel(m, d, (GuestContext)s.MceContext);
            }
        }

        _batch.SettleVmcePending(m);
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct HandleGuestVmceDue(HandleGuestVmceSystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    /// <summary>The current model: every vCPU with mce_pending enters the guest's #MC handler.</summary>
    private void HandleCurrentModel(int machine, int domainIndex, GuestContext context)
    {
        var vcpus = _batch.VcpusOf(machine, domainIndex);
        int realVcpu = -1;
        bool any = false;
        for (int v = 0; v < vcpus.Length; v++)
        {
            if (vcpus[v].McePending)
            {
                any = true;
                if (realVcpu < 0 && (vcpus[v].Bank1.Status & MciStatusBits.Val) != 0)
                {
                    realVcpu = v;
                }
            }
        }

        if (!any)
        {
            return;
        }

        var outcome = GuestOutcomeKind.Unaffected;
        if (realVcpu >= 0)
        {
            ref var vc = ref vcpus[realVcpu];
            // The guest reads MCG_STATUS and bank 1 through vmce_rdmsr (Xen vmce.c).
            VmceMsrs.Read(ref vc, McaMsr.McgStatus, hostIntel: true, out ulong mcg);
            VmceMsrs.Read(ref vc, McaMsr.Status(1), hostIntel: true, out ulong status);
            VmceMsrs.Read(ref vc, McaMsr.Addr(1), hostIntel: true, out ulong addr);
            VmceMsrs.Read(ref vc, McaMsr.Misc(1), hostIntel: true, out ulong misc);
            bool guestSer = McgCapBits.Ser(vc.McgCap);
            outcome = Handle(machine, domainIndex, mcg, status, addr, misc, context, guestSer);
        }

        if (_batch.DomainsOf(machine)[domainIndex].RunState != DomainRunState.Running)
        {
            Finish(machine, domainIndex, outcome);
            return;
        }

        // mce_clear_state / end of do_machine_check: zero the bank, then MCG_STATUS (MCIP off).
        for (int v = 0; v < vcpus.Length; v++)
        {
            ref var vc = ref vcpus[v];
            if (!vc.McePending)
            {
                continue;
            }

            VmceMsrs.Write(ref vc, McaMsr.Status(1), hostIntel: true, 0);
            VmceMsrs.Write(ref vc, McaMsr.McgStatus, hostIntel: true, 0);
            vc.McePending = false;
        }

        Finish(machine, domainIndex, outcome);
    }

    private void Finish(int machine, int domainIndex, GuestOutcomeKind outcome)
    {
        ref var dom = ref _batch.DomainsOf(machine)[domainIndex];
        _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.GuestOutcome) with { Domain = dom.DomId, Arg = (long)outcome });
        if (outcome == GuestOutcomeKind.Panic)
        {
            _injector.CrashDomain(machine, domainIndex, CrashReason.GuestPanic);
        }
    }

    /// <summary>
    /// A Linux guest's handling of one vMCE record (Linux severity.c, core.c do_machine_check): grade with
    /// the Intel table in the #MC context; PANIC panics; AR in user space kills the task via
    /// memory_failure; AO with a usable address retires the page; anything else is logged and the guest
    /// continues.
    /// </summary>
    private GuestOutcomeKind Handle(int machine, int domainIndex, ulong mcg, ulong status, ulong addr, ulong misc, GuestContext context, bool guestSer)
    {
        int domId = _batch.DomainsOf(machine)[domainIndex].DomId;
        ushort cs = context == GuestContext.User ? (ushort)0x33 : (ushort)0x10;
        var linuxContext = LinuxSeverityTable.ContextOf(mcg, cs, kernelRecoverableFixup: context == GuestContext.KernelRecov);
        var grade = LinuxSeverityTable.Grade(status, mcg, guestSer, linuxContext, isException: true);
        var trace = _batch.Trace;
        long pfn = (long)(addr >> MemoryMap.PageShift);
        bool usable = (status & (MciStatusBits.AddrV | MciStatusBits.MiscV)) == (MciStatusBits.AddrV | MciStatusBits.MiscV)
            && MciMiscBits.Lsb(misc) <= MemoryMap.PageShift && MciMiscBits.Mode(misc) == 2;

        // mce_reign: worst >= PANIC panics; worst <= KEEP is a machine check from an unknown source.
        if (grade.Severity >= LinuxSeverity.Panic)
        {
            if (trace.Enabled)
            {
                trace.Guest(domId, "Machine check: " + grade.Message);
                trace.Guest(domId, "Kernel panic - not syncing: Fatal machine check");
            }

            return GuestOutcomeKind.Panic;
        }

        if (grade.Severity <= LinuxSeverity.Keep)
        {
            if (trace.Enabled)
            {
                trace.Guest(domId, "Kernel panic - not syncing: Fatal machine check from unknown source");
            }

            return GuestOutcomeKind.Panic;
        }

        switch (grade.Severity)
        {
            case LinuxSeverity.Ar when linuxContext == LinuxContext.User:
                if (trace.Enabled)
                {
                    trace.Guest(domId, string.Create(CultureInfo.InvariantCulture, $"MCE 0x{pfn:x}: Killing task:1 due to hardware memory corruption"));
                }

                return GuestOutcomeKind.ProcessKilled;
            case LinuxSeverity.Uc when (mcg & McgStatusBits.Ripv) == 0:
                if (trace.Enabled)
                {
                    trace.Guest(domId, "Machine check: killing the current task (no restart IP)");
                }

                return GuestOutcomeKind.ProcessKilled;
            case LinuxSeverity.Ao when usable:
                if (trace.Enabled)
                {
                    // memory_failure (2.6.32-era wording, which mce-test's guest_verify greps, Xen tools/tests/mce-test).
                    bool kernelPage = pfn < ReservedKernelFrames;
                    trace.Guest(domId, string.Create(CultureInfo.InvariantCulture,
                        $"MCE 0x{pfn:x}: {(kernelPage ? "reserved kernel" : "dirty LRU")} page recovery: {(kernelPage ? "Ignored" : "Recovered")}"));
                }

                return GuestOutcomeKind.Recovered;
            default:
                if (trace.Enabled)
                {
                    trace.Guest(domId, "Machine check: " + grade.Message);
                }

                return GuestOutcomeKind.Recovered;
        }
    }
}
