using System.Diagnostics;
using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
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
        _offlines = batch.Policy.Dom0Daemon.Offlines;
    }

    /// <summary>Whether dom0 may take pages out of service (else no error is ever on one).</summary>
    private readonly bool _offlines;

    /// <summary>
    /// Whether the error lands on a frame out of service: a demand-read CE there is dropped (true); a UE there is
    /// counted (its source already made it the scrubber's find).
    /// </summary>
    private bool Retired(int m, in ErrorInjection e)
    {
        if ((e.Status & MciStatusBits.AddrV) == 0 || !PageTable.IsMemoryError(e.Status) || !_batch.Pages.OutOfService(m, (long)(e.Addr >> PageTable.PageShift), e.TimeNs))
        {
            return false;
        }

        if ((e.Status & MciStatusBits.Uc) != 0)
        {
            _batch.Daemon.CountUeOnRetired(m);
            return false;
        }

        return PageTable.IsDemandReadCe(e.Status);
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
            if (_offlines && Retired(m, in e))
            {
                // A demand read of a page its owner no longer uses never happens (source-audit §6).
                continue;
            }

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
        if (!src.PendingStream(m, out long untilNs))
        {
            return false;
        }

        if (_offlines && SkipRetired(m, ref s, src, untilNs))
        {
            return true;
        }

        if (s.McePending || s.VirqPending || s.ResetPending || s.PostResetPollDue
            || s.Dom0FetchAtNs != long.MaxValue || _dom0 < 0 || !_batch.Telemetry.IsIdle(m) || _batch.Handler.VmcePossiblyPending(m))
        {
            return false;
        }

        // Most pending CEs of slow streams have no second CE before the machine's next other event: bail out cheaply.
        // A run event lies within one simulated day (CorrectedRuns), and so does a closed-form run.
        untilNs = Math.Min(Math.Min(untilNs, _batch.RunEndNs), CorrectedRuns.NextDayNs(s.NowNs));
        if (src.StreamCount(m, untilNs) < 2)
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

        // Nothing else may happen before the run's end: the epoch's end and whatever else the source has. The March
        // 2009 poller reads CMCI banks too: its rounds are folded into the run when every other bank is empty (so a
        // round finds this bank or nothing); else the run ends at the next round that could find anything.
        long readPeriod = _batch.Policy.Dom0ReadPeriodNs;
        if (polled && !OtherBanksEmpty(m, row))
        {
            return false;
        }

        if (!polled && _batch.PollWouldFind(m))
        {
            untilNs = Math.Min(untilNs, s.NextPollNs);
        }

        long latency = spec.Dom0LogLatencyNs;
        var daemon = _batch.Daemon;
        long scanned = 0;
        if (daemon.Active)
        {
            if (polled)
            {
                // dom0's daemon reads poll finds too; runs follow CMCI records only (the poll rounds then go one by one).
                return false;
            }

            // dom0's daemon reads each record: the run ends before the CE whose record would make it act on a page, or
            // before a demand CE on a page out of service (the scan accounts every other record on a scratch copy).
            long all = src.StreamCount(m, untilNs);
            scanned = ScanDaemon(m, src, all, carried, threshold, latency, in bank, owner);
            if (scanned < 2)
            {
                return false;
            }

            if (scanned < all)
            {
                untilNs = src.StreamTime(m, scanned);
            }
        }

        // The telemetry pool (20 non-urgent entries, Xen mctelem.c MC_NONURGENT_NENT) can only run out if 20 records
        // fall within one fetch latency: the run stops before the first place where that many CEs might.
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

        if (!PlanRun(m, ref s, src, ref untilNs, carried, threshold, latency, polled, readPeriod, out var plan))
        {
            return false;
        }

        // The plan may end earlier than the scan did: the scratch is made again for the run's CEs (a prefix of a clean scan is clean).
        if (daemon.Active && plan.Errors != scanned && ScanDaemon(m, src, plan.Errors, carried, threshold, latency, in bank, owner) != plan.Errors)
        {
            throw new InvalidOperationException("a prefix of a run the daemon lets through is let through");
        }

        ref var w = ref _batch.BankForWrite(m, row);
        if (plan.Cleared)
        {
            McaLogout.ClearBank(ref w, owner);
        }

        if (plan.Cmcis > 0)
        {
            _batch.CpuForWrite(m, owner);
        }

        // The CEs since the bank was last cleared (all, if it never was) are written as one by one (SDM Table 15-7).
        bool cmciP = (spec.McgCap & McgCapBits.CmciP) != 0;
        for (long k = plan.ResidueFrom; k < plan.Errors; k++)
        {
            var e = src.StreamError(m, k);
            var merged = BankWriteRules.Merge(w.Status, w.Addr, w.Misc, e.Status, e.Addr, e.Misc, spec.Ser, cmciP);
            w.Status = merged.Status;
            w.Addr = merged.Addr;
            w.Misc = merged.Misc;
            w.CorrectedSinceLogout++;
        }

        if (polled)
        {
            s.NextPollNs = plan.NextPollNs;
            s.PollPeriodNs = plan.PollPeriodNs;
        }

        // A recorder is told of the run as one input: its first CE with the run's count (the stream itself is a pure
        // function of the seed and the machine, so a replay re-runs it from the spec and compares).
        if (_batch.Observer is { } observer)
        {
            var taken = first with { Count = plan.Errors };
            observer.InputTaken(m, in taken);
        }

        long firstNs = s.NowNs;
        src.SkipStream(m, plan.Errors);
        // Per CE its arrival; per CMCI the interrupt, its logout's find, the commit, the VIRQ and dom0's record; per
        // poll round that found, the find, the commit, the VIRQ and dom0's record. Under a periodic mcelog the
        // buffer takes what room each read period has, and drops the rest (XEN_MCE_OVERFLOW).
        long records = plan.Cmcis + plan.PollFinds;
        long logged = records;
        if (readPeriod > 0)
        {
            logged = plan.Logged;
            if (records > 0)
            {
                s.Dom0BufferPeriod = plan.BufferPeriod;
                s.Dom0BufferCount = plan.BufferCount;
            }
        }

        if (daemon.Active)
        {
            daemon.CommitRun();
        }

        _batch.Runs!.Add(m, firstNs, plan.Errors, plan.Cmcis, records, logged, records - logged, plan.Errors + (5 * plan.Cmcis) + (4 * plan.PollFinds));
        return true;
    }

    /// <summary>
    /// Plans the run up to <paramref name="untilNs"/>, which must end with every record it made in dom0's hands: else it
    /// ends just before its last record's cause (a CE that raised a CMCI, a poll round that found), and again, a few
    /// times at most. False when no run of two CEs or more fits.
    /// </summary>
    private static bool PlanRun(int m, ref MachineState s, ICeStreamSource src, ref long untilNs, long carried, long threshold, long latency, bool polled, long readPeriod, out RunPlan plan)
    {
        for (int attempt = 0; ; attempt++)
        {
            long retry = Plan(m, ref s, src, untilNs, carried, threshold, latency, polled, readPeriod, out plan);
            if (retry == long.MaxValue)
            {
                break;
            }

            if (attempt == 3 || retry <= s.NowNs)
            {
                return false;
            }

            untilNs = retry;
        }

        return plan.Errors >= 2;
    }

    /// <summary>
    /// The CEs of a planned run that dom0's daemon lets through unchanged (mcelog page.c, memdb.c): each CMCI record (its
    /// bank's first CE since the clear, with the count at the threshold, read one latency after its CE) is accounted on
    /// the daemon's scratch; the first CE whose record would cross an online page's threshold, or a demand CE on a page
    /// out of service, ends the run before it. Returns how many CEs stay (all of them: the run is as planned).
    /// </summary>
    private long ScanDaemon(int m, ICeStreamSource src, long errors, long carried, long threshold, long latency, in BankState bank, int owner)
    {
        var daemon = _batch.Daemon;
        var first = src.StreamError(m, 0);
        daemon.BeginRun(m, _batch.Spec.SocketOf(owner), (int)(first.Status & 0xF));
        bool demand = _offlines && PageTable.IsDemandReadCe(first.Status) && _batch.Pages.Any(m);
        ulong recordStatus = (first.Status & ~MciStatusBits.CeCountMask) | ((ulong)threshold << MciStatusBits.CeCountShift);
        ulong firstAddr = carried > 0 ? bank.Addr : first.Addr;
        long page = src.StreamPage(m);
        if (page >= 0)
        {
            // One page: its CEs stop where it leaves service (if it does within the run), and every record names it.
            if (demand)
            {
                long leaves = _batch.Pages.LeavesServiceAt(m, page);
                errors = leaves == long.MaxValue ? errors : Math.Min(errors, src.StreamCount(m, leaves));
            }

            ulong addr = carried > 0 ? bank.Addr : first.Addr;
            long k = (threshold - 1 - carried) % threshold;
            if (k < 0)
            {
                k += threshold;
            }

            for (; k < errors; k += threshold)
            {
                if (!daemon.ScratchRecord(recordStatus, addr, src.StreamTime(m, k) + latency))
                {
                    return k;
                }

                // The bank's first CE since a clear is kept (SDM Table 15-8): after the first CMCI, this stream's.
                addr = first.Addr;
            }

            return errors;
        }

        for (long k = 0; k < errors; k++)
        {
            var e = k == 0 ? first : src.StreamError(m, k);
            if (demand && _batch.Pages.OutOfService(m, (long)(e.Addr >> PageTable.PageShift), e.TimeNs))
            {
                return k;
            }

            if ((carried + k) % threshold == 0)
            {
                firstAddr = e.Addr;
            }

            if ((carried + k + 1) % threshold == 0 && !daemon.ScratchRecord(recordStatus, firstAddr, e.TimeNs + latency))
            {
                return k;
            }
        }

        return errors;
    }

    /// <summary>
    /// Drops the pending stream's next demand CEs while they land on pages out of service, up to the source's next
    /// other event (only a reset brings a page back, and only an arrival or the #MC in hand can reset the host): they
    /// never happen. True when any were dropped.
    /// </summary>
    private bool SkipRetired(int m, ref MachineState s, ICeStreamSource src, long untilNs)
    {
        var first = src.StreamError(m, 0);
        if (!PageTable.IsDemandReadCe(first.Status))
        {
            return false;
        }

        var pages = _batch.Pages;
        long until = Math.Min(untilNs, _batch.RunEndNs);
        if (s.McePending || s.ResetPending)
        {
            until = Math.Min(until, s.NowNs + 1);
        }

        long page = src.StreamPage(m);
        long n;
        if (page >= 0)
        {
            // One page: out of service from some instant on (until a reset), so every CE from there is dropped at once.
            n = pages.OutOfService(m, page, first.TimeNs) ? src.StreamCount(m, until) : 0;
        }
        else
        {
            long count = src.StreamCount(m, until);
            n = 0;
            // Bounded per call; a longer stretch is taken over several calls.
            while (n < count && n < 4096)
            {
                var e = n == 0 ? first : src.StreamError(m, n);
                if (!pages.OutOfService(m, (long)(e.Addr >> PageTable.PageShift), e.TimeNs))
                {
                    break;
                }

                n++;
            }
        }

        if (n == 0)
        {
            return false;
        }

        src.SkipStream(m, n);
        return true;
    }

    /// <summary>
    /// Plans a run up to <paramref name="untilNs"/>: the CEs, the CMCIs at every threshold-th CE since the bank was
    /// last cleared, and (when the poller reads this bank) each poll round, which finds the bank iff it holds a CE
    /// and then halves the period, else doubles it (Xen intel-nonfatal.c; <see cref="PollSchedule"/>). A round at
    /// instant p comes after every CE at p. Returns <see cref="long.MaxValue"/> when the last record reaches dom0
    /// before <paramref name="untilNs"/>, else the instant to end the run at instead (just before that record's cause).
    /// </summary>
    private static long Plan(int m, ref MachineState s, ICeStreamSource src, long untilNs, long carried, long threshold, long latency, bool polled, long readPeriod, out RunPlan plan)
    {
        plan = default;
        long errors = polled ? src.StreamCount(m, untilNs) : 0;
        // dom0's buffer (readPeriod > 0): the records of each read period, the first of them taking what room is left.
        var buffer = new BufferTally(readPeriod, s.NowNs, s.Dom0BufferPeriod, s.Dom0BufferCount);
        long lastFindNs = long.MinValue;
        long idx = 0;
        long k = carried;
        long next = s.NextPollNs;
        long period = s.PollPeriodNs;
        // The last records made: a CMCI as its CE's index (>= 0), a poll round as ~its instant (< 0).
        long last = long.MinValue;
        long last2 = long.MinValue;
        // Bounded: each pass is one poll round before untilNs (at least 2 s apart), or the last segment.
        while (true)
        {
            bool round = polled && next < untilNs;
            long total = src.StreamCount(m, round ? next + 1 : untilNs);
            long count = total - idx;
            if (round && count == 0 && k == 0)
            {
                // An empty bank stays empty until the next CE: the rounds before it are skipped as PollSchedule does.
                long ceNs = idx < errors ? src.StreamTime(m, idx) : untilNs;
                while (next < ceNs && period < PollSchedule.PeriodMaxNs)
                {
                    period = Math.Min(period * 2, PollSchedule.PeriodMaxNs);
                    next += period;
                }

                if (next < ceNs)
                {
                    next += (ceNs - next + PollSchedule.PeriodMaxNs - 1) / PollSchedule.PeriodMaxNs * PollSchedule.PeriodMaxNs;
                }

                continue;
            }

            long cmcis = (k + count) / threshold;
            long firstCmci = idx + (threshold - k) - 1;
            long assigned = 0;
            long segmentEnd = round ? next + 1 : untilNs;
            // Each read of dom0's buffer this segment passes: no CE and no poll find may fall in the latency before
            // it (a record there could be fetched on either side), and the segment's CMCIs before it count in the
            // period it closes.
            while (readPeriod > 0 && buffer.NextReadNs < segmentEnd)
            {
                long read = buffer.NextReadNs;
                long windowStart = src.StreamCount(m, read - latency);
                if (src.StreamCount(m, read) > windowStart || (lastFindNs >= read - latency && lastFindNs < read))
                {
                    return Math.Min(read - latency, lastFindNs >= read - latency ? lastFindNs : long.MaxValue);
                }

                long before = windowStart <= firstCmci ? 0 : Math.Min(cmcis, ((windowStart - 1 - firstCmci) / threshold) + 1);
                buffer.Add(before - assigned);
                assigned = before;
                buffer.Read();
            }

            buffer.Add(cmcis - assigned);
            if (cmcis > 0)
            {
                long lastCmci = firstCmci + ((cmcis - 1) * threshold);
                last2 = cmcis > 1 ? lastCmci - threshold : last;
                last = lastCmci;
                plan.Cmcis += cmcis;
                plan.Cleared = true;
                plan.ResidueFrom = lastCmci + 1;
            }

            k = k + count - (cmcis * threshold);
            idx = total;
            if (!round)
            {
                break;
            }

            int found = k > 0 ? 1 : 0;
            if (found > 0)
            {
                plan.PollFinds++;
                plan.Cleared = true;
                plan.ResidueFrom = idx;
                k = 0;
                last2 = last;
                last = ~next;
                lastFindNs = next;
                buffer.Add(1);
            }

            long adapted = found > 0 ? period / (found + 1) : period * 2;
            period = Math.Clamp(adapted, PollSchedule.PeriodMinNs, PollSchedule.PeriodMaxNs);
            next += period;
        }

        plan.Errors = idx;
        plan.NextPollNs = next;
        plan.PollPeriodNs = period;
        buffer.Finish(ref plan);
        if (last == long.MinValue)
        {
            return long.MaxValue;
        }

        long lastNs = last >= 0 ? src.StreamTime(m, last) : ~last;
        if (lastNs + latency < untilNs)
        {
            return long.MaxValue;
        }

        // Ending just before the last record's cause leaves the one before it, which must be over by then.
        long beforeNs = last2 == long.MinValue ? long.MinValue : last2 >= 0 ? src.StreamTime(m, last2) : ~last2;
        return beforeNs == long.MinValue || beforeNs + latency < lastNs ? lastNs : beforeNs;
    }

    /// <summary>Whether every bank of the machine but <paramref name="row"/> is empty (nothing valid, nothing interposed).</summary>
    private bool OtherBanksEmpty(int m, int row)
    {
        var banks = _batch.BanksOf(m);
        for (int r = 0; r < banks.Length; r++)
        {
            if (r != row && ((banks[r].Status & MciStatusBits.Val) != 0 || banks[r].InterposedCpu >= 0))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// dom0's buffer over a run: records counted per read period (a multiple of the period on the wall clock),
    /// each period's first <see cref="HandlerPolicy.Dom0BufferRecords"/> minus what it already held taken, the
    /// rest dropped (Linux drivers/xen/mcelog.c XEN_MCE_OVERFLOW), and the state a literal run would leave.
    /// </summary>
    private struct BufferTally
    {
        private readonly long _readPeriod;
        private long _period;
        private long _held;
        private long _records;
        private long _logged;
        private long _lastPeriod;
        private long _lastCount;

        public BufferTally(long readPeriod, long nowNs, long statePeriod, int stateCount)
        {
            _readPeriod = readPeriod;
            _period = readPeriod > 0 ? nowNs / readPeriod : 0;
            _held = readPeriod > 0 && statePeriod == _period ? stateCount : 0;
            _lastPeriod = statePeriod;
            _lastCount = stateCount;
        }

        /// <summary>The next read after the current period's start.</summary>
        public readonly long NextReadNs => (_period + 1) * _readPeriod;

        public void Add(long records) => _records += records;

        /// <summary>The read at the end of the current period: the next one starts empty.</summary>
        public void Read()
        {
            Close();
            _period++;
            _held = 0;
        }

        public void Finish(ref RunPlan plan)
        {
            Close();
            plan.Logged = _logged;
            plan.BufferPeriod = _lastPeriod;
            plan.BufferCount = (int)_lastCount;
        }

        private void Close()
        {
            if (_records == 0)
            {
                return;
            }

            long taken = Math.Min(_records, HandlerPolicy.Dom0BufferRecords - _held);
            _logged += taken;
            _lastPeriod = _period;
            _lastCount = _held + taken;
            _records = 0;
        }
    }

    /// <summary>What a closed-form run does (see <see cref="Plan"/>).</summary>
    private struct RunPlan
    {
        public long Errors;
        public long Cmcis;
        public long PollFinds;
        /// <summary>Whether a CMCI or a poll round cleared the bank during the run.</summary>
        public bool Cleared;
        /// <summary>The first CE the bank still holds at the end (after the last clear, or 0).</summary>
        public long ResidueFrom;
        public long NextPollNs;
        public long PollPeriodNs;
        /// <summary>With a periodic reader of dom0's buffer: the records it took, and its state after the last record.</summary>
        public long Logged;
        public long BufferPeriod;
        public int BufferCount;
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
