using System.Diagnostics;
using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Engine;

/// <summary>
/// One batch of machines of one shape: an independent ECS world whose machine, CPU, bank, domain
/// and vCPU entities are created once, machine by machine, and the world frozen, so the ECS hands out
/// each machine's rows of a kind as one group (<see cref="RowGroups{T}"/>) without a lookup. <see cref="RunUntil"/> steps every machine that has
/// work through the pipeline of docs/design.md, one event instant per machine per round; idle machines
/// are not visited and empty polls are skipped in closed form.
/// </summary>
public sealed class MachineBatch
{
    // The world is frozen after Populate (entities never move): each kind's rows, cut per machine, are looked up once.
    private readonly RowGroups<MachineState> _machines;
    private readonly RowGroups<CpuState> _cpus;
    private readonly RowGroups<BankState> _banks;
    private readonly RowGroups<DomainState> _domains;
    private readonly RowGroups<VcpuMca> _vcpus;
    // Where each domain's vCPUs start among its machine's (the domains' vCPUs are created domain after domain).
    private readonly int[] _vcpuOffset;
    private readonly IBatchPipeline _pipeline;
    private IBatchObserver? _observer;

    /// <summary>A batch run by the pipeline <paramref name="pipeline"/> builds for it (see <c>Pipeline.MachineBatches.Create</c>).</summary>
    internal MachineBatch(MachineSpec spec, HandlerPolicy policy, int firstMachineId, int machineCount, ulong seed, IErrorSource source, Func<MachineBatch, IBatchPipeline> pipeline, HandlerTrace? trace = null, bool literalPolling = false, bool foldCorrectedRuns = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(pipeline);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(machineCount);
        if (spec.BankCount > 64)
        {
            throw new ArgumentException($"machine '{spec.Name}' has {spec.BankCount} banks: expected at most 64");
        }

        Spec = spec;
        Policy = policy;
        Seed = seed;
        Source = source;
        Trace = trace ?? HandlerTrace.Off;
        LiteralPolling = literalPolling;
        MachineCount = machineCount;
        FirstMachineId = firstMachineId;
        World = new World(machineCount * (1 + spec.CpuCount + spec.BankInstanceCount + spec.Domains.Count + 8));
        Handler = new HandlerState(machineCount);
        Telemetry = new TelemetryStore(this);
        Pages = new PageTable(machineCount);
        Daemon = new Dom0Daemon(this, Pages);
        if (policy.Dom0Daemon.Offlines)
        {
            source.AttachPages(Pages);
        }

        Events = new EventBuffer();
        Runs = foldCorrectedRuns ? new CorrectedRuns(firstMachineId, machineCount, Events) : null;

        Populate();
        World.Freeze();
        _machines = World.Groups<MachineState>(machineCount);
        _cpus = World.Groups<CpuState>(machineCount);
        _banks = World.Groups<BankState>(machineCount);
        _domains = World.Groups<DomainState>(machineCount);
        _vcpus = World.Groups<VcpuMca>(machineCount);
        Debug.Assert(_machines.Size == 1 && _cpus.Size == spec.CpuCount && _banks.Size == spec.BankInstanceCount, "machine by machine");
        _vcpuOffset = new int[spec.Domains.Count];
        for (int d = 1; d < _vcpuOffset.Length; d++)
        {
            _vcpuOffset[d] = _vcpuOffset[d - 1] + spec.Domains[d - 1].VcpuCount;
        }
        Scheduler = new BatchScheduler(this);
        _pipeline = pipeline(this);
        Boot();
    }

    public MachineSpec Spec { get; }
    /// <summary>When each machine next has work: the agenda, the next-event rule and the poll-scan cache.</summary>
    internal BatchScheduler Scheduler { get; }
    public HandlerPolicy Policy { get; }
    public ulong Seed { get; }
    public IErrorSource Source { get; }
    internal HandlerTrace Trace { get; }
    public World World { get; }
    public int MachineCount { get; }
    public int FirstMachineId { get; }
    /// <summary>Step every poll tick instead of skipping empty ones in closed form (the reference mode).</summary>
    public bool LiteralPolling { get; }
    public EventBuffer Events { get; }
    /// <summary>The open corrected-error runs when routine CE handling is folded into run events (campaigns), else null.</summary>
    internal CorrectedRuns? Runs { get; }
    /// <summary>The end of the current <see cref="RunUntil"/>: nothing at or after it is handled before the call returns.</summary>
    internal long RunEndNs { get; private set; } = long.MaxValue;
    /// <summary>The recorder watching this batch (see <see cref="Observe"/>), or null: the engine then pays one null check per hook.</summary>
    public IBatchObserver? Observer => _observer;
    internal TelemetryStore Telemetry { get; }
    /// <summary>Handler invocations so far: one pipeline run per machine per instant with work (what Bench counts per second).</summary>
    public long HandlerInvocations { get; private set; }
    /// <summary>The handler's per-machine state outside the rows: broken pages, panic messages, the RFC queue, vMCE flags.</summary>
    internal HandlerState Handler { get; }
    /// <summary>The frames dom0 had Xen offline, per machine (what the error source asks).</summary>
    internal PageTable Pages { get; }
    /// <summary>dom0's mcelog or rasdaemon daemon (inactive under <see cref="Dom0DaemonPolicy.Off"/>).</summary>
    internal Dom0Daemon Daemon { get; }

