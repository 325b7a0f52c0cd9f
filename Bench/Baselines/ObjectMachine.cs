using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>
/// One machine as an object graph: lists of CPU, bank and domain objects, a telemetry pool, the timers,
/// and the scratch of the #MC being handled. <see cref="Step"/> runs the handler stages (interface calls)
/// over this machine at its current instant. Same rules as the ECS pipeline (Systems/Pipeline), which
/// the equivalence test in Mca.Bench.Tests checks event for event.
/// </summary>
internal sealed class ObjectMachine
{
    private readonly ObjectFleet _fleet;

    public ObjectMachine(ObjectFleet fleet, int index, int machineId)
    {
        _fleet = fleet;
        var spec = fleet.Spec;
        Index = index;
        MachineId = machineId;
        for (int i = 0; i < spec.BankInstanceCount; i++)
        {
            int bankIndex = spec.BankIndexOfInstance(i);
            Banks.Add(new ObjectBank(bankIndex, spec.Banks[bankIndex].Scope));
        }

        for (int c = 0; c < spec.CpuCount; c++)
        {
            var seen = new List<ObjectBank>();
            for (int b = 0; b < spec.BankCount; b++)
            {
                seen.Add(Banks[spec.BankInstanceOf(c, b)]);
            }

            Cpus.Add(new ObjectCpu(c, spec.SocketOf(c), spec.CoreOf(c), spec.ThreadOf(c), spec.ApicIdOf(c), seen));
        }

        foreach (var d in spec.Domains)
        {
            Domains.Add(new ObjectDomain(d));
        }
    }

    public ObjectFleet Fleet => _fleet;
    public MachineSpec Spec => _fleet.Spec;
    public HandlerPolicy Policy => _fleet.Policy;
    public int Index { get; }
    public int MachineId { get; }
    public List<ObjectCpu> Cpus { get; } = [];
    /// <summary>Every physical bank, in the spec's bank-instance order.</summary>
    public List<ObjectBank> Banks { get; } = [];
    public List<ObjectDomain> Domains { get; } = [];
    public TelemetryPool Telemetry { get; } = new();
    public HashSet<long> BrokenPages { get; } = [];
    public List<RfcItem> RfcQueue { get; } = [];
    public string? PanicMessage { get; set; }

    public long NowNs { get; set; }
    public MachinePhase Phase { get; set; }
    public long UpAtNs { get; set; }
    public long NextPollNs { get; set; }
    public long PollPeriodNs { get; set; }
    public int PollDumpCount { get; set; }
    public bool PostResetPollDue { get; set; }
    public long Dom0FetchAtNs { get; set; } = long.MaxValue;
    public long EventSeq { get; set; }

    // The current #MC.
    public bool McePending { get; set; }
    public bool MceLmce { get; set; }
    /// <summary>An injected #MC the hypervisor raised on its target alone.</summary>
    public bool MceTargetOnly { get; set; }
    public int MceTargetCpu { get; set; } = -1;
    public int SeverityCpu { get; set; } = -1;
    public int WorstSeverity { get; set; }
    public bool ResetPending { get; set; }
    public ResetReason ResetReason { get; set; }
    public bool VirqPending { get; set; }
    public GuestContext MceContext { get; set; }
    /// <summary>Participants of the current #MC in arrival order.</summary>
    public List<ObjectCpu> MceOrder { get; set; } = [];

    public bool IsUp => Phase == MachinePhase.Up;

    public ObjectDomain? DomainById(int domId) => Domains.Find(d => d.DomId == domId);

    public int DomainIndexOf(int domId) => Domains.FindIndex(d => d.DomId == domId);

    /// <summary>Runs every handler stage over this machine at <see cref="NowNs"/>.</summary>
    public void Step()
    {
        foreach (var stage in _fleet.Stages)
        {
            stage.Run(this);
        }
    }

    public void Emit(HandlerEvent e) => _fleet.Events.Add(e);

    public HandlerEvent NewEvent(HandlerEventKind kind) => new()
    {
        TimeNs = NowNs,
        Machine = MachineId,
        Kind = kind,
        Cpu = -1,
        Bank = -1,
        Domain = -1,
        Vcpu = -1,
    };

    /// <summary>The next instant with work: an arrival, a useful poll, dom0's fetch, a reboot or a restart.</summary>
    public long NextEventNs()
    {
        long next = _fleet.Source.NextArrivalNs(Index);
        if (Phase == MachinePhase.Hung)
        {
            return long.MaxValue;
        }

        if (Phase == MachinePhase.Down)
        {
            return UpAtNs;
        }

        next = Math.Max(next, NowNs);
        next = Math.Min(next, Dom0FetchAtNs);
        foreach (var d in Domains)
        {
            if (d.RunState != DomainRunState.Running)
            {
                next = Math.Min(next, d.RestartAtNs);
            }
        }

        if (PollWouldFind())
        {
            next = Math.Min(next, NextPollNs);
        }

        return next;
    }

