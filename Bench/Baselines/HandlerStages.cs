using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>One step of the handler pipeline, run on one machine at its current instant.</summary>
internal interface IHandlerStage
{
    void Run(ObjectMachine machine);
}

/// <summary>Reboot when the downtime is over, skip empty poll rounds, restart crashed domains.</summary>
internal sealed class WakeStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (machine.Phase == MachinePhase.Down && machine.UpAtNs <= machine.NowNs)
        {
            machine.Boot(isReboot: true);
        }
        else if (machine.IsUp)
        {
            // The poll timer's rules are the model's (PollSchedule); only its state lives on the object.
            var timer = new MachineState { NextPollNs = machine.NextPollNs, PollPeriodNs = machine.PollPeriodNs };
            PollSchedule.SkipEmptyRounds(ref timer, machine.NowNs);
            machine.NextPollNs = timer.NextPollNs;
            machine.PollPeriodNs = timer.PollPeriodNs;
        }

        if (!machine.IsUp)
        {
            return;
        }

        foreach (var domain in machine.Domains)
        {
            if (domain.RunState != DomainRunState.Running && domain.RestartAtNs <= machine.NowNs)
            {
                domain.RunState = DomainRunState.Running;
                domain.NrInjection = 0;
                machine.InitVcpus(domain);
                machine.Emit(machine.NewEvent(HandlerEventKind.DomainRestarted) with { Domain = (short)domain.DomId });
                if (domain.DomId == 0 && machine.Telemetry.HasCommitted)
                {
                    machine.Dom0FetchAtNs = Math.Min(machine.Dom0FetchAtNs, machine.NowNs + machine.Spec.Dom0LogLatencyNs);
                }
            }
        }
    }
}

