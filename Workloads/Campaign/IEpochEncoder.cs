using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Workloads.Campaign;

/// <summary>
/// Encodes a batch's recorded epoch on the worker that ran it, so recording runs in parallel and the
/// engine's buffers are reused at once; the ordered consumer only writes the bytes. Called from many
/// threads at once; the result must depend on the arguments only.
/// </summary>
public interface IEpochEncoder
{
    /// <summary>The epoch's record, or null when nothing happened in it.</summary>
    EpochRecord? Encode(int epoch, int batch, int firstMachineId, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, ReadOnlySpan<MachineStateHash> hashes);
}

/// <summary>
/// An encoded epoch of one batch: the first <paramref name="Length"/> bytes of <paramref name="Bytes"/> are to be
/// written, and the first <paramref name="MachineCount"/> entries of <paramref name="Machines"/> are the machines
/// (fleet ids, ascending) it holds. Both arrays may be the encoder's, lent until the record is written
/// (<paramref name="Pooled"/>); a record read back from a checkpoint journal owns its arrays.
/// </summary>
public sealed record EpochRecord(byte[] Bytes, int Length, int[] Machines, int MachineCount, int EventCount, int InputCount, bool Pooled = true);
