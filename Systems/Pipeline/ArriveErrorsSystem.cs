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
    /// <summary>The source when its CEs come in streams and runs are folded (campaigns), else null: then every CE is taken one by one.</summary>
    private readonly ICeStreamSource? _streams;
    /// <summary>Dom0's index among the machine's domains (-1 if the shape has none).</summary>
    private readonly int _dom0;

    public ArriveErrorsSystem(MachineBatch batch)
    {
        _batch = batch;
        _streams = batch.Runs is not null && !batch.LiteralPolling && !batch.Trace.Enabled ? batch.Source as ICeStreamSource : null;
        _dom0 = batch.DomainIndexOf(0);
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

        // Bounded by the source: each iteration consumes at least one error.
        while (_batch.Source.NextArrivalNs(m) <= s.NowNs)
        {
            if (_streams is not null && TryRun(m, ref s))
            {
                continue;
            }

            var e = _batch.Source.Take(m);
            _batch.Observer?.InputTaken(m, in e);
            if (Arrive(m, ref s, in e))
            {
                // A CE that raised a CMCI is handled before the next error arrives, even one of the same instant:
                // the interrupt comes between the two (so each CE counts toward the threshold on its own).
                break;
            }
        }
    }

    /// <summary>
    /// A run of one stream's corrected errors in closed form (docs/design.md, "Corrected errors at their own
    /// instants"): from the pending CE up to the machine's next other event, on an idle machine whose CMCI
    /// bank holds at most a CE. Every threshold-th CE raises a CMCI whose logout finds one record, committed
    /// non-urgent with a VIRQ, which dom0 logs one latency later; the run ends where the last such fetch is
    /// over and before any crossing of the telemetry pool could happen, so its counts and the state it leaves
    /// are those of stepping every CE. False (nothing taken) when the machine is not in that state.
    /// </summary>
    private bool TryRun(int m, ref MachineState s)
    {
        var src = _streams!;
        if (!src.PendingStream(m, out long untilNs) || s.McePending || s.VirqPending || s.ResetPending || s.PostResetPollDue
            || s.Dom0FetchAtNs != long.MaxValue || _dom0 < 0 || !_batch.Telemetry.IsIdle(m) || _batch.Handler.VmcePossiblyPending(m))
        {
            return false;
        }

        var spec = _batch.Spec;
        var first = src.StreamError(m, 0);
        if ((first.Status & MciStatusBits.Uc) != 0 || first.Interposed || !first.AutoSignal)
        {
            return false;
        }

        foreach (ref readonly var d in _batch.DomainsOf(m))
        {
            if (d.RunState != DomainRunState.Running)
            {
                return false;
            }
        }

        if (!_batch.DomainsOf(m)[_dom0].VirqMcaBound)
        {
            return false;
        }

        int row = spec.BankInstanceOf(first.Cpu, first.BankIndex);
        var banks = _batch.BanksOf(m);
        ref readonly var bank = ref banks[row];
        int owner = bank.CmciOwnerCpu;
        long threshold = (long)(bank.Ctl2 & MciCtl2Bits.ThresholdMask);
        if (owner < 0 || threshold < 1 || bank.InterposedCpu >= 0)
        {
            return false;
        }

        bool valid = (bank.Status & MciStatusBits.Val) != 0;
        long carried = valid ? bank.CorrectedSinceLogout : 0;
        if ((valid && (bank.Status & MciStatusBits.Uc) != 0) || carried >= threshold)
        {
            return false;
        }

        // The owner's CMCI logout reads every bank it owns: the others must be empty so that each CMCI finds one record.
        var cpus = _batch.CpusOf(m);
        ulong owned = cpus[owner].CmciOwnedMask & ~(1UL << first.BankIndex);
        bool polled = false;
        for (int c = 0; c < cpus.Length; c++)
        {
            if (cpus[c].CmciPending)
            {
                return false;
            }

            polled |= (cpus[c].PollMask & (1UL << first.BankIndex)) != 0;
        }

        for (int b = spec.FirstBank; owned != 0 && b < spec.BankCount; b++)
        {
            if ((owned & (1UL << b)) != 0)
            {
                ref readonly var other = ref banks[spec.BankInstanceOf(owner, b)];
                if ((other.Status & MciStatusBits.Val) != 0 || other.InterposedCpu >= 0)
                {
                    return false;
                }
            }
        }

        // Nothing else may happen before the run's end: the epoch's end, the next poll round that reads this bank
        // (the March 2009 poller reads CMCI banks) or would find anything, and whatever else the source has.
        untilNs = Math.Min(untilNs, _batch.RunEndNs);
        if (polled || _batch.PollWouldFind(m))
        {
            untilNs = Math.Min(untilNs, s.NextPollNs);
        }

        long latency = spec.Dom0LogLatencyNs;
        // The telemetry pool (20 non-urgent entries, Xen mctelem.c MC_NONURGENT_NENT) can only run out if 20 CMCIs
        // fall within one fetch latency: the run stops before the first place that many CEs might.
        long crowd = ((McTelemetry.NonUrgentEntryCount - 1) * threshold) + 1;
        long n = src.StreamCount(m, untilNs);
        if (n >= crowd)
        {
            long dense = src.StreamDenseAt(m, untilNs, latency + 1, crowd);
            if (dense != long.MaxValue)
            {
                untilNs = Math.Min(untilNs, dense);
                n = src.StreamCount(m, untilNs);
            }
        }

        if (n < 2)
        {
            return false;
        }

        long cmcis = (carried + n) / threshold;
        if (cmcis > 0)
        {
            // The last CMCI's record must reach dom0 before the run ends, else the run stops at that CMCI's CE.
            long last = (cmcis * threshold) - carried - 1;
            if (src.StreamTime(m, last) + latency >= untilNs)
            {
                long end = src.StreamTime(m, last);
                n = last;
                cmcis--;
                if (cmcis > 0 && src.StreamTime(m, (cmcis * threshold) - carried - 1) + latency >= end)
                {
                    return false;
                }
            }
        }

        if (n < 2)
        {
            return false;
        }

        long firstNs = s.NowNs;
        long residue = (carried + n) - (cmcis * threshold);
        ref var w = ref _batch.BankForWrite(m, row);
        if (cmcis > 0)
        {
            MceLogoutClear(ref w);
            _batch.CpuForWrite(m, owner);
        }

        // The CEs after the last CMCI (or all, with none) are written as one by one (SDM Table 15-7).
        bool cmciP = (spec.McgCap & McgCapBits.CmciP) != 0;
        for (long k = cmcis > 0 ? n - residue : 0; k < n; k++)
        {
            var e = src.StreamError(m, k);
            var merged = BankWriteRules.Merge(w.Status, w.Addr, w.Misc, e.Status, e.Addr, e.Misc, spec.Ser, cmciP);
            w.Status = merged.Status;
            w.Addr = merged.Addr;
            w.Misc = merged.Misc;
            w.CorrectedSinceLogout++;
        }

        if (_batch.Observer is { } observer)
        {
            for (long k = 0; k < n; k++)
            {
                var e = src.StreamError(m, k);
                observer.InputTaken(m, in e);
            }
        }

        src.SkipStream(m, n);
        // Per CE its arrival; per CMCI the interrupt, the logout's find, the commit, the VIRQ and dom0's record.
        _batch.Runs!.Add(m, firstNs, n, cmcis, cmcis, cmcis, n + (5 * cmcis));
        return true;
    }

    private static void MceLogoutClear(ref BankState bank)
    {
        bank.Status = 0;
        bank.Addr = 0;
        bank.Misc = 0;
        bank.CorrectedSinceLogout = 0;
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct ArriveErrorsDue(ArriveErrorsSystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    /// <summary>Writes one error into its bank and signals it; true when it was a CE that raised a CMCI.</summary>
    private bool Arrive(int machine, ref MachineState m, in ErrorInjection e)
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
                        return (e.Status & MciStatusBits.Uc) == 0;
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

        return false;
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
