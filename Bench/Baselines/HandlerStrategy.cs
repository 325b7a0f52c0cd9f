using System.Runtime.InteropServices;
using Mca.Systems.Components;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>
/// The parts of the handler that differ between the 2009 RFC and current Xen, as virtual methods: the
/// #MC logout, the verdict, and the softirq's recovery (with the vMCE injection of each era).
/// </summary>
internal abstract class HandlerStrategy
{
    public abstract void Rendezvous(ObjectMachine machine);

    /// <summary>Whether the handler goes on to recovery; false after a panic.</summary>
    public abstract bool Verdict(ObjectMachine machine);

    public abstract void Recover(ObjectMachine machine);
}

/// <summary>Era (A), the RFC: round-1 PCC scan, logout that clears everything, most offending CPU, vmce_data items.</summary>
internal sealed class Rfc2009Strategy : HandlerStrategy
{
    private const ulong PccFatal = MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En | MciStatusBits.Pcc;

    public override void Rendezvous(ObjectMachine machine)
    {
        const ulong ValUcEn = MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En;
        foreach (var cpu in machine.MceOrder)
        {
            for (int b = machine.Spec.FirstBank; b < machine.Spec.BankCount; b++)
            {
                // severity_scan skips an interposed value: it will be lost at reboot anyway.
                var bank = cpu.Banks[b];
                if (bank.InterposedCpu == cpu.Index || (bank.Status & ValUcEn) != ValUcEn)
                {
                    continue;
                }

                if ((bank.Status & PccFatal) == PccFatal)
                {
                    machine.McPanic("pcc = 1, cpu unable to continue", ResetReason.Fatal);
                    cpu.Fatal = true;
                    return;
                }

                // The RFC's note 1: a UC error without a recovery method resets too, before anything is cleared.
                if (!IntelMca.HasRecoveryMethod(bank.Status, bank.Misc, machine.Spec.Ser))
                {
                    machine.McPanic("UC error without a recovery method, reset to keep the banks for logging", ResetReason.Unrecoverable);
                    cpu.Fatal = true;
                    return;
                }
            }
        }

        // Round 1's barrier waits for every online CPU: with fewer in the handler it never opens.
        int online = machine.Cpus.Count(c => c.Online);
        if (machine.MceOrder.Count < online)
        {
            machine.Emit(machine.NewEvent(HandlerEventKind.MceHung) with { Cpu = (short)machine.MceOrder[0].Index, Arg = machine.MceOrder.Count, Arg2 = online });
            machine.Phase = MachinePhase.Hung;
            return;
        }

        foreach (var cpu in machine.MceOrder)
        {
            var result = machine.Logout(cpu, LogoutSource.MceScan, machine.AllBanksMask, clearAll: true);
            if (result.Found == 0)
            {
                continue;
            }

            cpu.FoundError = true;
            cpu.Pending = result.Record;
            int severity = result.Pcc ? 3 : result.Uc ? 2 : 1;
            if (result.Uc && result.Record is not null && !HasRecoveryMethod(result.Record, machine.Spec.Ser))
            {
                severity = 3;
            }

            cpu.Severity = severity;
            if (severity > machine.WorstSeverity)
            {
                machine.WorstSeverity = severity;
                machine.SeverityCpu = cpu.Index;
            }
        }
    }

    public override bool Verdict(ObjectMachine machine)
    {
        if (machine.WorstSeverity >= 3)
        {
            machine.McPanic("worst=3 should have caused RESET", ResetReason.Fatal);
            return false;
        }

        if (machine.SeverityCpu < 0)
        {
            machine.McPanic("MCE: not found severity_cpu!", ResetReason.NoValidMce);
            return false;
        }

        return true;
    }

