using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 3 (docs/design.md): every participating CPU enters the #MC handler in an order drawn
/// from per-CPU latencies; logout is serialized, so the first CPU to read and clear a shared bank
/// owns it. Era (A) first runs the RFC's round-1 PCC scan and its barrier for every online CPU; era (B)
/// defers UC telemetry and marks fatal CPUs.
/// </summary>
internal sealed class RendezvousMceSystem
{
    /// <summary>Purpose key of the arrival-latency stream.</summary>
    public const ulong ArrivalPurpose = 0x4D43_4541_5252_4956; // "MCEARRIV"

    private readonly MachineBatch _batch;
    private readonly int[] _order;
    private readonly long[] _latency;
    private readonly bool[] _seesValidBank;

    public RendezvousMceSystem(MachineBatch batch)
    {
        _batch = batch;
        _order = new int[batch.Spec.CpuCount];
        _latency = new long[batch.Spec.CpuCount];
        _seesValidBank = new bool[batch.Spec.CpuCount];
    }

    /// <summary>The participants of the current #MC in arrival order (valid until the next Run).</summary>
    public ReadOnlySpan<int> Order => _order.AsSpan(0, OrderCount);

    public int OrderCount { get; private set; }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new RendezvousMceDue(this);
        _batch.World.ForEachRow<MachineState, RendezvousMceDue>(machines, ref due);
    }

    /// <summary>The system's work on one machine due this round (its row is its index in the batch).</summary>
    private void Visit(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up || !s.McePending)
        {
            return;
        }

        s.EventSeq++;
        _batch.Emit(_batch.NewEvent(m, HandlerEventKind.MceEntered) with { Cpu = s.MceTargetCpu, Arg = s.MceLmce ? 1 : 0 });
        var cpus = _batch.CpusForWrite(m);
        foreach (ref var c in cpus)
        {
            c.FoundError = false;
            c.Fatal = false;
            c.PendingCookie = -1;
            c.Severity = 0;
            c.InMce = false;
        }

        ArrivalOrder(m, ref s);

        s.SeverityCpu = -1;
        s.WorstSeverity = 0;
        if (_batch.Policy.Rendezvous == RendezvousStyle.TwoRound2009)
        {
            TwoRound(m, ref s);
        }
        else
        {
            Common(m, ref s);
        }
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct RendezvousMceDue(RendezvousMceSystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    /// <summary>
    /// Era (B) step 1 (Xen mce.c mcheck_cmn_handler): MCE_SCAN logout per CPU under mce_logout_lock; UC or PCC
    /// telemetry is deferred, PCC or unrecoverable marks the CPU fatal; corrected-only is committed
    /// URGENT; the last CPU through the lock with errors becomes severity_cpu.
    /// </summary>
    private void Common(int machine, ref MachineState s)
    {
        var cpus = _batch.CpusForWrite(machine);
        ulong all = Pipeline.AllBanksMask(_batch.Spec);
        var work = CpusSeeingValidBanks(machine);
        foreach (int c in Order)
        {
            if (!work[c])
            {
                continue;
            }

            ref var cpu = ref cpus[c];
            var summary = McaLogout.Run(_batch, machine, c, LogoutSource.MceScan, all);
            if (summary.Found == 0)
            {
                continue;
            }

            if (summary.Cookie >= 0)
            {
                if (summary.Uc || summary.Pcc)
                {
                    cpu.PendingCookie = summary.Cookie;
                }
                else
                {
                    _batch.Telemetry.Commit(machine, summary.Cookie, urgent: true);
                    cpu.PendingCookie = -2; // has telemetry, already committed
                }
            }

            if (summary.Pcc || !summary.Recoverable)
            {
                cpu.Fatal = true;
            }

            cpu.FoundError = true;
            cpu.Severity = (byte)(summary.Pcc ? 3 : summary.Uc ? 2 : 1);
            s.SeverityCpu = (short)c;
            McaLogout.ClearMarked(_batch, machine, c, summary.ClearMask);
        }
    }

    /// <summary>
    /// The CPUs that see a bank row holding a valid record (real, or interposed for some CPU). A logout by any
    /// other CPU finds nothing and changes nothing, so the rendezvous skips it; rows only become invalid while
    /// the CPUs log out in turn, so marking them once beforehand is enough.
    /// </summary>
    private ReadOnlySpan<bool> CpusSeeingValidBanks(int machine)
    {
        var spec = _batch.Spec;
        var banks = _batch.BanksOf(machine);
        var sees = _seesValidBank.AsSpan();
        sees.Clear();
        for (int row = 0; row < banks.Length; row++)
        {
            ref readonly var b = ref banks[row];
            if (((b.Status | (b.InterposedCpu >= 0 ? b.InterposedStatus : 0)) & MciStatusBits.Val) != 0)
            {
                sees.Slice(spec.FirstCpuOfInstance(row), spec.CpusSharingInstance(row)).Fill(true);
            }
        }

        return sees;
    }

    /// <summary>
    /// Whether round 1 of era A resets on this real bank value: VAL|UC|EN with PCC (Xen 32e8dd573b mce_intel.c
    /// severity_scan), or with no recovery method, which the RFC's implementation note 1 also resets on.
    /// </summary>
    private static bool Round1Resets(ulong status, ulong misc, bool ser)
    {
        const ulong ValUcEn = MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En;
        return (status & ValUcEn) == ValUcEn && ((status & MciStatusBits.Pcc) != 0 || !IntelMca.HasRecoveryMethod(status, misc, ser));
    }

    /// <summary>Whether any bank row's real value makes round 1 reset (it can stop on nothing else).</summary>
    private static bool AnyRound1Reset(ReadOnlySpan<BankState> banks, bool ser)
    {
        foreach (ref readonly var b in banks)
        {
            if (Round1Resets(b.Status, b.Misc, ser))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Era (A) (Xen 32e8dd573b mce_intel.c intel_machine_check): round 1 reads every bank without clearing
    /// and resets at once on VAL|UC|EN with PCC or with no recovery method, leaving banks sticky (an
    /// interposed value does not reset), then waits for every online CPU; round 2 logs out and clears every valid bank, grading each CPU 3 (PCC or
    /// no recovery method), 2 (UC) or 1; the strictly worst CPU, earliest on a tie, becomes the most
    /// offending CPU. An #MC that fewer CPUs entered than are online (an injected one, raised on the target
    /// alone; a host without broadcast #MC) never passes round 1's barrier: the machine hangs.
    /// </summary>
    private void TwoRound(int machine, ref MachineState s)
    {
        var spec = _batch.Spec;
        var banks = _batch.BanksOf(machine);
        var cpus = _batch.CpusForWrite(machine);
        // Round 1 can only stop on a bank whose real value resets it: without one anywhere in the machine, its
        // CPU-by-bank reads are skipped.
        foreach (int c in AnyRound1Reset(banks, spec.Ser) ? Order : [])
        {
            for (int b = spec.FirstBank; b < spec.BankCount; b++)
            {
                ref readonly var bank = ref banks[spec.BankInstanceOf(c, b)];
                // An interposed value hides the real one and never resets: "the interposed value will be lost at reboot" (Xen mce_intel.c severity_scan, 2009).
                if (bank.InterposedCpu == c || !Round1Resets(bank.Status, bank.Misc, spec.Ser))
                {
                    continue;
                }

                bool pcc = (bank.Status & MciStatusBits.Pcc) != 0;
                // A UC error without a recovery method resets before round 2 clears anything, "for avoiding DOM0 LOG missing"
                // (the RFC's implementation note 1; the commit has it as a TODO in severity_scan, so the wording is the model's).
                XenPanic.McPanic(_batch, machine, c, pcc ? "pcc = 1, cpu unable to continue" : "UC error without a recovery method, reset to keep the banks for logging");
                cpus[c].Fatal = true;
                s.ResetPending = true;
                s.ResetReason = (byte)(pcc ? ResetReason.Fatal : ResetReason.Unrecoverable);
                return;
            }
        }

        int online = 0;
        foreach (ref readonly var c in cpus)
        {
            online += c.Online ? 1 : 0;
        }

        if (OrderCount < online)
        {
            // Each CPU spins until cpus_weight(scanned_cpus) reaches num_online_cpus(), with no timeout (Xen 32e8dd573b mce_intel.c
            // intel_machine_check): the CPUs in the handler never reach round 2, nothing is logged and nothing resets.
            _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.MceHung) with { Cpu = (short)Order[0], Arg = OrderCount, Arg2 = online });
            s.Phase = MachinePhase.Hung;
            return;
        }

        ulong all = Pipeline.AllBanksMask(spec);
        var work = CpusSeeingValidBanks(machine);
        foreach (int c in Order)
        {
            if (!work[c])
            {
                continue;
            }

            ref var cpu = ref cpus[c];
            var summary = McaLogout.Run(_batch, machine, c, LogoutSource.MceScan, all, clearAll: true);
            if (summary.Found == 0)
            {
                continue;
            }

            cpu.FoundError = true;
            cpu.PendingCookie = summary.Cookie;
            int severity = summary.Pcc ? 3 : summary.Uc ? 2 : 1;
            if (summary.Uc && summary.Cookie >= 0 && !_batch.Telemetry.HasRecoveryMethod(machine, summary.Cookie, spec.Ser))
            {
                // The RFC resets at once on an unrecoverable error: a UC record with no recovery method.
                severity = 3;
            }

            cpu.Severity = (byte)severity;
            if (severity > s.WorstSeverity)
            {
                s.WorstSeverity = severity;
                s.SeverityCpu = (short)c;
            }
        }
    }

    /// <summary>
    /// Who enters and in which order: every online CPU for a broadcast #MC, the target alone for
    /// LMCE, an injected #MC raised on the target only, or a non-broadcast host; the order sorts CPUs by a
    /// latency drawn from the machine's arrival stream (ties by CPU index).
    /// </summary>
    private void ArrivalOrder(int machine, ref MachineState s)
    {
        var spec = _batch.Spec;
        var cpus = _batch.CpusForWrite(machine);
        int n = 0;
        if (spec.Broadcast && !s.MceLmce && !s.MceTargetOnly)
        {
            var rng = CounterRng.Create(_batch.Seed, (ulong)s.MachineId, ArrivalPurpose);
            for (int c = 0; c < cpus.Length; c++)
            {
                if (!cpus[c].Online)
                {
                    continue;
                }

                // Entry latency 100..1099 ns, one draw per (event, CPU).
                _latency[c] = 100 + (long)(rng.At(((ulong)s.EventSeq * (ulong)cpus.Length) + (ulong)c) % 1000);
                int i = n++;
                while (i > 0 && (_latency[_order[i - 1]] > _latency[c] || (_latency[_order[i - 1]] == _latency[c] && _order[i - 1] > c)))
                {
                    _order[i] = _order[i - 1];
                    i--;
                }

                _order[i] = c;
            }
        }
        else
        {
            _order[n++] = s.MceTargetCpu;
        }

        OrderCount = n;
        for (int i = 0; i < n; i++)
        {
            cpus[_order[i]].ArrivalRank = (byte)i;
            cpus[_order[i]].InMce = true;
        }
    }
}