    private bool PollWouldFind() =>
        PostResetPollDue
        || Cpus.Any(c => c.Banks.Where((_, i) => (c.PollMask & (1UL << i)) != 0)
            .Any(b => ((b.Status | (b.InterposedCpu >= 0 ? b.InterposedStatus : 0)) & MciStatusBits.Val) != 0));

    /// <summary>
    /// Brings the machine up: post-reset logout (current Xen), CMCI discovery and its logout, poll timer,
    /// guest vMCA registers; dom0 drains leftovers after a reboot.
    /// </summary>
    public void Boot(bool isReboot)
    {
        var spec = Spec;
        Phase = MachinePhase.Up;
        if (isReboot)
        {
            NowNs = Math.Max(NowNs, UpAtNs);
            Emit(NewEvent(HandlerEventKind.Rebooted));
        }

        if (isReboot && Policy.PostReset == PostResetLogging.BootLogout)
        {
            foreach (var cpu in Cpus)
            {
                var result = Logout(cpu, LogoutSource.Reset, AllBanksMask);
                if (result.Found > 0 && result.Record is not null)
                {
                    Commit(result.Record, urgent: false);
                }
            }
        }

        foreach (var cpu in Cpus)
        {
            cpu.CmciOwnedMask = 0;
            cpu.PollMask = 0;
        }

        ulong threshold = (ulong)Math.Min(spec.CmciThreshold, spec.CmciThresholdMax);
        for (int row = 0; row < Banks.Count; row++)
        {
            var bank = Banks[row];
            bool cmci = spec.CmciSupported && spec.Banks[bank.BankIndex].CmciCapable;
            bank.CmciOwnerCpu = cmci ? spec.FirstCpuOfInstance(row) : -1;
            bank.Ctl = ulong.MaxValue;
            bank.Ctl2 = cmci ? threshold | MciCtl2Bits.CmciEn : 0;
        }

        foreach (var cpu in Cpus)
        {
            cpu.McgStatus = 0;
            cpu.McgInterposed = false;
            cpu.Pending = null;
            cpu.CommittedAtLogout = false;
            for (int b = spec.FirstBank; b < spec.BankCount; b++)
            {
                var bank = cpu.Banks[b];
                if (bank.CmciOwnerCpu == cpu.Index)
                {
                    cpu.CmciOwnedMask |= 1UL << b;
                }

                // The March 2009 poller read every bank (Xen 32e8dd573b non-fatal.c); poll_bankmask only the banks without CMCI.
                if (bank.CmciOwnerCpu < 0 || Policy.PollBanks == PollBankSet.EveryBank)
                {
                    cpu.PollMask |= 1UL << b;
                }
            }
        }

        if (!(isReboot && Policy.PostReset == PostResetLogging.FirstPoll))
        {
            foreach (var cpu in Cpus)
            {
                CmciLogout(cpu);
            }
        }

        PollPeriodNs = PollSchedule.InitialPeriodNs;
        NextPollNs = NowNs + PollSchedule.InitialPeriodNs;
        PostResetPollDue = isReboot && Policy.PostReset == PostResetLogging.FirstPoll;

        foreach (var d in Domains)
        {
            d.RunState = DomainRunState.Running;
            d.NrInjection = 0;
            InitVcpus(d);
        }

        if (isReboot && Telemetry.HasCommitted)
        {
            Dom0FetchAtNs = Math.Min(Dom0FetchAtNs, NowNs + spec.Dom0LogLatencyNs);
        }
    }

    public void InitVcpus(ObjectDomain domain)
    {
        ulong cap = Policy.Vmce == VmceModel.PerVcpuBank1
            ? VmceMsrs.GuestMcgCap(hostIntel: true, lmce: false)
            : Spec.McgCap & ~McgCapBits.CmciP;
        for (int v = 0; v < domain.Vcpus.Length; v++)
        {
            domain.Vcpus[v] = new VcpuMca { McgCap = cap };
        }
    }

    public ulong AllBanksMask => Spec.BankCount == 64 ? ulong.MaxValue : (1UL << Spec.BankCount) - 1;

    /// <summary>The CMCI handler: logout of the banks this CPU owns.</summary>
    public void CmciLogout(ObjectCpu cpu)
    {
        if (cpu.CmciOwnedMask == 0)
        {
            return;
        }

        var result = Logout(cpu, LogoutSource.Cmci, cpu.CmciOwnedMask);
        if (result.Found > 0)
        {
            Deliver(result.Record);
        }
    }

