using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

/// <summary>
/// A small bare-metal Linux machine: N online CPUs with per-CPU banks (plain arrays, no ECS), the
/// MCG_STATUS and interrupted registers of each CPU, and the kernel state the #MC handler, the
/// poller and memory_failure keep (Linux mce/core.c). Outputs accumulate: console lines, the
/// /dev/mcelog records, actions and panics. Not thread-safe; one machine per run.
/// </summary>
internal sealed partial class LinuxMachine
{
    /// <summary>PAGE_SHIFT on x86.</summary>
    private const int PageShift = 12;

    private readonly LinuxMachineOptions _options;
    private readonly int _cpuCount;
    private readonly int _bankCount;
    private readonly bool _ser;
    private readonly LinuxTableEra _era;

    // Hardware, indexed by CPU or by cpu * _bankCount + bank.
    private readonly ulong[] _mcgStatus;
    private readonly ulong[] _bankStatus;
    private readonly ulong[] _bankAddr;
    private readonly ulong[] _bankMisc;
    private readonly ulong[] _ip;
    private readonly ushort[] _cs;
    private readonly ulong[] _tsc;
    private readonly ulong[] _time;
    private readonly int[] _socketId;
    private readonly int[] _apicId;

    // Kernel state.
    private readonly ulong[] _mcSafeIps;
    private readonly ulong[] _copyFromUserIps;
    private readonly List<ulong> _poisonedPfns = [];
    private int _pendingStart;
    private bool _fakePanicPrinted;
    private bool _cpuMissing;
    private bool _halted;
    private int _injectionIndex = -1;

    // Outputs.
    private readonly List<string> _console = [];
    private readonly List<LoggedMce> _logged = [];
    private readonly List<LinuxAction> _actions = [];
    private readonly List<LinuxPanic> _panics = [];

    public LinuxMachine(int cpuCount, int bankCount, bool ser)
        : this(new LinuxMachineOptions { CpuCount = cpuCount, BankCount = bankCount, Ser = ser })
    {
    }

    public LinuxMachine(LinuxMachineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _cpuCount = options.CpuCount;
        _bankCount = options.BankCount;
        _ser = options.Ser;
        _era = options.Era;
        _mcgStatus = new ulong[_cpuCount];
        _bankStatus = new ulong[_cpuCount * _bankCount];
        _bankAddr = new ulong[_cpuCount * _bankCount];
        _bankMisc = new ulong[_cpuCount * _bankCount];
        _ip = new ulong[_cpuCount];
        _cs = new ushort[_cpuCount];
        _tsc = new ulong[_cpuCount];
        _time = new ulong[_cpuCount];
        _socketId = new int[_cpuCount];
        _apicId = new int[_cpuCount];
        _mcSafeIps = [.. options.McSafeFixupIps];
        Array.Sort(_mcSafeIps);
        _copyFromUserIps = [.. options.CopyFromUserFixupIps];
        Array.Sort(_copyFromUserIps);
    }

    public LinuxMachineOptions Options => _options;
    public int CpuCount => _cpuCount;
    public int BankCount => _bankCount;
    /// <summary>True once a real (not fake) panic stopped the machine; nothing runs after that.</summary>
    public bool Halted => _halted;
    /// <summary>Injections begun so far (<see cref="BeginInjection"/>).</summary>
    public int InjectionCount => _injectionIndex + 1;
    public IReadOnlyList<string> Console => _console;
    public IReadOnlyList<LoggedMce> Logged => _logged;
    public IReadOnlyList<LinuxAction> Actions => _actions;
    public IReadOnlyList<LinuxPanic> Panics => _panics;

    /// <summary>Starts a new injection; records, actions and panics carry its index.</summary>
    public void BeginInjection() => _injectionIndex++;

    public void WriteBank(int cpu, int bank, ulong status, ulong addr, ulong misc)
    {
        int index = BankIndex(cpu, bank);
        _bankStatus[index] = status;
        _bankAddr[index] = addr;
        _bankMisc[index] = misc;
    }

