using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;

namespace Mca.Bench.Workloads;

/// <summary>
/// A steady, unending error mix for steady-state measurements (the engine's allocation test mix): corrected
/// bursts (CMCI), UCNA on polled and CMCI banks, and SRAO #MCs with page offline and vMCE, on a bounded set
/// of dom0 and free pages, so the handler's page sets stop growing and nothing needs allocating. No resets.
/// </summary>
internal sealed class SteadyErrorSource : IErrorSource
{
    private const ulong Valid = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.AddrV | MciStatusBits.MiscV;

    private readonly long _meanGapNs;
    private readonly long[] _next;
    private readonly CounterRng[] _rng;

    public SteadyErrorSource(int machineCount, long meanGapNs)
    {
        _meanGapNs = meanGapNs;
        _next = new long[machineCount];
        _rng = new CounterRng[machineCount];
        for (int i = 0; i < machineCount; i++)
        {
            _rng[i] = CounterRng.Create(3, (ulong)i, 1);
            _next[i] = 1 + _rng[i].NextLong(2 * meanGapNs);
        }
    }

    public long NextArrivalNs(int machineIndex) => _next[machineIndex];

    public ErrorInjection Take(int machineIndex)
    {
        ref var rng = ref _rng[machineIndex];
        long t = _next[machineIndex];
        _next[machineIndex] = t + 1 + rng.NextLong(2 * _meanGapNs);
        int kind = rng.NextInt(4);
        ulong addr = kind == 3 ? (0x180UL + (ulong)rng.NextInt(8)) << 12 : (0x2000UL + (ulong)rng.NextInt(8)) << 12;
        return new ErrorInjection
        {
            TimeNs = t,
            Cpu = rng.NextInt(16),
            BankIndex = kind switch { 0 => 8, 1 => 4, 2 => 9, _ => 8 },
            Status = kind switch
            {
                0 => Valid | 0x9FUL,
                1 or 2 => Valid | MciStatusBits.Uc | 0x136UL,
                _ => Valid | MciStatusBits.Uc | MciStatusBits.S | 0xC0UL,
            },
            Addr = addr,
            Misc = 0x86,
            McgStatus = McgStatusBits.Ripv,
            AutoSignal = true,
            Count = kind == 0 ? 1 + rng.NextLong(5) : 1,
        };
    }
}