    public Span<MachineState> Machines => _machines.All;

    /// <summary>A machine's CPU rows, read-only (see <see cref="CpusForWrite"/> and <see cref="CpuForWrite"/>).</summary>
    public ReadOnlySpan<CpuState> CpusOf(int machine) => _cpus[machine];

    /// <summary>A machine's CPU rows, writable: every row is marked written (its state hash is stale).</summary>
    public Span<CpuState> CpusForWrite(int machine)
    {
        _observer?.CpusWritten(machine);
        return _cpus[machine];
    }

    /// <summary>One CPU row of a machine, writable: the row is marked written (its state hash is stale).</summary>
    public ref CpuState CpuForWrite(int machine, int cpu)
    {
        _observer?.CpuWritten(machine, cpu);
        return ref _cpus.Row(machine, cpu);
    }

    /// <summary>A machine's bank instance rows, read-only (see <see cref="BanksForWrite"/> and <see cref="BankForWrite"/>).</summary>
    public ReadOnlySpan<BankState> BanksOf(int machine) => _banks[machine];

    /// <summary>
    /// A machine's bank rows, writable: every row is marked written (its state hash and the machine's poll
    /// scan are stale). With <see cref="BankForWrite"/> the only writable views of banks, so no write goes unmarked.
    /// </summary>
    public Span<BankState> BanksForWrite(int machine)
    {
        Scheduler.BanksWritten(machine);
        _observer?.BanksWritten(machine);
        return _banks[machine];
    }

    /// <summary>One bank instance row of a machine, writable: the row is marked written (see <see cref="BanksForWrite"/>).</summary>
    public ref BankState BankForWrite(int machine, int row)
    {
        Scheduler.BanksWritten(machine);
        _observer?.BankWritten(machine, row);
        return ref _banks.Row(machine, row);
    }

    public Span<DomainState> DomainsOf(int machine) => _domains[machine];

    /// <summary>A domain's vCPU rows, writable: the machine is noted as possibly having a vMCE pending (see <see cref="HandlerState.VmcePossiblyPending"/>).</summary>
    public Span<VcpuMca> VcpusOf(int machine, int domainIndex)
    {
        Handler.VcpusTouched(machine);
        _observer?.VcpusWritten(machine);
        return _vcpus[machine].Slice(_vcpuOffset[domainIndex], Spec.Domains[domainIndex].VcpuCount);
    }

    /// <summary>A machine's vCPU rows, domain after domain, read-only (writes go through <see cref="VcpusOf(int, int)"/>).</summary>
    public ReadOnlySpan<VcpuMca> AllVcpusOf(int machine) => _vcpus[machine];

    /// <summary>
    /// Attaches the recorder: from now on it is told of every input taken, every row written through the writable
    /// views and the end of every round. Once per batch, before it first runs (boot's writes are not reported: a
    /// recorder treats every row as unseen until it first hashes it).
    /// </summary>
    /// <exception cref="InvalidOperationException">An observer is attached already, or the batch has run.</exception>
    public void Observe(IBatchObserver observer)
    {
        ArgumentNullException.ThrowIfNull(observer);
        if (_observer is not null || HandlerInvocations > 0)
        {
            throw new InvalidOperationException("a batch takes one observer, before it first runs");
        }

        _observer = observer;
    }

    /// <summary>Clears <see cref="HandlerState.VmcePossiblyPending"/> if no vCPU of the machine has <c>mce_pending</c>.</summary>
    public void SettleVmcePending(int machine) => Handler.SettleVmcePending(machine, _vcpus[machine]);