    /// <summary>mce_actions: SRAO/SRAR banks on domain pages become (domain, pCPU) items; commit; one vMCE per item.</summary>
    public override void Recover(ObjectMachine machine)
    {
        var spec = machine.Spec;
        var items = new List<(ObjectDomain Domain, ObjectCpu Cpu, TelemetryRecord Record, int Slot)>();
        foreach (var cpu in machine.Cpus)
        {
            var record = cpu.Pending;
            if (record is null)
            {
                continue;
            }

            cpu.Pending = null;
            for (int i = 0; i < record.Banks.Count; i++)
            {
                var bank = record.Banks[i];
                var type = IntelMca.CheckMceType(bank.Status, spec.Ser);
                if ((type != XenMceType.Srao && type != XenMceType.Srar) || !IntelMca.IsPhysicalAddress(bank.Status, bank.Misc))
                {
                    continue;
                }

                var owner = spec.Memory.OwnerOf((long)(bank.Addr >> MemoryMap.PageShift));
                if (owner.Kind != FrameOwnerKind.Domain)
                {
                    continue;
                }

                bank.DomId = (ushort)owner.DomId;
                record.Banks[i] = bank;
                var domain = machine.DomainById(owner.DomId)!;
                if (!items.Exists(it => it.Domain == domain && it.Cpu == cpu))
                {
                    items.Add((domain, cpu, record, i));
                }
            }

            machine.Commit(record, urgent: true);
        }

        foreach (var (domain, cpu, record, slot) in items)
        {
            var target = machine.Policy.Target == VmceTarget.Dom0Only ? machine.DomainById(0) : domain;
            if (target is not null)
            {
                InjectItem(machine, target, domain, cpu, record.Banks[slot], record);
            }
        }
    }

    private static bool HasRecoveryMethod(TelemetryRecord record, bool ser) =>
        record.Banks.TrueForAll(b => IntelMca.HasRecoveryMethod(b.Status, b.Misc, ser));

    /// <summary>One vmce_data item (with its own bank) delivered to the target's vCPU 0; later items queue behind it.</summary>
    private static void InjectItem(ObjectMachine machine, ObjectDomain target, ObjectDomain impacted, ObjectCpu cpu, McBankRecord bank, TelemetryRecord record)
    {
        if (target.RunState != DomainRunState.Running)
        {
            return;
        }

        if (target.Kind == DomainKind.Pv && !target.Spec.TrapCallbackRegistered)
        {
            // The 2009 softirq skips it (Xen 32e8dd573b mce_softirq); Xen 4.1 and later crash it.
            if (machine.Policy.PvWithoutCallback == NoCallbackAction.CrashDomain)
            {
                machine.CrashDomain(target, CrashReason.NoHandler);
            }

            return;
        }

        ulong addr = bank.Addr;
        ulong mcg = record.Global.McgStatus | McgStatusBits.Mcip;
        var owner = machine.Spec.Memory.OwnerOf((long)(addr >> MemoryMap.PageShift));
        if (target.DomId != 0 && owner.Kind == FrameOwnerKind.Domain && owner.DomId == target.DomId)
        {
            addr = ((ulong)owner.Gfn << MemoryMap.PageShift) | (addr & ((1UL << MemoryMap.PageShift) - 1));
        }

        target.NrInjection++;
        machine.RfcQueue.Add(new RfcItem(target, impacted, cpu.Index, bank.Bank, mcg, bank.Status, addr, bank.Misc));
        machine.Emit(machine.NewEvent(HandlerEventKind.VmceInjected) with
        {
            Cpu = (short)cpu.Index,
            Domain = (short)target.DomId,
            Vcpu = 0,
            Bank = (short)bank.Bank,
            Status = bank.Status,
            Addr = addr,
            Misc = bank.Misc,
            Arg = (long)mcg,
            Arg2 = 1,
        });
    }
}

/// <summary>Era (B), current Xen: serialized logout with deferral and fatal CPUs, urgent table, deferred table with page offline and per-vCPU vMCE.</summary>
internal sealed class XenStrategy : HandlerStrategy
{
    public override void Rendezvous(ObjectMachine machine)
    {
        foreach (var cpu in machine.MceOrder)
        {
            var result = machine.Logout(cpu, LogoutSource.MceScan, machine.AllBanksMask);
            if (result.Found == 0)
            {
                continue;
            }

            if (result.Record is not null)
            {
                if (result.Uc || result.Pcc)
                {
                    cpu.Pending = result.Record;
                }
                else
                {
                    machine.Commit(result.Record, urgent: true);
                    cpu.CommittedAtLogout = true;
                }
            }

            if (result.Pcc || !result.Recoverable)
            {
                cpu.Fatal = true;
            }

            cpu.FoundError = true;
            cpu.Severity = result.Pcc ? 3 : result.Uc ? 2 : 1;
            machine.SeverityCpu = cpu.Index;
            foreach (var bank in result.ToClear)
            {
                bank.ClearFor(cpu.Index);
            }
        }
    }

