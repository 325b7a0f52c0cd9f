using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>
/// Guests take their vMCEs: the Linux guest reads its virtual MSRs, grades the bank with the Linux table
/// and recovers, kills a process or panics; then the RFC items queued this step, in order.
/// </summary>
internal sealed class GuestStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (machine.IsUp && !machine.ResetPending)
        {
            foreach (var domain in machine.Domains)
            {
                if (domain.RunState == DomainRunState.Running)
                {
                    HandleCurrentModel(machine, domain);
                }
            }
        }

        foreach (var item in machine.RfcQueue)
        {
            var domain = item.Target;
            if (machine.ResetPending || domain.RunState != DomainRunState.Running)
            {
                continue;
            }

            // dom0 takes an item for another domain's page and only logs it (Xen c8596872e0: no recovery in dom0).
            var outcome = item.Target != item.Impacted
                ? GuestOutcomeKind.Unaffected
                : Handle(item.McgStatus, item.Status, machine.MceContext, machine.Spec.Ser);
            domain.NrInjection = Math.Max(0, domain.NrInjection - 1);
            domain.Vcpus[0].McePending = domain.NrInjection > 0;
            Finish(machine, domain, outcome);
        }

        machine.RfcQueue.Clear();
    }

    private static void HandleCurrentModel(ObjectMachine machine, ObjectDomain domain)
    {
        var vcpus = domain.Vcpus;
        if (!vcpus.Any(v => v.McePending))
        {
            return;
        }

        int realVcpu = Array.FindIndex(vcpus, v => v.McePending && (v.Bank1.Status & MciStatusBits.Val) != 0);
        var outcome = GuestOutcomeKind.Unaffected;
        if (realVcpu >= 0)
        {
            ref var vc = ref vcpus[realVcpu];
            VmceMsrs.Read(ref vc, McaMsr.McgStatus, hostIntel: true, out ulong mcg);
            VmceMsrs.Read(ref vc, McaMsr.Status(1), hostIntel: true, out ulong status);
            outcome = Handle(mcg, status, machine.MceContext, McgCapBits.Ser(vc.McgCap));
        }

        if (domain.RunState == DomainRunState.Running)
        {
            for (int v = 0; v < vcpus.Length; v++)
            {
                if (!vcpus[v].McePending)
                {
                    continue;
                }

                VmceMsrs.Write(ref vcpus[v], McaMsr.Status(1), hostIntel: true, 0);
                VmceMsrs.Write(ref vcpus[v], McaMsr.McgStatus, hostIntel: true, 0);
                vcpus[v].McePending = false;
            }
        }

        Finish(machine, domain, outcome);
    }

    private static void Finish(ObjectMachine machine, ObjectDomain domain, GuestOutcomeKind outcome)
    {
        machine.Emit(machine.NewEvent(HandlerEventKind.GuestOutcome) with { Domain = (short)domain.DomId, Arg = (long)outcome });
        if (outcome == GuestOutcomeKind.Panic)
        {
            machine.CrashDomain(domain, CrashReason.GuestPanic);
        }
    }

    /// <summary>
    /// A Linux guest's handling of one vMCE record: grade, then panic, kill the task, or recover (the page
    /// address and MISC only change what the guest prints, which the baseline does not).
    /// </summary>
    private static GuestOutcomeKind Handle(ulong mcg, ulong status, GuestContext context, bool guestSer)
    {
        ushort cs = context == GuestContext.User ? (ushort)0x33 : (ushort)0x10;
        var linuxContext = LinuxSeverityTable.ContextOf(mcg, cs, kernelRecoverableFixup: context == GuestContext.KernelRecov);
        var grade = LinuxSeverityTable.Grade(status, mcg, guestSer, linuxContext, isException: true);
        if (grade.Severity >= LinuxSeverity.Panic || grade.Severity <= LinuxSeverity.Keep)
        {
            return GuestOutcomeKind.Panic;
        }

        return grade.Severity switch
        {
            LinuxSeverity.Ar when linuxContext == LinuxContext.User => GuestOutcomeKind.ProcessKilled,
            LinuxSeverity.Uc when (mcg & McgStatusBits.Ripv) == 0 => GuestOutcomeKind.ProcessKilled,
            _ => GuestOutcomeKind.Recovered,
        };
    }
}
