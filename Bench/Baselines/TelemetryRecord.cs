using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>
/// One telemetry entry as an object: a global block and growing lists of bank and recovery blocks,
/// allocated per logout. The 768-byte <c>mc_info</c> budget of <see cref="McInfo"/> applies.
/// </summary>
internal sealed class TelemetryRecord
{
    private int _usedBytes = McInfo.GlobalSizeBytes;

    public TelemetryRecord(int slot, bool urgent, McGlobal global)
    {
        Slot = slot;
        Urgent = urgent;
        Global = global;
    }

    public int Slot { get; }
    public bool Urgent { get; }
    public McGlobal Global;
    public List<McBankRecord> Banks { get; } = [];
    public List<McRecoveryRecord> Recoveries { get; } = [];
    public bool Committed { get; set; }

    public bool TryAddBank(McBankRecord bank)
    {
        if (_usedBytes + McInfo.BankSizeBytes > McInfo.SizeMaxBytes)
        {
            return false;
        }

        _usedBytes += McInfo.BankSizeBytes;
        Banks.Add(bank);
        return true;
    }

    public bool TryAddRecovery(McRecoveryRecord recovery)
    {
        if (_usedBytes + McInfo.RecoverySizeBytes > McInfo.SizeMaxBytes)
        {
            return false;
        }

        _usedBytes += McInfo.RecoverySizeBytes;
        Recoveries.Add(recovery);
        return true;
    }
}
