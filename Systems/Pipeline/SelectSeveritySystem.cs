using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 4 (docs/design.md): the #MC handler's verdict. Era (B): urgent action per CPU with
/// telemetry, then any fatal CPU (or, for an LMCE, no valid MCE) panics (Xen mce.c mce_urgent_action,
/// mcheck_cmn_handler); era (A): the worst CPU severity decides (Xen 32e8dd573b mce_intel.c
/// intel_machine_check). Otherwise MCIP is cleared and the processing CPU is chosen per policy.
/// </summary>
internal sealed class SelectSeveritySystem
{
    private readonly MachineBatch _batch;

    public SelectSeveritySystem(MachineBatch batch)
    {
        _batch = batch;
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new SelectSeverityDue(this);
        _batch.World.ForEachRow<MachineState, SelectSeverityDue>(machines, ref due);
    }

    /// <summary>The system's work on one machine due this round (its row is its index in the batch).</summary>
    private void Visit(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up || !s.McePending || s.ResetPending)
        {
            return;
        }

        bool proceed = _batch.Policy.Rendezvous == RendezvousStyle.TwoRound2009 ? VerdictTwoRound(m, ref s) : VerdictCommon(m, ref s);
        if (!proceed)
        {
            return;
        }

        ClearMcip(m);
        s.SeverityCpu = (short)ChooseProcessingCpu(m, ref s);
        _batch.Emit(_batch.NewEvent(m, HandlerEventKind.ProcessingCpu) with { Cpu = s.SeverityCpu });
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct SelectSeverityDue(SelectSeveritySystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    private bool VerdictCommon(int machine, ref MachineState s)
    {
        var cpus = _batch.CpusForWrite(machine);
        bool found = false;
        bool anyFatal = false;
        for (int c = 0; c < cpus.Length; c++)
        {
            ref var cpu = ref cpus[c];
            if (!cpu.InMce || !cpu.FoundError)
            {
                continue;
            }

            found = true;
            if (cpu.PendingCookie != -1)
            {
                // mce_urgent_action: RIPV=0 with EIPV=0 or Xen context cannot resume (Xen mce.c).
                ulong mcg = McaLogout.ReadMcgStatus(in cpu);
                bool inXen = cpu.RunningDomain < 0;
                if ((mcg & McgStatusBits.Ripv) == 0 && ((mcg & McgStatusBits.Eipv) == 0 || inXen))
                {
                    cpu.Fatal = true;
                }

                if (cpu.PendingCookie >= 0 && _batch.Telemetry.UrgentResultIsReset(machine, cpu.PendingCookie, _batch.Spec.Ser))
                {
                    cpu.Fatal = true;
                }
            }

            anyFatal |= cpu.Fatal;
        }

        // The check runs on `lmce || severity_cpu == cpu`, and only a CPU with errcnt sets severity_cpu (-1 at first): after a
        // broadcast #MC in which no CPU found a bank nobody runs it, so MCIP is cleared and the softirq sends VIRQ (Xen mce.c mcheck_cmn_handler).
        if (!found && s.MceLmce)
        {
            Panic(machine, ref s, XenConsole.NoCpuFoundValidMce, ResetReason.NoValidMce);
            return false;
        }

        if (anyFatal)
        {
            // One bit per CPU, in 64-bit words (a machine may have more than 64 CPUs); only on the way to a panic.
            var fatalMask = new ulong[(cpus.Length + 63) / 64];
            for (int c = 0; c < cpus.Length; c++)
            {
                if (cpus[c].InMce && cpus[c].FoundError && cpus[c].Fatal)
                {
                    fatalMask[c >> 6] |= 1UL << (c & 63);
                }
            }

            // The reason names the fatal CPUs; it is only formatted when someone reads it (the machine's first panic, or a trace).
            string reason = XenPanic.WantsText(_batch, machine) ? XenConsole.FatalCpusReason(fatalMask, cpus.Length) : string.Empty;
            Panic(machine, ref s, reason, ResetReason.Fatal);
            return false;
        }

        return true;
    }

    private bool VerdictTwoRound(int machine, ref MachineState s)
    {
        if (s.WorstSeverity >= 3)
        {
            Panic(machine, ref s, "worst=3 should have caused RESET", ResetReason.Fatal);
            return false;
        }

        if (s.SeverityCpu < 0)
        {
            Panic(machine, ref s, "MCE: not found severity_cpu!", ResetReason.NoValidMce);
            return false;
        }

        _batch.Trace.Xen("MCE: trying to recover");
        return true;
    }

    /// <summary>
    /// The processing CPU (mce_softirq in Xen 32e8dd573b mce_intel.c and in Xen mce.c): the RFC's most
    /// offending CPU, or current Xen's last arrival without pending telemetry (else the last arrival);
    /// LMCE: the local CPU.
    /// </summary>
    private int ChooseProcessingCpu(int machine, ref MachineState s)
    {
        if (s.MceLmce)
        {
            return s.MceTargetCpu;
        }

        var cpus = _batch.CpusForWrite(machine);
        if (_batch.Policy.ProcessingCpu == ProcessingCpuRule.MostOffending)
        {
            int best = -1, bestRank = int.MaxValue, worst = 0;
            for (int c = 0; c < cpus.Length; c++)
            {
                ref var cpu = ref cpus[c];
                if (cpu.InMce && (cpu.Severity > worst || (cpu.Severity == worst && cpu.Severity > 0 && cpu.ArrivalRank < bestRank)))
                {
                    worst = cpu.Severity;
                    best = c;
                    bestRank = cpu.ArrivalRank;
                }
            }

            return best >= 0 ? best : s.MceTargetCpu;
        }

        int last = -1, lastRank = -1, lastFree = -1, lastFreeRank = -1;
        for (int c = 0; c < cpus.Length; c++)
        {
            ref var cpu = ref cpus[c];
            if (!cpu.InMce)
            {
                continue;
            }

            if (cpu.ArrivalRank > lastRank)
            {
                last = c;
                lastRank = cpu.ArrivalRank;
            }

            if (cpu.PendingCookie < 0 && cpu.ArrivalRank > lastFreeRank)
            {
                lastFree = c;
                lastFreeRank = cpu.ArrivalRank;
            }
        }

        return lastFree >= 0 ? lastFree : last;
    }

    /// <summary>Step 4: each CPU that still sees MCIP writes MCG_STATUS = 0 (an interposed value is deleted).</summary>
    private void ClearMcip(int machine)
    {
        foreach (ref var cpu in _batch.CpusForWrite(machine))
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
    }

    private void Panic(int machine, ref MachineState s, string message, ResetReason reason)
    {
        XenPanic.McPanic(_batch, machine, s.SeverityCpu >= 0 ? s.SeverityCpu : s.MceTargetCpu, message);
        s.ResetPending = true;
        s.ResetReason = (byte)reason;
    }
}