    public override bool Verdict(ObjectMachine machine)
    {
        bool found = false;
        ulong[]? fatalMask = null;
        foreach (var cpu in machine.Cpus)
        {
            if (!cpu.InMce || !cpu.FoundError)
            {
                continue;
            }

            found = true;
            if (cpu.HasTelemetry)
            {
                ulong mcg = cpu.ReadMcgStatus();
                bool inXen = cpu.RunningDomain < 0;
                if ((mcg & McgStatusBits.Ripv) == 0 && ((mcg & McgStatusBits.Eipv) == 0 || inXen))
                {
                    cpu.Fatal = true;
                }

                if (cpu.Pending is not null && UrgentTable.Run(CollectionsMarshal.AsSpan(cpu.Pending.Banks), machine.Spec.Ser) == McerResult.Reset)
                {
                    cpu.Fatal = true;
                }
            }

            if (cpu.Fatal)
            {
                fatalMask ??= new ulong[(machine.Cpus.Count + 63) / 64];
                fatalMask[cpu.Index >> 6] |= 1UL << (cpu.Index & 63);
            }
        }

        // Only an LMCE runs the check when no CPU found a bank: severity_cpu is never set (Xen mce.c mcheck_cmn_handler).
        if (!found && machine.MceLmce)
        {
            machine.McPanic(XenConsole.NoCpuFoundValidMce, ResetReason.NoValidMce);
            return false;
        }

        if (fatalMask is not null)
        {
            machine.McPanic(XenConsole.FatalCpusReason(fatalMask, machine.Cpus.Count), ResetReason.Fatal);
            return false;
        }

        return true;
    }

    /// <summary>mctelem_process_deferred for every CPU in order: the deferred table decides commit, dismiss or panic.</summary>
    public override void Recover(ObjectMachine machine)
    {
        foreach (var cpu in machine.Cpus)
        {
            var record = cpu.Pending;
            if (record is null)
            {
                continue;
            }

            cpu.Pending = null;
            var handler = new MemoryErrorCallback(this, machine, cpu, record);
            var result = DeferredTable.Run(CollectionsMarshal.AsSpan(record.Banks), machine.Spec.Ser, ref handler);
            machine.Emit(machine.NewEvent(HandlerEventKind.McerResult) with { Cpu = (short)cpu.Index, Arg = (long)result });
            switch (DelayedAction.Decide(result))
            {
                case DelayedDisposition.Panic:
                    machine.Lose(record, LossCause.ResetBeforeFetch);
                    machine.SoftirqPanic(XenConsole.SoftwareRecoveryFailed);
                    return;
                case DelayedDisposition.CommitRecovered:
                case DelayedDisposition.CommitTainted:
                    machine.Commit(record, urgent: true);
                    break;
                default:
                    machine.Telemetry.Dismiss(record);
                    break;
            }
        }
    }

    /// <summary>mc_memerr_dhandler: page offline by owner; a domain page is unmapped and its owner gets a vMCE.</summary>
    public McerResult MemoryError(ObjectMachine machine, ObjectCpu cpu, TelemetryRecord record, ref McBankRecord bank, McerResult preset)
    {
        if (!machine.Policy.PageOffline || !IntelMca.IsPhysicalAddress(bank.Status, bank.Misc))
        {
            return preset;
        }

        long mfn = (long)MemoryErrorAction.Mfn(bank.Addr);
        var owner = machine.Spec.Memory.OwnerOf(mfn);
        var offline = owner.Kind switch
        {
            FrameOwnerKind.Invalid => PageOfflineResult.InvalidMfn(),
            FrameOwnerKind.XenFixed => PageOfflineResult.XenFixed(),
            FrameOwnerKind.Free => PageOfflineResult.Offlined(),
            FrameOwnerKind.XenHeap => PageOfflineResult.PendingXenHeap(),
            _ => machine.BrokenPages.Contains(mfn) ? PageOfflineResult.Again() : PageOfflineResult.PendingOwned((ushort)owner.DomId),
        };
        machine.Emit(machine.NewEvent(HandlerEventKind.PageOffline) with { Cpu = (short)cpu.Index, Bank = (short)bank.Bank, Addr = (ulong)mfn, Arg = (long)offline.Outcome });
        if (offline.CallFailed)
        {
            return preset;
        }

        machine.BrokenPages.Add(mfn);
        record.TryAddRecovery(McRecoveryRecord.PageOffline(bank.Bank, (ulong)mfn, offline.StatusWord));
        switch (offline.Outcome)
        {
            case PageOfflineOutcome.Offlined:
                return McerResult.Recovered;
            case PageOfflineOutcome.Again:
                machine.CrashDomain(machine.DomainById(owner.DomId), CrashReason.RecursiveMce);
                return McerResult.Continue;
            case PageOfflineOutcome.PendingOwned:
                break;
            default:
                return preset;
        }

        var domain = machine.DomainById(owner.DomId)!;
        bank.DomId = (ushort)owner.DomId;
        if (domain.RunState != DomainRunState.Running)
        {
            return preset;
        }

        if (domain.DomId != 0 && (domain.Kind == DomainKind.Pv || domain.Spec.Shadow))
        {
            machine.CrashDomain(domain, CrashReason.UnmapFailed);
            return preset;
        }

        bank.Addr = MemoryErrorAction.GuestAddress((ulong)owner.Gfn, bank.Addr);
        return Inject(machine, domain, cpu, record, bank) ? McerResult.Recovered : preset;
    }

