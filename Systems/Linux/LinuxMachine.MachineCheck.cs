using System.Diagnostics;
using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

internal sealed partial class LinuxMachine
{
    /// <summary>One CPU's do_machine_check locals.</summary>
    private struct McCpu
    {
        public int Cpu;
        public ulong Mcg;
        /// <summary>ip/cs as gathered: copied only when RIPV or EIPV is set.</summary>
        public ulong Ip;
        public ushort Cs;
        public LinuxContext Context;
        /// <summary>MCE_IN_KERNEL_COPYIN: the fixup was a UACCESS one in a copy from user.</summary>
        public bool CopyIn;
        public bool NoWayOut;
        /// <summary>The grade message mce_no_way_out remembered (the "Machine check: msg" line).</summary>
        public string? Msg;
        public LoggedMce NoWayOutRecord;
        public bool KillCurrentTask;
        public bool Local;
        public LinuxSeverity Worst;
        /// <summary>Index in the log of the final (worst) record, or -1: mces_seen.</summary>
        public int FinalIndex;
        public ulong ToClear;
    }

    /// <summary>
    /// One #MC event: every CPU in <paramref name="enteringCpus"/> takes the exception, in that
    /// callin order (the first is the Monarch). Implements do_machine_check, mce_start, mce_end and
    /// mce_reign (Linux arch/x86/kernel/cpu/mce/core.c). CPUs whose MCG_STATUS has LMCES (modern era) handle it locally;
    /// the others rendezvous, which times out unless every online CPU entered.
    /// </summary>
    public void MachineCheck(ReadOnlySpan<int> enteringCpus)
    {
        if (enteringCpus.IsEmpty || _halted)
        {
            return;
        }

        var seen = new bool[_cpuCount];
        var cpus = new McCpu[enteringCpus.Length];
        int broadcast = 0;
        for (int i = 0; i < enteringCpus.Length; i++)
        {
            int cpu = CheckCpu(enteringCpus[i]);
            if (seen[cpu])
            {
                throw new ArgumentException($"CPU {cpu} enters the same #MC twice (expected distinct CPUs)", nameof(enteringCpus));
            }

            seen[cpu] = true;
            cpus[i] = Gather(cpu);
            if (!cpus[i].Local)
            {
                broadcast++;
            }
        }

        for (int i = 0; i < cpus.Length && !_halted; i++)
        {
            if (cpus[i].Local)
            {
                HandleLocal(ref cpus[i]);
            }
        }

        if (broadcast == 0 || _halted)
        {
            return;
        }

        var group = new McCpu[broadcast];
        for (int i = 0, j = 0; i < cpus.Length; i++)
        {
            if (!cpus[i].Local)
            {
                group[j++] = cpus[i];
            }
        }

        if (_options.MonarchTimeoutNs == 0)
        {
            // Linux core.c mce_start/mce_end: monarch_timeout 0 means no rendezvous, each CPU decides for itself
            for (int i = 0; i < group.Length && !_halted; i++)
            {
                HandleAlone(ref group[i], timedOut: false, seen);
            }
        }
        else if (broadcast == _cpuCount)
        {
            Rendezvous(group);
        }
        else
        {
            // Linux core.c mce_start/mce_end: not every online CPU called in before monarch_timeout
            for (int i = 0; i < group.Length && !_halted; i++)
            {
                HandleAlone(ref group[i], timedOut: true, seen);
            }
        }
    }

    /// <summary>Linux core.c do_machine_check: gather, mce_no_way_out, kill_current_task, lmce.</summary>
    private McCpu Gather(int cpu)
    {
        ulong mcg = _mcgStatus[cpu];
        // Linux core.c mce_gather_info copies ip/cs only when RIPV or EIPV is set
        bool ipValid = (mcg & (McgStatusBits.Ripv | McgStatusBits.Eipv)) != 0;
        ulong ip = ipValid ? _ip[cpu] : 0;
        ushort cs = ipValid ? _cs[cpu] : (ushort)0;
        bool mcSafe = Array.BinarySearch(_mcSafeIps, ip) >= 0;
        bool copyIn = Array.BinarySearch(_copyFromUserIps, ip) >= 0;
        LinuxContext context = LinuxSeverityTable.ContextOf(_era, mcg, cs, ip, mcSafe || copyIn);
        var c = new McCpu
        {
            Cpu = cpu,
            Mcg = mcg,
            Ip = ip,
            Cs = cs,
            Context = context,
            // Linux severity.c error_context: UACCESS fixups in a copy from user set COPYIN
            CopyIn = context == LinuxContext.KernelRecov && copyIn && !mcSafe,
            // Linux core.c do_machine_check: kill_current_task = 1 if RIPV = 0
            KillCurrentTask = (mcg & McgStatusBits.Ripv) == 0,
            // Linux core.c do_machine_check: lmce = MCG.LMCES on Intel; the old eras are assumed to have no LMCE
            Local = _era == LinuxTableEra.Modern && (mcg & McgStatusBits.Lmce) != 0,
            FinalIndex = -1,
        };

        // Linux core.c mce_no_way_out grades every valid bank with is_excp, stops at the first >= PANIC (all eras)
        for (int bank = 0; bank < _bankCount; bank++)
        {
            ulong status = _bankStatus[cpu * _bankCount + bank];
            if ((status & MciStatusBits.Val) == 0)
            {
                continue;
            }

            LinuxGrade grade = LinuxSeverityTable.Grade(_era, status, mcg, _ser, context, isException: true);
            if (grade.Severity >= LinuxSeverity.Panic)
            {
                c.NoWayOut = true;
                c.Msg = grade.Message;
                c.NoWayOutRecord = BankRecord(cpu, bank, mcg, ip, cs, grade, LinuxLogSource.MachineCheck);
                break;
            }
        }

        return c;
    }