    public ulong BankStatus(int cpu, int bank) => _bankStatus[BankIndex(cpu, bank)];

    /// <summary>Zeroes every bank of <paramref name="cpu"/> (STATUS, ADDR, MISC).</summary>
    public void ResetBanks(int cpu)
    {
        CheckCpu(cpu);
        int first = cpu * _bankCount;
        Array.Clear(_bankStatus, first, _bankCount);
        Array.Clear(_bankAddr, first, _bankCount);
        Array.Clear(_bankMisc, first, _bankCount);
    }

    public void SetMcgStatus(int cpu, ulong mcgStatus) => _mcgStatus[CheckCpu(cpu)] = mcgStatus;

    public ulong McgStatus(int cpu) => _mcgStatus[CheckCpu(cpu)];

    /// <summary>The registers the #MC interrupts on <paramref name="cpu"/> (mce-inject's fake registers).</summary>
    public void SetInterruptedContext(int cpu, ulong ip, ushort cs)
    {
        CheckCpu(cpu);
        _ip[cpu] = ip;
        _cs[cpu] = cs;
    }

    /// <summary>TSC, TIME, SOCKETID and APICID the next record logged on <paramref name="cpu"/> carries.</summary>
    public void SetStamp(int cpu, ulong tsc, ulong time, int socketId, int apicId)
    {
        CheckCpu(cpu);
        _tsc[cpu] = tsc;
        _time[cpu] = time;
        _socketId[cpu] = socketId;
        _apicId[cpu] = apicId;
    }

    /// <summary>
    /// The notifier chain over records logged since the last call (mce_log -> irq work): the
    /// uc_decode_notifier calls memory_failure(pfn, 0) for AO and UCNA/DEFERRED records with a
    /// usable address (Linux core.c uc_decode_notifier); old kernels did the same for AO
    /// through mce_ring. dev-mcelog has already received every record (CEC is not modelled).
    /// </summary>
    public void ProcessLoggedRecords()
    {
        for (int i = _pendingStart; i < _logged.Count && !_halted; i++)
        {
            LoggedMce record = _logged[i];
            if (record.Grade is not { } grade || !UsableAddress(record.Status, record.Misc))
            {
                continue;
            }

            bool decode = grade.Severity == LinuxSeverity.Ao
                // Linux core.c uc_decode_notifier: UCNA/DEFERRED from the poller also gets memory_failure
                || (_era == LinuxTableEra.Modern && grade.Severity == LinuxSeverity.Ucna);
            if (decode)
            {
                string via = _era == LinuxTableEra.Modern ? "uc_decode_notifier" : "mce_ring";
                MemoryFailure(record.Cpu, record.Addr, MemoryFailureFlags.None, via);
            }
        }

        _pendingStart = _logged.Count;
    }

    /// <summary>
    /// "Usable address" on Intel (Linux core.c mce_usable_address): ADDRV, MISCV, MISC LSB &lt;= PAGE_SHIFT and
    /// MISC address mode physical. The same test is applied in every era.
    /// </summary>
    internal static bool UsableAddress(ulong status, ulong misc)
        => (status & MciStatusBits.AddrV) != 0
            && (status & MciStatusBits.MiscV) != 0
            && MciMiscBits.Lsb(misc) <= PageShift
            && (misc & MciMiscBits.ModeMask) == MciMiscBits.ModePhysical;

    private int Log(LoggedMce record)
    {
        _logged.Add(record);
        return _logged.Count - 1;
    }