/// <summary>Writes the errors due now into their banks (SDM overwrite rules, or interposed) and signals them.</summary>
internal sealed class ArriveStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (!machine.IsUp)
        {
            return;
        }

        var source = machine.Fleet.Source;
        while (source.NextArrivalNs(machine.Index) <= machine.NowNs)
        {
            if (Arrive(machine, source.Take(machine.Index)))
            {
                // A CE that raised a CMCI is handled before the next error of the same instant arrives.
                break;
            }
        }
    }

    /// <summary>Writes one error and signals it; true when it was a CE that raised a CMCI.</summary>
    private static bool Arrive(ObjectMachine machine, ErrorInjection e)
    {
        var spec = machine.Spec;
        var cpu = machine.Cpus[e.Cpu];
        var bank = cpu.Banks[e.BankIndex];
        long count = Math.Max(1, e.Count);
        machine.Emit(machine.NewEvent(HandlerEventKind.ErrorArrived) with
        {
            Cpu = (short)e.Cpu,
            Bank = (short)e.BankIndex,
            Status = e.Status,
            Addr = e.Addr,
            Misc = e.Misc,
            Arg = (long)e.Signal,
            Arg2 = count,
        });

        if (e.Interposed)
        {
            bank.InterposedCpu = e.Cpu;
            bank.InterposedStatus = e.Status;
            bank.InterposedAddr = e.Addr;
            bank.InterposedMisc = e.Misc;
            cpu.InterposedMcgStatus = e.McgStatus | (e.Signal == Signal.Lmce ? McgStatusBits.Lmce : 0);
            cpu.McgInterposed = true;
        }
        else
        {
            ulong before = bank.Status;
            bool cmciP = (spec.McgCap & McgCapBits.CmciP) != 0;
            bool corrected = (e.Status & MciStatusBits.Uc) == 0;
            var merged = corrected && count > 1
                ? BankWriteRules.FoldCorrected(bank.Status, bank.Addr, bank.Misc, e.Status, e.Addr, e.Misc, count, spec.Ser, cmciP)
                : BankWriteRules.Merge(bank.Status, bank.Addr, bank.Misc, e.Status, e.Addr, e.Misc, spec.Ser, cmciP);
            if ((before & MciStatusBits.Val) != 0 && (before & MciStatusBits.Uc) == 0 && (merged.Status & MciStatusBits.Uc) != 0)
            {
                machine.Emit(machine.NewEvent(HandlerEventKind.LogLost) with
                {
                    Cpu = (short)e.Cpu,
                    Bank = (short)e.BankIndex,
                    Status = before,
                    Arg = (long)LossCause.Overwritten,
                });
            }

            bank.Status = merged.Status;
            bank.Addr = merged.Addr;
            bank.Misc = merged.Misc;
            if (corrected)
            {
                bank.CorrectedSinceLogout += count;
            }
        }

        Signal signal = e.AutoSignal ? HardwareSignal(machine, bank, e.Status, count) : e.Signal;
        switch (signal)
        {
            case Signal.Mce:
            case Signal.Lmce:
                bool lmce = signal == Signal.Lmce && spec.LmceSupported && machine.Policy.LmceEnabled;
                bool targetOnly = e.Interposed && !lmce && !machine.Policy.MceInjectBroadcast;
                cpu.RunningDomain = e.InGuest ? e.RunningDomain : -1;
                cpu.RunningVcpu = e.InGuest ? e.RunningVcpu : -1;
                if (!machine.McePending)
                {
                    machine.MceContext = e.Context;
                    machine.McePending = true;
                    machine.MceLmce = lmce;
                    machine.MceTargetOnly = targetOnly;
                    machine.MceTargetCpu = e.Cpu;
                }
                else
                {
                    machine.MceLmce &= lmce;
                    machine.MceTargetOnly &= targetOnly;
                }

                if (!e.Interposed)
                {
                    cpu.McgStatus = e.McgStatus | McgStatusBits.Mcip | (lmce ? McgStatusBits.Lmce : 0);
                    if (!lmce)
                    {
                        foreach (var other in machine.Cpus)
                        {
                            if (other != cpu && (other.McgStatus & McgStatusBits.Mcip) == 0)
                            {
                                other.McgStatus = McgStatusBits.Mcip | McgStatusBits.Ripv;
                            }
                        }
                    }
                }

                break;
            case Signal.Cmci:
                if (e.AutoSignal)
                {
                    if (bank.CmciOwnerCpu >= 0)
                    {
                        machine.Cpus[bank.CmciOwnerCpu].CmciPending = true;
                        return (e.Status & MciStatusBits.Uc) == 0;
                    }
                }
                else
                {
                    foreach (var c in machine.Cpus)
                    {
                        c.CmciPending |= c.Online;
                    }
                }

                break;
            default:
                break;
        }

        return false;
    }

    private static Signal HardwareSignal(ObjectMachine machine, ObjectBank bank, ulong status, long count)
    {
        var spec = machine.Spec;
        if ((status & MciStatusBits.Uc) != 0)
        {
            if ((status & MciStatusBits.Pcc) != 0 || !spec.Ser || (status & MciStatusBits.S) != 0)
            {
                bool srar = spec.Ser && (status & (MciStatusBits.S | MciStatusBits.Ar | MciStatusBits.Pcc)) == (MciStatusBits.S | MciStatusBits.Ar);
                return srar && spec.LmceSupported && machine.Policy.LmceEnabled ? Signal.Lmce : Signal.Mce;
            }

            return bank.CmciOwnerCpu >= 0 ? Signal.Cmci : Signal.None;
        }

        if (bank.CmciOwnerCpu < 0)
        {
            return Signal.None;
        }

        long threshold = (long)(bank.Ctl2 & MciCtl2Bits.ThresholdMask);
        long after = bank.CorrectedSinceLogout;
        long before = after - count;
        return before < threshold && after >= threshold ? Signal.Cmci : Signal.None;
    }
}

