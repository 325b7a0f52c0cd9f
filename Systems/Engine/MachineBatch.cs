using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Xen;

namespace Mca.Systems.Engine;

/// <summary>
/// One batch of machines of one shape: an independent ECS world whose machine, CPU, bank, domain
/// and vCPU entities are created once, in machine order, and never move (so a machine's CPUs and
/// banks are contiguous rows of their columns). <see cref="RunUntil"/> steps every machine that has
/// work through the pipeline of docs/design.md, one event instant per machine per round; idle machines
/// are not visited and empty polls are skipped in closed form.
/// </summary>
public sealed class MachineBatch
{
    private static readonly QueryDescription MachineQuery = new QueryDescription().WithAll<MachineState>();
    private static readonly QueryDescription CpuQuery = new QueryDescription().WithAll<CpuState>();
    private static readonly QueryDescription BankQuery = new QueryDescription().WithAll<BankState>();
    private static readonly QueryDescription DomainQuery = new QueryDescription().WithAll<DomainState>();
    private static readonly QueryDescription VcpuQuery = new QueryDescription().WithAll<VcpuInfo, VcpuMca>();

    // The world's structure is fixed after Populate (entities never move), so each column's array is looked up once.
    private readonly MachineState[] _machineRows;
    private readonly CpuState[] _cpuRows;
    private readonly BankState[] _bankRows;
    private readonly DomainState[] _domainRows;
    private readonly VcpuMca[] _vcpuRows;
    private readonly int _cpuCount;
    private readonly int _bankCount;
    private readonly int _domainCount;
    private readonly int _vcpuCount;
    private readonly Pipeline.Pipeline _pipeline;
    private byte[]? _hashScratch;
    private readonly bool[] _vcpuHashStale;
    // Kept hashes, allocated by the first StateHash (campaigns that do not record never hash, nor mark banks).
    private ulong[]? _vcpuHash;
    private RowHashes<BankState>? _bankHashes;
    private readonly BankState[] _bankTemplate;
    private readonly CpuState[] _cpuTemplate;
    private RowHashes<CpuState>? _cpuHashes;

    public MachineBatch(MachineSpec spec, HandlerPolicy policy, int firstMachineId, int machineCount, ulong seed, IErrorSource source, HandlerTrace? trace = null, bool literalPolling = false, bool recordInputs = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(source);
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
        Events = new EventBuffer();
        InputLog = recordInputs ? [] : null;

        Populate();
        _vcpuHashStale = new bool[machineCount];
        _vcpuHashStale.AsSpan().Fill(true);
        _machineRows = ColumnArray<MachineState>(World.Query(MachineQuery), out int machineRows);
        _cpuRows = ColumnArray<CpuState>(World.Query(CpuQuery), out _cpuCount);
        _bankRows = ColumnArray<BankState>(World.Query(BankQuery), out _bankCount);
        _domainRows = ColumnArray<DomainState>(World.Query(DomainQuery), out _domainCount);
        _vcpuRows = ColumnArray<VcpuMca>(World.Query(VcpuQuery), out _vcpuCount);
        Debug.Assert(machineRows == machineCount, "one machine entity per machine");
        Scheduler = new BatchScheduler(this);
        _pipeline = new Pipeline.Pipeline(this);
        Boot();
        // One machine's rows as booted: the first state hash of a machine takes their hashes for rows still like them.
        _bankTemplate = _bankRows.AsSpan(Machines[0].BankRow, spec.BankInstanceCount).ToArray();
        _cpuTemplate = _cpuRows.AsSpan(Machines[0].CpuRow, spec.CpuCount).ToArray();
    }