    /// <summary>Commit NONURGENT and raise VIRQ_MCA, or (dom0 not listening) lose the record.</summary>
    public void Deliver(TelemetryRecord? record, bool polled = false)
    {
        if (record is null)
        {
            return;
        }

        var dom0 = DomainById(0);
        if (dom0 is not null && dom0.Spec.VirqMcaBound)
        {
            Commit(record, urgent: false);
            VirqPending = true;
            return;
        }

        // Console dumps start at the 10th poll find dom0 missed (Xen intel-nonfatal.c dumpcount); the baseline prints nothing.
        if (polled)
        {
            PollDumpCount++;
        }

        Lose(record, LossCause.VirqNotBound);
    }

    /// <summary>mcheck_mca_logout by one CPU over a bank mask.</summary>
    public LogoutResult Logout(ObjectCpu cpu, LogoutSource who, ulong bankMask, bool clearAll = false)
    {
        var spec = Spec;
        bool ser = spec.Ser;
        var result = new LogoutResult();
        ulong mcg = cpu.ReadMcgStatus();
        for (int b = spec.FirstBank; b < spec.BankCount; b++)
        {
            if ((bankMask & (1UL << b)) == 0)
            {
                continue;
            }

            var bank = cpu.Banks[b];
            var (status, addr, misc) = bank.ReadFor(cpu.Index);
            if ((status & MciStatusBits.Val) == 0)
            {
                continue;
            }

            bool clear = clearAll || IntelMca.NeedClearBank(who, status, ser);
            result.Found++;
            if (result.Found == 1)
            {
                result.Record = Reserve(cpu, who == LogoutSource.MceScan, mcg);
            }

            if ((status & MciStatusBits.Uc) != 0)
            {
                result.Uc = true;
                result.Recoverable &= IntelMca.RecoverableScan(status, ser);
            }

            result.Pcc |= (status & MciStatusBits.Pcc) != 0;
            Emit(NewEvent(who == LogoutSource.MceScan ? HandlerEventKind.BankOwned : HandlerEventKind.PollFound) with
            {
                Cpu = (short)cpu.Index,
                Bank = (short)b,
                Status = status,
                Addr = addr,
                Misc = misc,
                Arg = (long)who,
            });

            if (result.Record is not null)
            {
                int domId = XenIds.DomIdInvalid;
                if (who is LogoutSource.Poller or LogoutSource.Cmci && IntelMca.IsPhysicalAddress(status, misc))
                {
                    var owner = spec.Memory.OwnerOf((long)(addr >> MemoryMap.PageShift));
                    if (owner.Kind == FrameOwnerKind.Domain)
                    {
                        domId = owner.DomId;
                    }
                }

                var record = McBankRecord.FromRegisters(b, status, addr, misc);
                record.DomId = (ushort)domId;
                record.Ctl2 = bank.Ctl2;
                record.Tsc = (ulong)NowNs;
                result.Record.TryAddBank(record);
            }
            else
            {
                Emit(NewEvent(HandlerEventKind.LogLost) with
                {
                    Cpu = (short)cpu.Index,
                    Bank = (short)b,
                    Status = status,
                    Arg = (long)LossCause.PoolExhausted,
                });
            }

            if (clear)
            {
                if (who == LogoutSource.MceScan && !clearAll)
                {
                    result.ToClear.Add(bank);
                }
                else
                {
                    bank.ClearFor(cpu.Index);
                }
            }
        }

        if (result.Record is not null)
        {
            McFlags severity = result.Pcc ? McFlags.Uncorrectable : result.Uc ? McFlags.Recoverable : McFlags.Correctable;
            result.Record.Global.Flags = McaSummary.SourceFlag(who) | severity;
        }

        return result;
    }

    private TelemetryRecord? Reserve(ObjectCpu cpu, bool urgent, ulong mcg)
    {
        var g = McGlobal.Create(0, mcg, cpu.Index, NowNs);
        g.SocketId = (uint)cpu.Socket;
        g.CoreId = (ushort)cpu.Core;
        g.ThreadId = (ushort)cpu.Thread;
        g.ApicId = (uint)cpu.ApicId;
        g.DomId = cpu.RunningDomain >= 0 ? (ushort)cpu.RunningDomain : XenIds.DomIdXen;
        g.VcpuId = cpu.RunningVcpu >= 0 ? (ushort)cpu.RunningVcpu : XenIds.VcpuIdInvalid;
        return Telemetry.Reserve(urgent, g);
    }

    public void Commit(TelemetryRecord record, bool urgent)
    {
        Emit(NewEvent(HandlerEventKind.TelemetryCommitted) with { Cpu = (short)record.Global.Cpu, Arg = urgent ? 0 : 1 });
        Telemetry.Commit(record);
    }