/// <summary>CMCI handlers of the CPUs a CMCI reached, then the poll-timer round if one is due.</summary>
internal sealed class PollStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (!machine.IsUp)
        {
            return;
        }

        foreach (var cpu in machine.Cpus)
        {
            if (cpu.CmciPending)
            {
                cpu.CmciPending = false;
                machine.Emit(machine.NewEvent(HandlerEventKind.CmciRaised) with { Cpu = (short)cpu.Index });
                machine.CmciLogout(cpu);
            }
        }

        // The round at an instant comes after every error of that instant.
        if (machine.NextPollNs == machine.NowNs && machine.Fleet.Source.NextArrivalNs(machine.Index) > machine.NowNs)
        {
            PollRound(machine);
        }
    }

    private static void PollRound(ObjectMachine machine)
    {
        bool everyBank = machine.PostResetPollDue;
        int cpusWithErrors = 0;
        foreach (var cpu in machine.Cpus)
        {
            if (!cpu.Online)
            {
                continue;
            }

            ulong mask = everyBank ? machine.AllBanksMask : cpu.PollMask;
            if (mask == 0)
            {
                continue;
            }

            var result = machine.Logout(cpu, LogoutSource.Poller, mask);
            // adjust++ only with errors and a telemetry entry (Xen intel-nonfatal.c mce_checkregs).
            if (result.Found > 0 && result.Record is not null)
            {
                cpusWithErrors++;
                machine.Deliver(result.Record, polled: true);
            }
        }

        machine.PostResetPollDue = false;
        var timer = new MachineState { NextPollNs = machine.NextPollNs, PollPeriodNs = machine.PollPeriodNs };
        PollSchedule.AfterRound(ref timer, cpusWithErrors);
        machine.NextPollNs = timer.NextPollNs;
        machine.PollPeriodNs = timer.PollPeriodNs;
    }
}

/// <summary>Every participating CPU enters the #MC handler in arrival order; the policy's strategy logs out.</summary>
internal sealed class RendezvousStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (!machine.IsUp || !machine.McePending)
        {
            return;
        }

        machine.EventSeq++;
        machine.Emit(machine.NewEvent(HandlerEventKind.MceEntered) with { Cpu = (short)machine.MceTargetCpu, Arg = machine.MceLmce ? 1 : 0 });
        foreach (var cpu in machine.Cpus)
        {
            cpu.FoundError = false;
            cpu.Fatal = false;
            cpu.Pending = null;
            cpu.CommittedAtLogout = false;
            cpu.Severity = 0;
            cpu.InMce = false;
        }

        machine.MceOrder = ArrivalOrder(machine);
        for (int i = 0; i < machine.MceOrder.Count; i++)
        {
            machine.MceOrder[i].ArrivalRank = i;
            machine.MceOrder[i].InMce = true;
        }

        machine.SeverityCpu = -1;
        machine.WorstSeverity = 0;
        machine.Fleet.Strategy.Rendezvous(machine);
    }

    /// <summary>Every online CPU sorted by an entry latency from the machine's arrival stream (broadcast), else the target alone (LMCE, target-only injection, no broadcast).</summary>
    private static List<ObjectCpu> ArrivalOrder(ObjectMachine machine)
    {
        if (!machine.Spec.Broadcast || machine.MceLmce || machine.MceTargetOnly)
        {
            return [machine.Cpus[machine.MceTargetCpu]];
        }

        var rng = Mca.Ecs.CounterRng.Create(machine.Fleet.Seed, (ulong)machine.MachineId, RendezvousMceSystem.ArrivalPurpose);
        ulong first = (ulong)machine.EventSeq * (ulong)machine.Cpus.Count;
        return machine.Cpus
            .Where(c => c.Online)
            .OrderBy(c => 100 + (long)(rng.At(first + (ulong)c.Index) % 1000))
            .ThenBy(c => c.Index)
            .ToList();
    }
}