    public MachineSpec Spec { get; }
    /// <summary>When each machine next has work: the agenda, the next-event rule and the poll-scan cache.</summary>
    public BatchScheduler Scheduler { get; }
    public HandlerPolicy Policy { get; }
    public ulong Seed { get; }
    public IErrorSource Source { get; }
    public HandlerTrace Trace { get; }
    public World World { get; }
    public int MachineCount { get; }
    public int FirstMachineId { get; }
    /// <summary>Step every poll tick instead of skipping empty ones in closed form (the reference mode).</summary>
    public bool LiteralPolling { get; }
    public EventBuffer Events { get; }
    /// <summary>With recording on, every error taken from <see cref="Source"/>, in order, until the owner clears it; null otherwise.</summary>
    public List<RecordedInput>? InputLog { get; }
    public TelemetryStore Telemetry { get; }
    /// <summary>Pipeline runs so far: one per machine per instant with work (the unit Bench calls a handler invocation).</summary>
    public long StepCount { get; private set; }
    /// <summary>The handler's per-machine state outside the rows: broken pages, panic messages, the RFC queue, vMCE flags.</summary>
    public HandlerState Handler { get; }

    public Span<MachineState> Machines => _machineRows.AsSpan(0, MachineCount);
    /// <summary>Every CPU row, read-only: writes go through <see cref="CpusForWrite"/> or <see cref="CpuForWrite"/>, which mark them.</summary>
    public ReadOnlySpan<CpuState> AllCpus => _cpuRows.AsSpan(0, _cpuCount);
    /// <summary>Every bank row, read-only: writes go through <see cref="BanksForWrite"/> or <see cref="BankForWrite"/>, which mark them.</summary>
    public ReadOnlySpan<BankState> AllBanks => _bankRows.AsSpan(0, _bankCount);
    public Span<DomainState> AllDomains => _domainRows.AsSpan(0, _domainCount);
    /// <summary>Every vCPU row, read-only: writes go through <see cref="VcpusOf"/>, which notes them.</summary>
    public ReadOnlySpan<VcpuMca> AllVcpus => _vcpuRows.AsSpan(0, _vcpuCount);

    /// <summary>A machine's CPU rows, read-only (see <see cref="CpusForWrite"/> and <see cref="CpuForWrite"/>).</summary>
    public ReadOnlySpan<CpuState> CpusOf(int machine) => AllCpus.Slice(Machines[machine].CpuRow, Spec.CpuCount);

    /// <summary>A machine's CPU rows, writable: every row is marked written (its state hash is stale).</summary>
    public Span<CpuState> CpusForWrite(int machine)
    {
        int first = Machines[machine].CpuRow;
        _cpuHashes?.MarkAll(machine, first);

        return _cpuRows.AsSpan(first, Spec.CpuCount);
    }

    /// <summary>One CPU row of a machine, writable: the row is marked written (its state hash is stale).</summary>
    public ref CpuState CpuForWrite(int machine, int cpu)
    {
        Debug.Assert((uint)cpu < (uint)Spec.CpuCount, "a CPU of the machine");
        int first = Machines[machine].CpuRow;
        _cpuHashes?.Mark(machine, first, cpu);
        return ref _cpuRows[first + cpu];
    }
    /// <summary>A machine's bank instance rows, read-only (see <see cref="BanksForWrite"/> and <see cref="BankForWrite"/>).</summary>
    public ReadOnlySpan<BankState> BanksOf(int machine) => AllBanks.Slice(Machines[machine].BankRow, Spec.BankInstanceCount);

    /// <summary>
    /// A machine's bank rows, writable: every row is marked written (its state hash and the machine's poll
    /// scan are stale). With <see cref="BankForWrite"/> the only writable views of banks, so no write goes unmarked.
    /// </summary>
    public Span<BankState> BanksForWrite(int machine)
    {
        int first = Machines[machine].BankRow;
        Scheduler.BanksWritten(machine);
        _bankHashes?.MarkAll(machine, first);
        return _bankRows.AsSpan(first, Spec.BankInstanceCount);
    }

    /// <summary>One bank instance row of a machine, writable: the row is marked written (see <see cref="BanksForWrite"/>).</summary>
    public ref BankState BankForWrite(int machine, int row)
    {
        Debug.Assert((uint)row < (uint)Spec.BankInstanceCount, "a bank instance of the machine");
        int first = Machines[machine].BankRow;
        Scheduler.BanksWritten(machine);
        _bankHashes?.Mark(machine, first, row);
        return ref _bankRows[first + row];
    }
    public Span<DomainState> DomainsOf(int machine) => AllDomains.Slice(Machines[machine].DomainRow, Spec.Domains.Count);

