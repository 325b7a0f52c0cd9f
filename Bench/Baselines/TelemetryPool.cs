using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>
/// A machine's telemetry pool as objects: 30 slots (URGENT may take any free slot, NONURGENT only 10..29,
/// as mctelem.c), a record object per reservation, and one FIFO queue per class for dom0's fetch.
/// </summary>
internal sealed class TelemetryPool
{
    private readonly TelemetryRecord?[] _slots = new TelemetryRecord?[McTelemetry.EntryCount];
    private readonly Queue<TelemetryRecord> _urgent = new();
    private readonly Queue<TelemetryRecord> _nonUrgent = new();

    public TelemetryRecord? Reserve(bool urgent, McGlobal global)
    {
        for (int slot = urgent ? 0 : McTelemetry.UrgentEntryCount; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is null)
            {
                var record = new TelemetryRecord(slot, urgent, global);
                _slots[slot] = record;
                return record;
            }
        }

        return null;
    }

    public void Commit(TelemetryRecord record)
    {
        record.Committed = true;
        (record.Urgent ? _urgent : _nonUrgent).Enqueue(record);
    }

    public void Dismiss(TelemetryRecord record) => _slots[record.Slot] = null;

    public bool HasCommitted => _urgent.Count + _nonUrgent.Count > 0;

    /// <summary>The oldest committed record of a class, or null.</summary>
    public TelemetryRecord? Fetch(bool urgent)
    {
        var queue = urgent ? _urgent : _nonUrgent;
        return queue.Count > 0 ? queue.Peek() : null;
    }

    public void Ack(bool urgent)
    {
        var record = (urgent ? _urgent : _nonUrgent).Dequeue();
        _slots[record.Slot] = null;
    }

    /// <summary>Every live record, in slot order.</summary>
    public IEnumerable<TelemetryRecord> Live()
    {
        foreach (var record in _slots)
        {
            if (record is not null)
            {
                yield return record;
            }
        }
    }

    public void Clear()
    {
        Array.Clear(_slots);
        _urgent.Clear();
        _nonUrgent.Clear();
    }
}