/// <summary>The #MC handler's verdict (per policy strategy); otherwise MCIP is cleared and the processing CPU chosen.</summary>
internal sealed class SeverityStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (!machine.IsUp || !machine.McePending || machine.ResetPending)
        {
            return;
        }

        if (!machine.Fleet.Strategy.Verdict(machine))
        {
            return;
        }

        foreach (var cpu in machine.Cpus)
        {
            if (cpu.McgInterposed)
            {
                cpu.McgInterposed = false;
                cpu.InterposedMcgStatus = 0;
            }
            else if ((cpu.McgStatus & McgStatusBits.Mcip) != 0)
            {
                cpu.McgStatus = 0;
            }
        }

        machine.SeverityCpu = ChooseProcessingCpu(machine);
        machine.Emit(machine.NewEvent(HandlerEventKind.ProcessingCpu) with { Cpu = (short)machine.SeverityCpu });
    }

    private static int ChooseProcessingCpu(ObjectMachine machine)
    {
        if (machine.MceLmce)
        {
            return machine.MceTargetCpu;
        }

        if (machine.Policy.ProcessingCpu == ProcessingCpuRule.MostOffending)
        {
            ObjectCpu? best = null;
            int worst = 0;
            foreach (var cpu in machine.Cpus)
            {
                if (cpu.InMce && (cpu.Severity > worst || (cpu.Severity == worst && cpu.Severity > 0 && cpu.ArrivalRank < (best?.ArrivalRank ?? int.MaxValue))))
                {
                    worst = cpu.Severity;
                    best = cpu;
                }
            }

            return best?.Index ?? machine.MceTargetCpu;
        }

        var participants = machine.Cpus.Where(c => c.InMce).ToList();
        var lastFree = participants.Where(c => c.Pending is null).MaxBy(c => c.ArrivalRank);
        return (lastFree ?? participants.MaxBy(c => c.ArrivalRank))?.Index ?? -1;
    }
}

/// <summary>A machine whose handler panicked resets at once.</summary>
internal sealed class ResetStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (machine.IsUp && machine.ResetPending)
        {
            machine.Reset();
        }
    }
}

/// <summary>The softirq's deferred work (per policy strategy), then VIRQ_MCA to dom0.</summary>
internal sealed class RecoverStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (!machine.IsUp || !machine.McePending)
        {
            return;
        }

        if (!machine.ResetPending)
        {
            machine.Fleet.Strategy.Recover(machine);
            machine.VirqPending = true;
        }

        machine.McePending = false;
    }
}

/// <summary>VIRQ_MCA wakes dom0 after its latency; it fetches and acks telemetry, URGENT then NONURGENT.</summary>
internal sealed class Dom0LogStage : IHandlerStage
{
    public void Run(ObjectMachine machine)
    {
        if (!machine.IsUp)
        {
            return;
        }

        var dom0 = machine.DomainById(0);
        bool listening = dom0 is not null && dom0.Spec.VirqMcaBound && dom0.RunState == DomainRunState.Running;
        if (machine.VirqPending)
        {
            machine.VirqPending = false;
            if (listening)
            {
                machine.Emit(machine.NewEvent(HandlerEventKind.VirqSent));
                machine.Dom0FetchAtNs = Math.Min(machine.Dom0FetchAtNs, machine.NowNs + machine.Spec.Dom0LogLatencyNs);
            }
        }

        if (machine.Dom0FetchAtNs <= machine.NowNs)
        {
            machine.Dom0FetchAtNs = long.MaxValue;
            if (listening)
            {
                Drain(machine, urgent: true);
                Drain(machine, urgent: false);
            }
        }
    }

    private static void Drain(ObjectMachine machine, bool urgent)
    {
        for (int guard = 0; guard < 64; guard++)
        {
            var record = machine.Telemetry.Fetch(urgent);
            if (record is null)
            {
                return;
            }

            foreach (var b in record.Banks)
            {
                machine.Emit(machine.NewEvent(HandlerEventKind.Dom0Logged) with
                {
                    Cpu = (short)record.Global.Cpu,
                    Bank = (short)b.Bank,
                    Domain = (short)(b.DomId < XenIds.DomIdFirstReserved ? b.DomId : -1),
                    Status = b.Status,
                    Addr = b.Addr,
                    Misc = b.Misc,
                });
            }

            machine.Telemetry.Ack(urgent);
        }
    }
}