    /// <summary>
    /// mce_read_aux: MISC if MISCV, ADDR if ADDRV; a modern SER kernel truncates ADDR to the MISC LSB
    /// granularity (Linux core.c __mc_scan_banks). Old eras are assumed not to truncate.
    /// </summary>
    private (ulong Addr, ulong Misc) ReadAux(int index, ulong status)
    {
        ulong misc = (status & MciStatusBits.MiscV) != 0 ? _bankMisc[index] : 0;
        ulong addr = (status & MciStatusBits.AddrV) != 0 ? _bankAddr[index] : 0;
        if (_era == LinuxTableEra.Modern && _ser && (status & MciStatusBits.MiscV) != 0 && addr != 0)
        {
            // Linux core.c __mc_scan_banks: with SER and MISCV, ADDR is truncated to the MISC LSB granularity
            int shift = MciMiscBits.Lsb(misc);
            addr = (addr >> shift) << shift;
        }

        return (addr, misc);
    }

    private LoggedMce BankRecord(int cpu, int bank, ulong mcgStatus, ulong ip, ushort cs, LinuxGrade? grade, LinuxLogSource source)
    {
        int index = cpu * _bankCount + bank;
        ulong status = _bankStatus[index];
        (ulong addr, ulong misc) = ReadAux(index, status);
        return new LoggedMce
        {
            Cpu = cpu,
            Bank = bank,
            Status = status,
            McgStatus = mcgStatus,
            Addr = addr,
            Misc = misc,
            Ip = ip,
            Cs = cs,
            Tsc = _tsc[cpu],
            Time = _time[cpu],
            SocketId = _socketId[cpu],
            ApicId = _apicId[cpu],
            Grade = grade,
            Source = source,
            InjectionIndex = _injectionIndex,
        };
    }

    /// <summary>
    /// memory_failure(pfn, flags): poisons the page (or finds it poisoned already, -EHWPOISON); with
    /// MF_ACTION_REQUIRED it sends the current task SIGBUS BUS_MCEERR_AR (Linux core.c kill_me_maybe, mm/memory-failure.c).
    /// It never fails otherwise, so "Memory error not recovered" never happens in this model.
    /// </summary>
    private void MemoryFailure(int cpu, ulong addr, MemoryFailureFlags flags, string via)
    {
        ulong pfn = addr >> PageShift;
        int at = _poisonedPfns.BinarySearch(pfn);
        MemoryFailureResult result = at >= 0 ? MemoryFailureResult.AlreadyPoisoned : MemoryFailureResult.Recovered;
        if (at < 0)
        {
            _poisonedPfns.Insert(~at, pfn);
        }

        _actions.Add(new LinuxAction
        {
            Kind = LinuxActionKind.MemoryFailure,
            Cpu = cpu,
            InjectionIndex = _injectionIndex,
            Pfn = pfn,
            Address = addr,
            Flags = flags,
            Result = result,
            Via = via,
        });
        if ((flags & MemoryFailureFlags.ActionRequired) != 0)
        {
            Sigbus(cpu, addr, LinuxSigbusCode.McErrAr, "memory_failure");
        }
    }

    private void Sigbus(int cpu, ulong addr, LinuxSigbusCode code, string via)
    {
        _actions.Add(new LinuxAction
        {
            Kind = LinuxActionKind.Sigbus,
            Cpu = cpu,
            InjectionIndex = _injectionIndex,
            Pfn = code == LinuxSigbusCode.McErrAr ? addr >> PageShift : 0,
            Address = code == LinuxSigbusCode.McErrAr ? addr : 0,
            SigbusCode = code,
            Via = via,
        });
    }

    private int BankIndex(int cpu, int bank)
    {
        CheckCpu(cpu);
        if ((uint)bank >= (uint)_bankCount)
        {
            throw new ArgumentOutOfRangeException(nameof(bank), bank, $"expected a bank 0..{_bankCount - 1}");
        }

        return cpu * _bankCount + bank;
    }

    private int CheckCpu(int cpu)
    {
        if ((uint)cpu >= (uint)_cpuCount)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"expected an online CPU 0..{_cpuCount - 1}");
        }

        return cpu;
    }
}
