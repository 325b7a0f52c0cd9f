using BenchmarkDotNet.Attributes;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Systems.Xen;

namespace Mca.Bench.Systems;

/// <summary>
/// Telemetry life cycle per record: reserve (NONURGENT), fill the global block and two bank blocks, commit,
/// then dom0's fetch and ack. 16 records per operation, so the committed and processing lists hold several
/// entries; <c>Mean</c> is per record. <c>McTelemetry_*</c> is the mctelem kernel; <c>TelemetryStore_*</c>
/// is the engine's per-machine store (pool taken from and returned to the free list, commit and dom0-log
/// events, mcelog records).
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private const int RecordCount = 16;
    private const ulong Status = 0x9C0000000000009F;

    private readonly McTelemetry _pool = new(16);
    private MachineBatch _batch = null!;

    [GlobalSetup]
    public void Setup() => _batch = MachineBatches.Create(MachineSpec.Default, HandlerPolicy.Xen, 0, 1, seed: 1, NoErrors.Instance);

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int McTelemetry_ReserveCommitFetchAck()
    {
        for (int i = 0; i < RecordCount; i++)
        {
            int cookie = _pool.Reserve(TelemetryClass.NonUrgent);
            var info = _pool.Data(cookie);
            info.SetGlobal(McGlobal.Create(McFlags.Cmci | McFlags.Correctable, 0, i, i));
            info.TryAddBank(McBankRecord.FromRegisters(8, Status, 0x180020, 0x86));
            info.TryAddBank(McBankRecord.FromRegisters(9, Status, 0x180040, 0x86));
            _pool.Commit(cookie);
        }

        int acked = 0;
        while (_pool.Fetch(TelemetryClass.NonUrgent, out int cookie) == FetchResult.Ok && _pool.Ack(TelemetryClass.NonUrgent, cookie))
        {
            acked++;
        }

        return acked;
    }

    [Benchmark(OperationsPerInvoke = RecordCount)]
    public int TelemetryStore_ReserveCommitFetchAck()
    {
        var telemetry = _batch.Telemetry;
        ref readonly var cpu = ref _batch.CpusOf(0)[0];
        for (int i = 0; i < RecordCount; i++)
        {
            int cookie = telemetry.Reserve(0, urgent: false);
            telemetry.SetGlobal(0, cookie, 0, McgStatusBits.Ripv, in cpu);
            telemetry.AddBank(0, cookie, 8, Status, 0x180020, 0x86, 0, XenIds.DomIdInvalid);
            telemetry.AddBank(0, cookie, 9, Status, 0x180040, 0x86, 0, XenIds.DomIdInvalid);
            telemetry.Commit(0, cookie, urgent: false);
        }

        int acked = 0;
        for (int cookie = telemetry.Fetch(0, urgent: false); cookie >= 0; cookie = telemetry.Fetch(0, urgent: false))
        {
            telemetry.LogToDom0(0, cookie);
            telemetry.Ack(0, urgent: false, cookie);
            acked++;
        }

        _batch.Events.Clear();
        return acked;
    }
}
