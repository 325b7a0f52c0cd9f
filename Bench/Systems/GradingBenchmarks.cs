using BenchmarkDotNet.Attributes;
using Mca.Bench.Columns;
using Mca.Ecs;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Systems.Xen;

namespace Mca.Bench.Systems;

/// <summary>
/// Grading throughput: each operation grades one of 4,096 precomputed bank records (a mix of corrected,
/// UCNA, SRAO, SRAR, PCC and random bit patterns) with one rule kernel. <c>Mean</c> is per record and
/// <c>Op/s</c> is records per second.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OperationsPerSecondConfig))]
public class GradingBenchmarks
{
    private const int RecordCount = 4096;

    private ulong[] _status = [];
    private ulong[] _mcg = [];
    private LinuxContext[] _context = [];

    [GlobalSetup]
    public void Setup()
    {
        _status = new ulong[RecordCount];
        _mcg = new ulong[RecordCount];
        _context = new LinuxContext[RecordCount];
        var rng = CounterRng.Create(1, 0, 0x4752_4144_45); // "GRADE"
        const ulong Logged = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.MiscV | MciStatusBits.AddrV;
        for (int i = 0; i < RecordCount; i++)
        {
            _status[i] = rng.NextInt(6) switch
            {
                0 => Logged | 0x9F,
                1 => Logged | MciStatusBits.Uc | 0x136,
                2 => Logged | MciStatusBits.Uc | MciStatusBits.S | 0xC3,
                3 => Logged | MciStatusBits.Uc | MciStatusBits.S | MciStatusBits.Ar | 0x134,
                4 => Logged | MciStatusBits.Uc | MciStatusBits.Pcc | 0x400,
                _ => MciStatusBits.Val | (rng.NextUInt64() & 0x7F80_0000_0000_0000UL) | 0x17A,
            };
            _mcg[i] = (ulong)rng.NextInt(4) & (McgStatusBits.Ripv | McgStatusBits.Eipv);
            _context[i] = (LinuxContext)rng.NextInt(3);
        }
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int IntelMca_CheckMceType()
    {
        int sum = 0;
        foreach (ulong status in _status)
        {
            sum += (int)IntelMca.CheckMceType(status, ser: true);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int UrgentTable_UrgentAction()
    {
        int sum = 0;
        foreach (ulong status in _status)
        {
            sum += (int)UrgentTable.UrgentAction(status, ser: true);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int DeferredTable_BankAction()
    {
        int sum = 0;
        var handler = default(PresetMemoryErrorHandler);
        for (int i = 0; i < _status.Length; i++)
        {
            var bank = McBankRecord.FromRegisters(8, _status[i], 0x180020, 0x86);
            sum += (int)DeferredTable.BankAction(i, ref bank, ser: true, ref handler);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int LinuxSeverityTable_Grade()
    {
        int sum = 0;
        for (int i = 0; i < _status.Length; i++)
        {
            sum += (int)LinuxSeverityTable.Grade(_status[i], _mcg[i], ser: true, _context[i], isException: true).Severity;
        }

        return sum;
    }
}
