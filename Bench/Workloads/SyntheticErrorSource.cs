using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Bench.Workloads;

/// <summary>
/// A heavy synthetic error mix for benchmarks (the idea of the engine tests' random source, not its code):
/// every class of error on every bank scope, at uniformly random gaps of mean <c>meanGapNs</c>, keyed by
/// (seed, machine id) only, so a machine's errors never depend on the partition or the thread count.
/// Mix: 55 % corrected bursts on the memory controller (CMCI), 15 % corrected on core banks, 8 % UCNA on
/// the polled PCU bank, 10 % SRAO scrub, 4 % SRAO L3 write-back, 5 % SRAR data load, 3 % PCC (fatal).
/// Allocation-free after construction. Stands in until the field workload can be swapped in.
/// </summary>
internal sealed class SyntheticErrorSource : IErrorSource
{
    /// <summary>Purpose key of the error stream ("BENCHSRC").</summary>
    public const ulong Purpose = 0x4245_4E43_4853_5243;

    private const ulong Valid = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.AddrV | MciStatusBits.MiscV;

    private readonly MachineSpec _spec;
    private readonly long _horizonNs;
    private readonly long _meanGapNs;
    private readonly CounterRng[] _rng;
    private readonly ErrorInjection[] _next;
    private readonly bool[] _hasNext;

    public SyntheticErrorSource(MachineSpec spec, ulong seed, int firstMachineId, int machineCount, long horizonNs, long meanGapNs)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(machineCount);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(meanGapNs);
        _spec = spec;
        _horizonNs = horizonNs;
        _meanGapNs = meanGapNs;
        _rng = new CounterRng[machineCount];
        _next = new ErrorInjection[machineCount];
        _hasNext = new bool[machineCount];
        for (int i = 0; i < machineCount; i++)
        {
            _rng[i] = CounterRng.Create(seed, (ulong)(firstMachineId + i), Purpose);
            _hasNext[i] = Draw(i, 0);
        }
    }

    /// <summary>A factory for <see cref="Mca.Workloads.Campaign.CampaignOptions.Source"/>.</summary>
    public static Mca.Workloads.Campaign.ErrorSourceFactory Factory(MachineSpec spec, ulong seed, long meanGapNs) =>
        (first, count, horizon) => new SyntheticErrorSource(spec, seed, first, count, horizon, meanGapNs);

    public long NextArrivalNs(int machineIndex) => _hasNext[machineIndex] ? _next[machineIndex].TimeNs : long.MaxValue;

    public ErrorInjection Take(int machineIndex)
    {
        if (!_hasNext[machineIndex])
        {
            throw new InvalidOperationException($"machine {machineIndex} has no error left before the horizon");
        }

        var e = _next[machineIndex];
        _hasNext[machineIndex] = Draw(machineIndex, e.TimeNs);
        return e;
    }

    private bool Draw(int i, long afterNs)
    {
        ref var rng = ref _rng[i];
        long t = afterNs + 1 + rng.NextLong(2 * _meanGapNs);
        if (t >= _horizonNs)
        {
            return false;
        }

        int cpu = rng.NextInt(_spec.CpuCount);
        long frame = rng.NextLong(_spec.Memory.TotalFrames);
        ulong addr = ((ulong)frame << 12) | (uint)rng.NextInt(4096);
        int kind = rng.NextInt(100);
        int banks = _spec.BankCount;
        var (bank, status, mcg, count) = kind switch
        {
            < 55 => (Math.Min(8, banks - 1), Valid | 0x9FUL, 0UL, 1 + rng.NextLong(20)),
            < 70 => (rng.NextInt(Math.Min(4, banks)), Valid | 0x151UL, 0UL, 1L),
            < 78 => (Math.Min(4, banks - 1), Valid | MciStatusBits.Uc | 0x136UL, 0UL, 1L),
            < 88 => (Math.Min(8, banks - 1), Valid | MciStatusBits.Uc | MciStatusBits.S | 0xC3UL, McgStatusBits.Ripv, 1L),
            < 92 => (Math.Min(7, banks - 1), Valid | MciStatusBits.Uc | MciStatusBits.S | 0x17AUL, McgStatusBits.Ripv, 1L),
            < 97 => (0, Valid | MciStatusBits.Uc | MciStatusBits.S | MciStatusBits.Ar | 0x134UL, McgStatusBits.Eipv, 1L),
            _ => (rng.NextInt(banks), Valid | MciStatusBits.Uc | MciStatusBits.Pcc | 0x400UL, 0UL, 1L),
        };
        var owner = _spec.Memory.OwnerOf(frame);
        bool inGuest = rng.NextInt(2) == 0;
        _next[i] = new ErrorInjection
        {
            TimeNs = t,
            Cpu = cpu,
            BankIndex = bank,
            Status = status,
            Addr = addr,
            Misc = 0x86,
            McgStatus = mcg,
            AutoSignal = true,
            Count = count,
            Context = rng.NextInt(3) == 0 ? GuestContext.Kernel : GuestContext.User,
            InGuest = inGuest,
            RunningDomain = (short)(owner.Kind == FrameOwnerKind.Domain ? owner.DomId : 0),
            RunningVcpu = 0,
        };
        return true;
    }
}