    /// <summary>A domain's vCPU rows, writable: the machine is noted as possibly having a vMCE pending (see <see cref="HandlerState.VmcePossiblyPending"/>).</summary>
    public Span<VcpuMca> VcpusOf(int machine, int domainIndex)
    {
        ref var d = ref DomainsOf(machine)[domainIndex];
        Handler.VcpusTouched(machine);
        _vcpuHashStale[machine] = true;
        return _vcpuRows.AsSpan(d.VcpuRow, d.VcpuCount);
    }

    /// <summary>Clears <see cref="HandlerState.VmcePossiblyPending"/> if no vCPU of the machine has <c>mce_pending</c>.</summary>
    public void SettleVmcePending(int machine) => Handler.SettleVmcePending(machine, AllVcpus.Slice(Machines[machine].VcpuRow, Spec.TotalVcpuCount));

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

    public void Emit(in HandlerEvent e) => Events.Add(e);

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
        ReadOnlySpan<int> due;
        while ((due = Scheduler.TakeDue(endNs)).Length > 0)
        {
            _pipeline.Run(due);
            StepCount += due.Length;
            // While recording: the rows just written are rehashed while they are in cache, not at the epoch's end.
            _bankHashes?.Update();
            _cpuHashes?.Update();
            Scheduler.ScheduleAll(due);
        }
    }

    /// <summary>The machine's next instant with work (see <see cref="BatchScheduler.NextEventNs"/>).</summary>
    public long NextEventNs(int machine) => Scheduler.NextEventNs(machine);

    /// <summary>Whether the next poll round would find a valid bank (see <see cref="BatchScheduler.PollWouldFind"/>).</summary>
    public bool PollWouldFind(int machine) => Scheduler.PollWouldFind(machine);

    /// <summary><see cref="PollWouldFind"/> with the banks scanned afresh (to check the bank marks).</summary>
    public bool PollWouldFindUncached(int machine) => Scheduler.PollWouldFindUncached(machine);

    /// <summary>
    /// A hash of a machine's whole simulation state: its machine, CPU, bank, domain and vCPU rows.
    /// Replays record it per epoch so a divergence is caught where it starts. Row indices (where the
    /// machine sits in its batch) are hashed as zero, so a machine hashes the same in any batch: a
    /// one-machine replay verifies against the fleet's hashes. Only the machine and domain rows hold
    /// row indices; they are copied and cleared. Bank and CPU rows (most of the bytes, and few of them
    /// change) enter as the wrapping sum of one hash per row (seeded with the row's index within the
    /// machine), kept per machine and updated only for the rows written since: banks are marked by
    /// <see cref="BanksForWrite"/> and <see cref="BankForWrite"/>, CPU rows by <see cref="CpusForWrite"/> and <see cref="CpuForWrite"/> (the
    /// only writable views of them), so no bytes are read for rows that were not written. The vCPU rows'
    /// hash is kept until <see cref="VcpusOf"/> hands them out again (every write goes through it).
    /// <see cref="StateHashUncached"/> recomputes everything.
    /// </summary>
    public ulong StateHash(int machine) => StateHash(machine, cached: true);

    /// <summary><see cref="StateHash(int)"/> with every bank row hashed afresh (to check the bank marks).</summary>
    public ulong StateHashUncached(int machine) => StateHash(machine, cached: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ulong StateHash(int machine, bool cached)
    {
        // One-shot hashes only (the streaming hasher copies its input): rows are hashed where they are; the
        // machine and domain rows (copied, row indices cleared), the bank and CPU sums and the vCPU hash are
        // laid out in one scratch buffer and hashed together.
        var domains = DomainsOf(machine);
        int size = Unsafe.SizeOf<MachineState>() + (domains.Length * Unsafe.SizeOf<DomainState>()) + (3 * sizeof(ulong));
        if (_hashScratch is null || _hashScratch.Length < size)
        {
            _hashScratch = new byte[size];
        }

        var scratch = _hashScratch.AsSpan(0, size);
        int at = 0;
        ref var m = ref Put(Machines.Slice(machine, 1), scratch, ref at)[0];
        int vcpuRow = m.VcpuRow;
        m.CpuRow = m.BankRow = m.DomainRow = m.VcpuRow = 0;
        int vcpuCount = 0;
        foreach (ref var d in Put(domains, scratch, ref at))
        {
            d.VcpuRow = 0;
            vcpuCount += d.VcpuCount;
        }

        var tail = MemoryMarshal.Cast<byte, ulong>(scratch[at..]);
        _vcpuHash ??= new ulong[MachineCount];
        if (cached)
        {
            // A machine's first hash hashes all its rows; from then on the row writers mark what to rehash.
            _bankHashes ??= new RowHashes<BankState>(_bankRows, _bankCount, MachineCount, Spec.BankInstanceCount, _bankTemplate);
            _cpuHashes ??= new RowHashes<CpuState>(_cpuRows, _cpuCount, MachineCount, Spec.CpuCount, _cpuTemplate);
            _bankHashes.Update();
            _cpuHashes.Update();
            tail[0] = _bankHashes.Sum(machine, Machines[machine].BankRow);
            tail[1] = _cpuHashes.Sum(machine, Machines[machine].CpuRow);
        }
        else
        {
            tail[0] = RowHashes<BankState>.SumUncached(_bankRows, Machines[machine].BankRow, Spec.BankInstanceCount);
            tail[1] = RowHashes<CpuState>.SumUncached(_cpuRows, Machines[machine].CpuRow, Spec.CpuCount);
        }

        // A machine's vCPUs are contiguous, domain after domain (Populate); their hash is kept until VcpusOf hands them out again.
        if (!cached || _vcpuHashStale[machine])
        {
            ulong h = System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(AllVcpus.Slice(vcpuRow, vcpuCount)));
            tail[2] = h;
            if (cached)
            {
                _vcpuHash[machine] = h;
                _vcpuHashStale[machine] = false;
            }
        }
        else
        {
            tail[2] = _vcpuHash[machine];
        }

        return System.IO.Hashing.XxHash3.HashToUInt64(scratch);
    }

    /// <summary>Copies <paramref name="rows"/> into <paramref name="scratch"/> at <paramref name="at"/>; returns the copy.</summary>
    private static Span<T> Put<T>(ReadOnlySpan<T> rows, Span<byte> scratch, ref int at)
        where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(rows);
        var target = scratch.Slice(at, bytes.Length);
        bytes.CopyTo(target);
        at += bytes.Length;
        return MemoryMarshal.Cast<byte, T>(target);
    }

    /// <summary>The one chunk's <typeparamref name="T"/> array and its row count (every entity of a kind shares one archetype).</summary>
    private static T[] ColumnArray<T>(Query query, out int count)
        where T : unmanaged
    {
        foreach (var chunk in query)
        {
            count = chunk.Count;
            return chunk.GetArray<T>();
        }

        count = 0;
        return [];
    }

    private void Populate()
    {
        var spec = Spec;
        int cpuRow = 0, bankRow = 0, domainRow = 0, vcpuRow = 0;
        for (int m = 0; m < MachineCount; m++)
        {
            World.Create(new MachineState
            {
                MachineId = FirstMachineId + m,
                CpuRow = cpuRow,
                BankRow = bankRow,
                DomainRow = domainRow,
                VcpuRow = vcpuRow,
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

            cpuRow += spec.CpuCount;
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

            bankRow += spec.BankInstanceCount;
            foreach (var d in spec.Domains)
            {
                World.Create(new DomainState
                {
                    DomId = (short)d.DomId,
                    Kind = d.Kind,
                    VcpuCount = (byte)d.VcpuCount,
                    VcpuRow = vcpuRow,
                    VirqMcaBound = d.VirqMcaBound,
                    TrapCallbackRegistered = d.TrapCallbackRegistered,
                    Shadow = d.Shadow,
                    RunState = DomainRunState.Running,
                });
                for (int v = 0; v < d.VcpuCount; v++)
                {
                    World.Create(new VcpuInfo { DomainRow = domainRow, DomId = (short)d.DomId, VcpuIndex = (byte)v }, default(VcpuMca));
                }

                vcpuRow += d.VcpuCount;
                domainRow++;
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