    /// <summary>Linux core.c __mc_scan_banks.</summary>
    private void ScanBanks(ref McCpu c)
    {
        for (int bank = 0; bank < _bankCount; bank++)
        {
            ulong status = _bankStatus[c.Cpu * _bankCount + bank];
            if ((status & MciStatusBits.Val) == 0)
            {
                continue;
            }

            // Linux core.c __mc_scan_banks: not signalled (SER: S=0, non-SER: UC=0) and no panic -> skip without grading
            ulong signalBit = _ser ? MciStatusBits.S : MciStatusBits.Uc;
            if ((status & signalBit) == 0 && !c.NoWayOut)
            {
                continue;
            }

            LinuxGrade grade = LinuxSeverityTable.Grade(_era, status, c.Mcg, _ser, c.Context, isException: true);
            LinuxSeverity severity = grade.Severity;
            // Linux core.c __mc_scan_banks: KEEP or UCNA with no panic -> leave it for the poller
            if ((severity == LinuxSeverity.Keep || severity == LinuxSeverity.Ucna) && !c.NoWayOut)
            {
                continue;
            }

            c.ToClear |= 1UL << bank;
            // Linux core.c __mc_scan_banks: NO -> clear but ignore
            if (severity == LinuxSeverity.No)
            {
                continue;
            }

            int index = Log(BankRecord(c.Cpu, bank, c.Mcg, c.Ip, c.Cs, grade, LinuxLogSource.MachineCheck));
            // Linux core.c __mc_scan_banks: keep the worst record in final (strict >)
            if (severity > c.Worst)
            {
                c.Worst = severity;
                c.FinalIndex = index;
            }
        }
    }

    /// <summary>Linux core.c do_machine_check: banks are cleared only when not no_way_out; fatal banks stay sticky.</summary>
    private void ClearBanks(in McCpu c)
    {
        if (c.NoWayOut)
        {
            return;
        }

        for (int bank = 0; bank < _bankCount; bank++)
        {
            if ((c.ToClear & (1UL << bank)) != 0)
            {
                _bankStatus[c.Cpu * _bankCount + bank] = 0;
            }
        }
    }

    /// <summary>A local machine check (LMCES): no rendezvous (Linux core.c do_machine_check).</summary>
    private void HandleLocal(ref McCpu c)
    {
        Debug.Assert(_era == LinuxTableEra.Modern, "only the modern handler knows LMCE");
        // Linux core.c do_machine_check: local and no_way_out -> panic "Fatal local machine check"
        if (c.NoWayOut)
        {
            Panic("Fatal local machine check", c.NoWayOutRecord, -1, c.Msg, c.Cpu);
            if (_halted)
            {
                return;
            }
        }

        ScanBanks(ref c);
        ClearBanks(c);
        // Linux core.c mce_end: for a local #MC, worst >= PANIC -> panic "Local fatal machine check!"
        if (c.Worst >= LinuxSeverity.Panic)
        {
            LoggedMce final = _logged[c.FinalIndex];
            string message = LinuxSeverityTable.Grade(_era, final.Status, final.McgStatus, _ser, c.Context, isException: true).Message;
            Panic("Local fatal machine check!", final, c.FinalIndex, message, c.Cpu);
            if (_halted)
            {
                return;
            }
        }

        Finish(ref c);
    }