    /// <summary>Dismisses a record that will never reach dom0, counting each bank as lost.</summary>
    public void Lose(TelemetryRecord record, LossCause cause)
    {
        EmitLost(record, cause);
        Telemetry.Dismiss(record);
    }

    private void EmitLost(TelemetryRecord record, LossCause cause)
    {
        foreach (var b in record.Banks)
        {
            Emit(NewEvent(HandlerEventKind.LogLost) with
            {
                Cpu = (short)record.Global.Cpu,
                Bank = (short)b.Bank,
                Status = b.Status,
                Arg = (long)cause,
            });
        }
    }

    /// <summary>mc_panic from the #MC handler: the machine resets at the next reset stage.</summary>
    public void McPanic(string reason, ResetReason resetReason)
    {
        PanicMessage ??= "Fatal machine check: " + reason;
        ResetPending = true;
        ResetReason = resetReason;
    }

    /// <summary>A plain panic() from the softirq (the deferred handlers returned RESET).</summary>
    public void SoftirqPanic(string message)
    {
        PanicMessage ??= "Panic: " + message;
        ResetPending = true;
        ResetReason = ResetReason.Unrecoverable;
    }

    /// <summary>The machine resets: telemetry and interposed values are lost, domains wait for the reboot.</summary>
    public void Reset()
    {
        Emit(NewEvent(HandlerEventKind.Reset) with { Arg = (long)ResetReason });
        foreach (var record in Telemetry.Live())
        {
            EmitLost(record, LossCause.ResetBeforeFetch);
        }

        Telemetry.Clear();
        // A reboot forgets broken pages (Xen page_alloc.c: PGC_broken lives in page_info, rebuilt at boot).
        BrokenPages.Clear();
        foreach (var bank in Banks)
        {
            if (bank.InterposedCpu >= 0)
            {
                if ((bank.InterposedStatus & MciStatusBits.Val) != 0)
                {
                    Emit(NewEvent(HandlerEventKind.LogLost) with
                    {
                        Cpu = (short)bank.InterposedCpu,
                        Bank = (short)bank.BankIndex,
                        Status = bank.InterposedStatus,
                        Arg = (long)LossCause.InterposedLostOnReset,
                    });
                }

                bank.DropInterposed();
            }
        }

        foreach (var cpu in Cpus)
        {
            cpu.McgStatus = 0;
            cpu.McgInterposed = false;
            cpu.InterposedMcgStatus = 0;
            cpu.CmciPending = false;
            cpu.Pending = null;
            cpu.CommittedAtLogout = false;
            cpu.FoundError = false;
            cpu.Fatal = false;
            cpu.InMce = false;
        }

        foreach (var d in Domains)
        {
            d.RunState = DomainRunState.Restarting;
            d.RestartAtNs = long.MaxValue;
            d.NrInjection = 0;
        }

        RfcQueue.Clear();
        Phase = MachinePhase.Down;
        UpAtNs = NowNs + Spec.RebootDowntimeNs;
        NextPollNs = long.MaxValue;
        Dom0FetchAtNs = long.MaxValue;
        McePending = false;
        ResetPending = false;
        VirqPending = false;
        PostResetPollDue = false;
        _fleet.Source.OnReset(Index, NowNs);
    }

    /// <summary>domain_crash: the domain restarts later; dom0 crashing reboots the host.</summary>
    public void CrashDomain(ObjectDomain? domain, CrashReason reason)
    {
        if (domain is null || domain.RunState != DomainRunState.Running)
        {
            return;
        }

        Emit(NewEvent(HandlerEventKind.DomainCrashed) with { Domain = (short)domain.DomId, Arg = (long)reason });
        domain.RunState = DomainRunState.Crashed;
        domain.RestartAtNs = NowNs + VmceInjector.DomainRestartNs;
        for (int v = 0; v < domain.Vcpus.Length; v++)
        {
            domain.Vcpus[v].McePending = false;
            domain.Vcpus[v].McgStatus = 0;
            domain.Vcpus[v].Bank1 = default;
        }

        if (domain.DomId == 0)
        {
            ResetPending = true;
            ResetReason = ResetReason.Dom0Crash;
        }
    }
}

/// <summary>What one CPU's logout found.</summary>
internal sealed class LogoutResult
{
    public TelemetryRecord? Record { get; set; }
    public int Found { get; set; }
    public bool Uc { get; set; }
    public bool Pcc { get; set; }
    public bool Recoverable { get; set; } = true;
    /// <summary>Banks an #MC logout marked for clearing after it.</summary>
    public List<ObjectBank> ToClear { get; } = [];
}

/// <summary>One RFC vmce_data item delivered to a domain's vCPU 0.</summary>
internal sealed record RfcItem(ObjectDomain Target, ObjectDomain Impacted, int Cpu, int BankIndex, ulong McgStatus, ulong Status, ulong Addr, ulong Misc);
