using System.Diagnostics;
using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 1 (docs/design.md): writes the errors due now into their banks with the SDM overwrite
/// rules (or as interposed values) and signals them: #MC (broadcast or LMCE), CMCI, or nothing.
/// </summary>
internal sealed class ArriveErrorsSystem
{
    private readonly MachineBatch _batch;

    public ArriveErrorsSystem(MachineBatch batch)
    {
        _batch = batch;
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new ArriveErrorsDue(this);
        _batch.World.ForEachRow<MachineState, ArriveErrorsDue>(machines, ref due);
    }

    /// <summary>The system's work on one machine due this round (its row is its index in the batch).</summary>
    private void Visit(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up)
        {
            return;
        }

        // Bounded by the source: each iteration consumes one error.
        while (_batch.Source.NextArrivalNs(m) <= s.NowNs)
        {
            var e = _batch.Source.Take(m);
            _batch.Observer?.InputTaken(m, in e);
            Arrive(m, ref s, in e);
        }
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct ArriveErrorsDue(ArriveErrorsSystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    private void Arrive(int machine, ref MachineState m, in ErrorInjection e)
    {
        var spec = _batch.Spec;
        Debug.Assert(e.Cpu >= 0 && e.Cpu < spec.CpuCount, "scenario validation checks the CPU");
        Debug.Assert(e.BankIndex >= 0 && e.BankIndex < spec.BankCount, "scenario validation checks the bank");
        var cpus = _batch.CpusOf(machine);
        int row = spec.BankInstanceOf(e.Cpu, e.BankIndex);
        // Every arrival writes its bank (a value, or an interposed one): the writable view marks it.
        ref var bank = ref _batch.BankForWrite(machine, row);
        ref readonly var cpu = ref cpus[e.Cpu];
        long count = Math.Max(1, e.Count);

        _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.ErrorArrived) with
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
            // XEN_MC_msrinject with INTERPOSE: values seen by this CPU only (Xen mce.c intpose_add, mca_rdmsr).
            bank.InterposedCpu = (short)e.Cpu;
            bank.InterposedStatus = e.Status;
            bank.InterposedAddr = e.Addr;
            bank.InterposedMisc = e.Misc;
            ref var w = ref _batch.CpuForWrite(machine, e.Cpu);
            w.InterposedMcgStatus = e.McgStatus | (e.Signal == Signal.Lmce ? McgStatusBits.Lmce : 0);
            w.McgInterposed = true;
        }
        else
        {
            ulong before = bank.Status;
            bool cmciP = (spec.McgCap & McgCapBits.CmciP) != 0;
            // k corrected errors between two handler runs fold in O(1), as if written one by one (SDM Table 15-7).
            // The literal reference mode writes them one by one instead; both must agree.
            bool folded = (e.Status & MciStatusBits.Uc) == 0 && count > 1;
            var merged = folded && !_batch.LiteralPolling
                ? BankWriteRules.FoldCorrected(bank.Status, bank.Addr, bank.Misc, e.Status, e.Addr, e.Misc, count, spec.Ser, cmciP)
                : BankWriteRules.Merge(bank.Status, bank.Addr, bank.Misc, e.Status, e.Addr, e.Misc, spec.Ser, cmciP);
            for (long i = 1; folded && _batch.LiteralPolling && i < count; i++)
            {
                merged = BankWriteRules.Merge(merged.Status, merged.Addr, merged.Misc, e.Status, e.Addr, e.Misc, spec.Ser, cmciP);
            }
            // A corrected record displaced by an uncorrected one is never logged (SDM Table 15-7).
            if ((before & MciStatusBits.Val) != 0 && (before & MciStatusBits.Uc) == 0 && (merged.Status & MciStatusBits.Uc) != 0)
            {
                _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.LogLost) with
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
            if ((e.Status & MciStatusBits.Uc) == 0)
            {
                bank.CorrectedSinceLogout += count;
            }
        }