    /// <summary>
    /// mce_start returned -1 (timeout, or monarch_timeout = 0): the CPU scans on its own, mce_end
    /// returns -1 and it uses only its local no_way_out (Linux core.c mce_end, mce_timed_out).
    /// </summary>
    private void HandleAlone(ref McCpu c, bool timedOut, bool[] entered)
    {
        if (timedOut)
        {
            if (_era == LinuxTableEra.Modern)
            {
                // Linux core.c mce_timed_out: modern kernels print the missing CPUs and panic with the stage message
                _console.Add("CPUs not responding to MCE broadcast (may include false positives): " + FormatCpuList(entered, present: false));
                Panic("Timeout: Not all CPUs entered broadcast exception handler", null, -1, null, c.Cpu);
                if (_halted)
                {
                    return;
                }
            }
            else
            {
                // Linux core.c mce_timed_out: 2.6.32/v3.x at tolerant 1 set cpu_missing and fall back to local handling
                _cpuMissing = true;
            }
        }

        ScanBanks(ref c);
        ClearBanks(c);
        // Linux core.c mce_end: mce_end < 0 -> no_way_out |= worst >= PANIC, then panic on the current CPU
        c.NoWayOut |= c.Worst >= LinuxSeverity.Panic;
        if (c.NoWayOut)
        {
            PanicCurrentCpu(c);
            if (_halted)
            {
                return;
            }
        }

        Finish(ref c);
    }

    /// <summary>Every online CPU called in: Monarch and Subjects scan in callin order, then mce_reign.</summary>
    private void Rendezvous(McCpu[] group)
    {
        // Linux core.c mce_start/mce_end: each CPU adds its no_way_out to a global sum; the global value is cached for everyone
        bool globalNoWayOut = false;
        for (int i = 0; i < group.Length; i++)
        {
            globalNoWayOut |= group[i].NoWayOut;
        }

        // Linux core.c mce_start/mce_end: Subjects scan one at a time in callin order (mce_executing)
        for (int i = 0; i < group.Length; i++)
        {
            group[i].NoWayOut = globalNoWayOut;
            ScanBanks(ref group[i]);
            ClearBanks(group[i]);
        }

        Reign(group);
        for (int i = 0; i < group.Length && !_halted; i++)
        {
            if (_era != LinuxTableEra.Modern && group[i].NoWayOut)
            {
                // Assumption (not confirmed in 2.6.32/v3.x mce.c): 2.6.32/v3.x also panicked "Fatal machine check on current CPU" on no_way_out after a good mce_end
                PanicCurrentCpu(group[i]);
                if (_halted)
                {
                    return;
                }
            }

            Finish(ref group[i]);
        }
    }

    /// <summary>Linux core.c mce_reign, run by the Monarch (the first CPU in).</summary>
    private void Reign(McCpu[] group)
    {
        int winner = -1;
        LinuxSeverity globalWorst = LinuxSeverity.No;
        for (int i = 0; i < group.Length; i++)
        {
            LinuxSeverity severity = group[i].Worst;
            if (_era != LinuxTableEra.Modern && group[i].FinalIndex >= 0)
            {
                // Assumption (not confirmed in old mce.c): old kernels re-graded mces_seen to rank CPUs; modern ones use the stored severity
                LoggedMce seen = _logged[group[i].FinalIndex];
                severity = LinuxSeverityTable.Grade(_era, seen.Status, seen.McgStatus, _ser, ReignContext(seen), isException: true).Severity;
            }

            // Linux core.c mce_reign: the highest severity, strict >, so the first CPU wins ties
            if (severity > globalWorst)
            {
                globalWorst = severity;
                winner = i;
            }
        }

        int monarch = group[0].Cpu;
        if (winner >= 0 && globalWorst >= LinuxSeverity.Panic)
        {
            // Linux core.c mce_reign: >= PANIC -> "Fatal machine check" with the re-graded message
            int finalIndex = group[winner].FinalIndex;
            LoggedMce final = _logged[finalIndex];
            string message = LinuxSeverityTable.Grade(_era, final.Status, final.McgStatus, _ser, ReignContext(final), isException: true).Message;
            // Linux core.c mce_reign: old kernels used "Fatal Machine check"
            Panic(_era == LinuxTableEra.Modern ? "Fatal machine check" : "Fatal Machine check", final, finalIndex, message, monarch);
            if (_halted)
            {
                return;
            }
        }

        // Linux core.c mce_reign: global worst <= KEEP (NO, UCNA, KEEP) -> panic from unknown source
        if (globalWorst <= LinuxSeverity.Keep)
        {
            Panic(_era == LinuxTableEra.Modern ? "Fatal machine check from unknown source" : "Machine check from unknown source", null, -1, null, monarch);
        }
    }

    /// <summary>
    /// The context mce_reign grades mces_seen with: from the record alone (regs = NULL), so a
    /// UACCESS fixup never counts as a copy from user there.
    /// </summary>
    private LinuxContext ReignContext(in LoggedMce record)
        => LinuxSeverityTable.ContextOf(_era, record.McgStatus, record.Cs, record.Ip, Array.BinarySearch(_mcSafeIps, record.Ip) >= 0);