    /// <summary>Index of a domain id within the machine's domains, or -1.</summary>
    public int DomainIndexOf(int domId)
    {
        for (int i = 0; i < Spec.Domains.Count; i++)
        {
            if (Spec.Domains[i].DomId == domId)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The bank instance row (within the machine) that CPU <paramref name="cpu"/> sees as <paramref name="bankIndex"/>.</summary>
    public int BankRowOf(int cpu, int bankIndex) => Spec.BankInstanceOf(cpu, bankIndex);

    /// <summary>Records an event; when runs are folded, a routine CE event joins its machine's run, any other closes it first.</summary>
    public void Emit(in HandlerEvent e)
    {
        if (Runs is { } runs)
        {
            if (CorrectedRuns.IsRoutine(in e))
            {
                runs.Add(in e);
                return;
            }

            runs.Close(e.Machine - FirstMachineId);
        }

        Events.Add(e);
    }

    public HandlerEvent NewEvent(int machine, HandlerEventKind kind) => new()
    {
        TimeNs = Machines[machine].NowNs,
        Machine = FirstMachineId + machine,
        Kind = kind,
        Cpu = -1,
        Bank = -1,
        Domain = -1,
        Vcpu = -1,
    };

    /// <summary>
    /// Processes every event due before <paramref name="endNs"/> on every machine, in each machine's
    /// own time order. Each round takes every machine whose next instant is due from the scheduler, moves
    /// it there and runs the pipeline over them; a visited machine's next instant is recomputed and pushed
    /// back. Machines with nothing due are never touched, so idle time costs nothing.
    /// </summary>
    public void RunUntil(long endNs)
    {
        // Bounded: every round consumes at least one due event per machine taken.
        RunEndNs = endNs;
        ReadOnlySpan<int> due;
        while ((due = Scheduler.TakeDue(endNs)).Length > 0)
        {
            _pipeline.Run(due);
            HandlerInvocations += due.Length;
            // While recording: the rows just written are rehashed while they are in cache, not at the epoch's end.
            _observer?.RoundDone();
            Scheduler.ScheduleAll(due);
        }

        // The runs of days now over close here (the others may still grow): the same runs for any epoch length.
        Runs?.CloseDaysBefore(endNs);
    }

    /// <summary>Closes every open corrected-error run: the end of a campaign.</summary>
    public void CloseRuns() => Runs?.CloseAll();

    /// <summary>dom0's daemon counters since the last call: DIMM and socket triggers, and UEs on frames out of service.</summary>
    public (long DimmTriggers, long SocketTriggers, long UesOnRetired) TakeDaemonCounters() => Daemon.TakeCounters();

    /// <summary>One machine's daemon counters over the whole run: DIMM and socket triggers, UEs on frames out of service.</summary>
    public (long DimmTriggers, long SocketTriggers, long UesOnRetired) DaemonCountersOf(int machine) => Daemon.CountersOf(machine);

    /// <summary>One machine's frames out of service at <paramref name="atNs"/>.</summary>
    public long RetiredPagesOf(int machine, long atNs) => Pages.RetiredAt(machine, atNs);

    /// <summary>Frames out of service at <paramref name="atNs"/>, summed over the batch's machines.</summary>
    public long RetiredPages(long atNs)
    {
        long n = 0;
        for (int m = 0; m < MachineCount; m++)
        {
            n += Pages.RetiredAt(m, atNs);
        }

        return n;
    }

    /// <summary>The machine's next instant with work (see <see cref="BatchScheduler.NextEventNs"/>).</summary>
    public long NextEventNs(int machine) => Scheduler.NextEventNs(machine);

    /// <summary>Whether the next poll round would find a valid bank (see <see cref="BatchScheduler.PollWouldFind"/>).</summary>
    public bool PollWouldFind(int machine) => Scheduler.PollWouldFind(machine);

    /// <summary><see cref="PollWouldFind"/> with the banks scanned afresh (to check the bank marks).</summary>
    public bool PollWouldFindUncached(int machine) => Scheduler.PollWouldFindUncached(machine);

    private void Populate()
    {
        var spec = Spec;
        for (int m = 0; m < MachineCount; m++)
        {
            World.Create(new MachineState
            {
                MachineId = FirstMachineId + m,
                Dom0FetchAtNs = long.MaxValue,
                SeverityCpu = -1,
                MceTargetCpu = -1,
            });
            for (int c = 0; c < spec.CpuCount; c++)
            {
                World.Create(new CpuState
                {
                    CpuIndex = (short)c,
                    Socket = (byte)spec.SocketOf(c),
                    Core = (byte)spec.CoreOf(c),
                    Thread = (byte)spec.ThreadOf(c),
                    ApicId = (short)spec.ApicIdOf(c),
                    Online = true,
                    RunningDomain = -1,
                    RunningVcpu = -1,
                    PendingCookie = -1,
                });
            }

            for (int i = 0; i < spec.BankInstanceCount; i++)
            {
                int bankIndex = spec.BankIndexOfInstance(i);
                World.Create(new BankState
                {
                    BankIndex = (short)bankIndex,
                    Scope = spec.Banks[bankIndex].Scope,
                    CmciOwnerCpu = -1,
                    InterposedCpu = -1,
                });
            }

            foreach (var d in spec.Domains)
            {
                World.Create(new DomainState
                {
                    DomId = (short)d.DomId,
                    Kind = d.Kind,
                    VcpuCount = (byte)d.VcpuCount,
                    VirqMcaBound = d.VirqMcaBound,
                    TrapCallbackRegistered = d.TrapCallbackRegistered,
                    Shadow = d.Shadow,
                    RunState = DomainRunState.Running,
                });
                for (int v = 0; v < d.VcpuCount; v++)
                {
                    World.Create(default(VcpuMca));
                }
            }
        }
    }

    private void Boot()
    {
        for (int m = 0; m < MachineCount; m++)
        {
            _pipeline.Boot(m, isReboot: false);
        }

        // CMCI ownership is set by boot from the shape alone (cmci_discover), the same on every machine and after
        // every reboot: the banks without an owner, the only ones a poll can find, are listed once.
        Scheduler.ListPolledBanks();
        for (int m = 0; m < MachineCount; m++)
        {
            Scheduler.Schedule(m);
        }
    }
}
