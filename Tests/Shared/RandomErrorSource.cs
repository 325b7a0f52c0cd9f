using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Tests.Shared;

/// <summary>
/// A randomized error mix for engine tests: every class of error, on every bank scope, at random
/// times, keyed by (seed, machine id) only, so a machine's errors never depend on the partition.
/// </summary>
internal sealed class RandomErrorSource : IErrorSource
{
    private readonly MachineSpec _spec;
    private readonly long _horizonNs;
    private readonly long _meanGapNs;
    private readonly CounterRng[] _rng;
    private readonly ErrorInjection?[] _next;

    public RandomErrorSource(MachineSpec spec, ulong seed, int firstMachineId, int machineCount, long horizonNs, long meanGapNs)
    {
        _spec = spec;
        _horizonNs = horizonNs;
        _meanGapNs = meanGapNs;
        _rng = new CounterRng[machineCount];
        _next = new ErrorInjection?[machineCount];
        for (int i = 0; i < machineCount; i++)
        {
            _rng[i] = CounterRng.Create(seed, (ulong)(firstMachineId + i), 0x7E57);
            _next[i] = Draw(i, 0);
        }
    }

    public long NextArrivalNs(int machineIndex) => _next[machineIndex]?.TimeNs ?? long.MaxValue;

    public ErrorInjection Take(int machineIndex)
    {
        var e = _next[machineIndex] ?? throw new InvalidOperationException("no error");
        _next[machineIndex] = Draw(machineIndex, e.TimeNs);
        return e;
    }

    private ErrorInjection? Draw(int i, long after)
    {
        ref var rng = ref _rng[i];
        long t = after + 1 + rng.NextLong(2 * _meanGapNs);
        if (t >= _horizonNs)
        {
            return null;
        }

        int cpu = rng.NextInt(_spec.CpuCount);
        long frame = rng.NextLong(_spec.Memory.TotalFrames);
        ulong addr = ((ulong)frame << 12) | (uint)rng.NextInt(4096);
        const ulong Valid = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.AddrV | MciStatusBits.MiscV;
        int kind = rng.NextInt(100);
        var (bank, status, mcg, count) = kind switch
        {
            < 55 => (8, Valid | 0x9FUL, 0UL, 1 + rng.NextLong(20)),
            < 70 => (rng.NextInt(4), Valid | 0x151UL, 0UL, 1L),
            < 78 => (4, Valid | MciStatusBits.Uc | 0x136UL, 0UL, 1L),
            < 88 => (8, Valid | MciStatusBits.Uc | MciStatusBits.S | 0xC3UL, McgStatusBits.Ripv, 1L),
            < 92 => (7, Valid | MciStatusBits.Uc | MciStatusBits.S | 0x17AUL, McgStatusBits.Ripv, 1L),
            < 97 => (0, Valid | MciStatusBits.Uc | MciStatusBits.S | MciStatusBits.Ar | 0x134UL, McgStatusBits.Eipv, 1L),
            _ => (rng.NextInt(_spec.BankCount), Valid | MciStatusBits.Uc | MciStatusBits.Pcc | 0x400UL, 0UL, 1L),
        };
        var owner = _spec.Memory.OwnerOf(frame);
        bool inGuest = rng.NextInt(2) == 0;
        return new ErrorInjection
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
            RunningDomain = (short)(owner.Kind == Mca.Systems.Model.FrameOwnerKind.Domain ? owner.DomId : 0),
            RunningVcpu = 0,
        };
    }
}