    /// <summary>fill_vmsr_data + inject_vmce of the current model; a failure crashes the domain.</summary>
    private static bool Inject(ObjectMachine machine, ObjectDomain domain, ObjectCpu cpu, TelemetryRecord record, McBankRecord bank)
    {
        if (domain.Kind == DomainKind.Pv && !domain.Spec.TrapCallbackRegistered && machine.Policy.PvWithoutCallback == NoCallbackAction.SkipInjection)
        {
            return false;
        }

        var vcpus = domain.Vcpus;
        ulong runningExtCtl = cpu.RunningDomain == domain.DomId && cpu.RunningVcpu >= 0 && cpu.RunningVcpu < vcpus.Length
            ? vcpus[cpu.RunningVcpu].McgExtCtl
            : 0;
        int target = MemoryErrorAction.ChooseVmceVcpu(in record.Global, (ushort)domain.DomId, hostIntel: true, runningExtCtl);
        if (VmceFill.Fill(vcpus, in bank, record.Global.McgStatus, target) != VmceFillResult.Ok)
        {
            machine.CrashDomain(domain, CrashReason.VmceBusy);
            return false;
        }

        bool hvm = domain.Kind == DomainKind.Hvm;
        bool[] initialised = Enumerable.Repeat(true, vcpus.Length).ToArray();
        bool[] callback = Enumerable.Repeat(domain.Spec.TrapCallbackRegistered, vcpus.Length).ToArray();
        bool[] pendingBefore = vcpus.Select(v => v.McePending).ToArray();
        if (VmceInject.Inject(vcpus, (ushort)domain.DomId, hvm, initialised, callback, target, out _) != VmceInjectResult.Ok)
        {
            machine.CrashDomain(domain, hvm || domain.Spec.TrapCallbackRegistered ? CrashReason.VmceBusy : CrashReason.NoHandler);
            return false;
        }

        int realVcpu = target >= 0 ? target : 0;
        for (int v = 0; v < vcpus.Length; v++)
        {
            if (pendingBefore[v] || !vcpus[v].McePending)
            {
                continue;
            }

            machine.Emit(machine.NewEvent(HandlerEventKind.VmceInjected) with
            {
                Cpu = (short)cpu.Index,
                Domain = (short)domain.DomId,
                Vcpu = (short)v,
                Bank = 1,
                Status = vcpus[v].Bank1.Status,
                Addr = vcpus[v].Bank1.Addr,
                Misc = vcpus[v].Bank1.Misc,
                Arg = (long)vcpus[v].McgStatus,
                Arg2 = v == realVcpu ? 1 : 0,
            });
        }

        return true;
    }

    /// <summary>The deferred table wants its memory handler as a struct; this one calls back into the strategy.</summary>
    private readonly struct MemoryErrorCallback(XenStrategy owner, ObjectMachine machine, ObjectCpu cpu, TelemetryRecord record) : IMemoryErrorHandler
    {
        public McerResult Handle(int recordIndex, ref McBankRecord bank, McerResult preset) => owner.MemoryError(machine, cpu, record, ref bank, preset);
    }
}