    private void PanicCurrentCpu(in McCpu c)
    {
        LoggedMce? final = c.FinalIndex >= 0 ? _logged[c.FinalIndex] : null;
        Panic("Fatal machine check on current CPU", final, c.FinalIndex, c.Msg, c.Cpu);
    }

    /// <summary>Linux core.c do_machine_check: the action after the handler, then MCG_STATUS is cleared.</summary>
    private void Finish(ref McCpu c)
    {
        if (_era == LinuxTableEra.Modern)
        {
            ActModern(c);
        }
        else
        {
            ActOld(c);
        }

        // Linux core.c do_machine_check: MCG_STATUS is cleared and the CPU returns
        _mcgStatus[c.Cpu] = 0;
    }

    private void ActModern(in McCpu c)
    {
        // Linux core.c do_machine_check: worst != AR and not kill_current_task -> done
        if (c.Worst != LinuxSeverity.Ar && !c.KillCurrentTask)
        {
            return;
        }

        LoggedMce final = c.FinalIndex >= 0
            ? _logged[c.FinalIndex]
            : new LoggedMce { Cpu = c.Cpu, McgStatus = c.Mcg, Ip = c.Ip, Cs = c.Cs };
        if ((final.Cs & 3) == 3)
        {
            // Linux core.c queue_task_work: user mode; no usable address -> kill_me_now, else kill_me_maybe
            if (!UsableAddress(final.Status, final.Misc))
            {
                Sigbus(c.Cpu, 0, LinuxSigbusCode.Kernel, "kill_me_now");
                return;
            }

            MemoryFailureFlags flags = MemoryFailureFlags.ActionRequired;
            // Linux core.c kill_me_maybe: MF_MUST_KILL if RIPV = 0
            if ((final.McgStatus & McgStatusBits.Ripv) == 0)
            {
                flags |= MemoryFailureFlags.MustKill;
            }

            MemoryFailure(c.Cpu, final.Addr, flags, "kill_me_maybe");
            return;
        }

        if (c.FinalIndex < 0)
        {
            return;
        }

        // Linux core.c do_machine_check: KERNEL_RECOV -> fixup_exception (every listed ip has its fixup, so it succeeds)
        if (c.Context == LinuxContext.KernelRecov)
        {
            _actions.Add(new LinuxAction
            {
                Kind = LinuxActionKind.KernelFixup,
                Cpu = c.Cpu,
                InjectionIndex = _injectionIndex,
                Ip = c.Ip,
                Address = final.Addr,
                Via = "fixup_exception",
            });
        }

        // Linux core.c do_machine_check: COPYIN also queues kill_me_never, which does memory_failure(pfn, 0) only
        if (c.CopyIn)
        {
            MemoryFailure(c.Cpu, final.Addr, MemoryFailureFlags.None, "kill_me_never");
        }
    }

    private void ActOld(in McCpu c)
    {
        if (c.Worst == LinuxSeverity.Ar)
        {
            // Assumption (not confirmed in v3.x mce.c): v3.x AR sets TIF_MCE_NOTIFY and mce_notify_process does memory_failure(pfn, AR [| MUST_KILL])
            LoggedMce final = _logged[c.FinalIndex];
            MemoryFailureFlags flags = MemoryFailureFlags.ActionRequired;
            if ((final.McgStatus & McgStatusBits.Ripv) == 0)
            {
                flags |= MemoryFailureFlags.MustKill;
            }

            MemoryFailure(c.Cpu, final.Addr, flags, "mce_notify_process");
        }
        else if (c.KillCurrentTask)
        {
            // Assumption (not confirmed in 2.6.32/v3.x mce.c): 2.6.32/v3.x kill_it (no RIPV) -> force_sig(SIGBUS, current), user or kernel mode
            Sigbus(c.Cpu, 0, LinuxSigbusCode.Kernel, "force_sig");
        }
    }

    /// <summary>The kernel's %*pbl cpulist: "1-3", "0,2-3".</summary>
    private static string FormatCpuList(bool[] cpus, bool present)
    {
        var text = new System.Text.StringBuilder();
        for (int cpu = 0; cpu < cpus.Length; cpu++)
        {
            if (cpus[cpu] != present)
            {
                continue;
            }

            int last = cpu;
            while (last + 1 < cpus.Length && cpus[last + 1] == present)
            {
                last++;
            }

            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(cpu.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (last > cpu)
            {
                text.Append('-').Append(last.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            cpu = last;
        }

        return text.ToString();
    }
}