        Signal signal = e.AutoSignal ? HardwareSignal(in bank, e.Status, count) : e.Signal;
        switch (signal)
        {
            case Signal.Mce:
            case Signal.Lmce:
                bool lmce = signal == Signal.Lmce && LmceOn;
                // An interposed error's #MC is XEN_MC_mceinject's `int $0x12`: on the target alone unless the hypervisor raises it on every CPU (Xen mce.c do_mca).
                bool targetOnly = e.Interposed && !lmce && !_batch.Policy.MceInjectBroadcast;
                // What the consuming CPU was running decides "Xen is not pre-emptible" and the LMCE vCPU (Xen mce.c mce_urgent_action, mcaction.c mc_memerr_dhandler).
                ref var w = ref _batch.CpuForWrite(machine, e.Cpu);
                w.RunningDomain = e.InGuest ? e.RunningDomain : (short)-1;
                w.RunningVcpu = e.InGuest ? e.RunningVcpu : (short)-1;
                if (!m.McePending)
                {
                    m.MceContext = (byte)e.Context;
                    m.McePending = true;
                    m.MceLmce = lmce;
                    m.MceTargetOnly = targetOnly;
                    m.MceTargetCpu = (short)e.Cpu;
                }
                else
                {
                    // A second error in the same instant joins the rendezvous; any broadcast makes it broadcast.
                    m.MceLmce &= lmce;
                    m.MceTargetOnly &= targetOnly;
                }

                if (!e.Interposed)
                {
                    // The consuming CPU gets the error's MCG_STATUS; the others of a broadcast see MCIP|RIPV.
                    _batch.CpuForWrite(machine, e.Cpu).McgStatus = e.McgStatus | McgStatusBits.Mcip | (lmce ? McgStatusBits.Lmce : 0);
                    if (!lmce)
                    {
                        for (int c = 0; c < cpus.Length; c++)
                        {
                            if (c != e.Cpu && (cpus[c].McgStatus & McgStatusBits.Mcip) == 0)
                            {
                                _batch.CpuForWrite(machine, c).McgStatus = McgStatusBits.Mcip | McgStatusBits.Ripv;
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
                        _batch.CpuForWrite(machine, bank.CmciOwnerCpu).CmciPending = true;
                    }
                }
                else
                {
                    // XEN_MC_inject_v2 CMCI with CPU_BROADCAST: the vector IPI reaches every online CPU (Xen mce.c do_mca XEN_MC_inject_v2).
                    for (int c = 0; c < cpus.Length; c++)
                    {
                        if (cpus[c].Online)
                        {
                            _batch.CpuForWrite(machine, c).CmciPending = true;
                        }
                    }
                }

                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Whether an #MC can be local: the host has MCG_LMCE_P and the hypervisor set MCG_EXT_CTL.LMCE_EN
    /// (Intel SDM vol. 3B 15.3.1.5); otherwise a local request is delivered as a broadcast.
    /// </summary>
    private bool LmceOn => _batch.Spec.LmceSupported && _batch.Policy.LmceEnabled;

    /// <summary>
    /// How the hardware signals an error (SDM Table 15-6, Intel SDM vol. 3B 15.6.3): PCC, non-SER UC and
    /// S=1 errors raise #MC (SRAR locally when LMCE is enabled); UCNA raises CMCI at once; corrected
    /// errors raise CMCI when the bank's count reaches its threshold; a bank without CMCI is polled.
    /// </summary>
    private Signal HardwareSignal(in BankState bank, ulong status, long count)
    {
        var spec = _batch.Spec;
        if ((status & MciStatusBits.Uc) != 0)
        {
            if ((status & MciStatusBits.Pcc) != 0 || !spec.Ser || (status & MciStatusBits.S) != 0)
            {
                bool srar = spec.Ser && (status & (MciStatusBits.S | MciStatusBits.Ar | MciStatusBits.Pcc)) == (MciStatusBits.S | MciStatusBits.Ar);
                return srar && LmceOn ? Signal.Lmce : Signal.Mce;
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
