using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

/// <summary>
/// <c>mca run --handler linux</c>: feeds an mce-inject scenario to a bare-metal
/// <see cref="LinuxMachine"/> with the injection semantics of andikleen/mce-inject (mce-inject.c, Linux mce/inject.c).
/// </summary>
/// <remarks>
/// Grouping: a HOLD record is queued for its CPU (a later HOLD for the same CPU replaces it) and is
/// injected together with the next non-held record; the queue is emptied after each injection (the
/// mce-inject tool keeps held records, which only matters when a later injection skips their CPU).
/// HOLD records left at the end are never injected. Each injection raises one #MC rendezvous
/// and/or polls. Callin order is CPU order, which is also the order the injection lists its CPUs.
/// mce-inject fakes one bank per CPU (the per-CPU injectm, Linux mce/inject.c), so every CPU an
/// injection touches has its banks reset before its record is written: a bank left sticky by an
/// earlier injection is not seen again once its CPU is injected anew (fillers included).
/// </remarks>
public static class LinuxHandler
{
    public static LinuxRunResult Run(IReadOnlyList<MceRecord> records, LinuxMachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(options);
        var machine = new LinuxMachine(options);
        for (int i = 0; i < records.Count; i++)
        {
            Validate(records[i], options);
        }

        var held = new MceRecord?[options.CpuCount];
        for (int i = 0; i < records.Count && !machine.Halted; i++)
        {
            MceRecord record = records[i];
            // mce-inject mce-inject.c: HOLD queues the record for its CPU
            if ((record.Flags & InjectFlags.Hold) != 0)
            {
                held[record.Cpu] = record;
                continue;
            }

            Inject(machine, record, held);
            Array.Clear(held);
        }

        string? panic = machine.Panics.Count > 0 ? machine.Panics[0].Message : null;
        return new LinuxRunResult(
            [.. machine.Console],
            [.. machine.Logged],
            [.. machine.Actions],
            panic,
            [.. machine.Panics],
            machine.InjectionCount,
            machine.Halted);
    }

    /// <summary>
    /// mce-inject mce-inject.c: without POLL/EXCP, UC records are raised as exceptions and others are polled.
    /// </summary>
    public static bool RaisesException(in MceRecord record)
        => (record.Flags & InjectFlags.Excp) != 0
            || ((record.Flags & InjectFlags.Poll) == 0 && (record.Status & MciStatusBits.Uc) != 0);

    /// <summary>
    /// Whether an injection triggered by <paramref name="trigger"/> broadcasts fillers: not with
    /// NOBROADCAST, and a non-exception record forces NOBROADCAST (mce-inject mce-inject.c).
    /// </summary>
    internal static bool Broadcasts(in MceRecord trigger)
        => RaisesException(trigger) && (trigger.Flags & InjectFlags.NoBroadcast) == 0;

    /// <summary>The filler's MCG_STATUS: MCIP of the original, plus RIPV if the original is UC (mce-inject mce-inject.c).</summary>
    internal static ulong FillerMcgStatus(in MceRecord trigger)
    {
        ulong mcg = trigger.McgStatus & McgStatusBits.Mcip;
        if ((trigger.Status & MciStatusBits.Uc) != 0)
        {
            mcg |= McgStatusBits.Ripv;
        }

        return mcg;
    }

    private static void Inject(LinuxMachine machine, in MceRecord trigger, MceRecord?[] held)
    {
        machine.BeginInjection();
        int cpuCount = machine.CpuCount;
        var records = new MceRecord?[cpuCount];
        for (int cpu = 0; cpu < cpuCount; cpu++)
        {
            records[cpu] = held[cpu];
        }

        // mce-inject: the record that triggers the injection supersedes a held one for its own CPU.
        records[trigger.Cpu] = trigger;
        bool broadcast = Broadcasts(trigger);
        ulong fillerMcg = FillerMcgStatus(trigger);

        var entering = new List<int>(cpuCount);
        var polling = new List<int>(cpuCount);
        for (int cpu = 0; cpu < cpuCount; cpu++)
        {
            if (records[cpu] is { } record)
            {
                bool exception = RaisesException(record);
                machine.ResetBanks(cpu);
                // mce-inject raises a non-exception record only when its status is not 0
                if (!exception && record.Status == 0)
                {
                    continue;
                }

                Write(machine, record);
                (exception ? entering : polling).Add(cpu);
            }
            else if (broadcast)
            {
                // mce-inject mce-inject.c: every other online CPU without its own record gets a filler raised as an exception.
                // The filler's status is only the UC bit (no VAL), so its bank is not written: it would only hide bank 0.
                machine.ResetBanks(cpu);
                machine.SetMcgStatus(cpu, fillerMcg);
                machine.SetInterruptedContext(cpu, 0, 0);
                machine.SetStamp(cpu, 0, 0, 0, 0);
                entering.Add(cpu);
            }
        }

        int panicsBefore = machine.Panics.Count;
        foreach (int cpu in polling)
        {
            machine.MachineCheckPoll(cpu, LinuxLogSource.InjectedPoll);
        }

        machine.MachineCheck(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(entering));
        machine.ProcessLoggedRecords();
        if (machine.Options.PollAfterInjection && machine.Panics.Count == panicsBefore && !machine.Halted)
        {
            for (int cpu = 0; cpu < cpuCount; cpu++)
            {
                machine.MachineCheckPoll(cpu, LinuxLogSource.TimerPoll);
            }

            machine.ProcessLoggedRecords();
        }
    }

    private static void Write(LinuxMachine machine, in MceRecord record)
    {
        machine.WriteBank(record.Cpu, record.Bank, record.Status, record.Addr, record.Misc);
        machine.SetMcgStatus(record.Cpu, record.McgStatus);
        machine.SetInterruptedContext(record.Cpu, record.Ip, record.Cs);
        machine.SetStamp(record.Cpu, record.Tsc, record.Time, record.SocketId, record.ApicId);
    }

    private static void Validate(in MceRecord record, LinuxMachineOptions options)
    {
        if ((uint)record.Cpu >= (uint)options.CpuCount)
        {
            throw new ArgumentException($"record at line {record.Line}: CPU {record.Cpu} is not online (expected 0..{options.CpuCount - 1})", nameof(record));
        }

        if ((uint)record.Bank >= (uint)options.BankCount)
        {
            throw new ArgumentException($"record at line {record.Line}: BANK {record.Bank} does not exist (expected 0..{options.BankCount - 1})", nameof(record));
        }
    }
}
