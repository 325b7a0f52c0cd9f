using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay;

/// <summary>
/// One frame: what one batch of machines did in one epoch, grouped by machine (machines in id order;
/// each machine's inputs and events in the order the engine produced them).
/// </summary>
/// <param name="Offset">Byte offset of the frame's record in its file.</param>
/// <param name="Epoch">Key 0.</param>
/// <param name="Batch">Key 1.</param>
/// <param name="Machines">Key 2: machines that had inputs, events or a state hash this epoch.</param>
internal sealed record ReplayFrame(long Offset, int Epoch, int Batch, MachineFrame[] Machines);

/// <summary>
/// One machine's part of a frame. A file of format 4 may leave out the inputs or the events (they are derived on
/// demand by re-simulating the machine, <see cref="ReplayContent"/>): then the list is empty, <see cref="InputsStored"/>
/// or <see cref="EventsStored"/> is false, and only the count and hash say what the recording engine saw and did.
/// </summary>
/// <param name="Machine">Key 0: fleet machine id.</param>
/// <param name="Inputs">Key 1: the errors the machine took this epoch, in the order it took them (empty when not stored).</param>
/// <param name="Events">Key 2: every handling decision of the machine this epoch, in order (empty when not stored).</param>
/// <param name="StateHash">Key 3: the machine's state hash at the end of the epoch (null if none was taken).</param>
internal sealed record MachineFrame(int Machine, RecordedInput[] Inputs, HandlerEvent[] Events, ulong? StateHash)
{
    private readonly int? _inputCount;
    private readonly int? _eventCount;
    private uint? _inputHash;
    private uint? _eventHash;

    public bool InputsStored { get; init; } = true;

    public bool EventsStored { get; init; } = true;

    /// <summary>Key 4: inputs taken (the stored list's length when stored).</summary>
    public int InputCount { get => _inputCount ?? Inputs.Length; init => _inputCount = value; }

    /// <summary>Key 6: events produced.</summary>
    public int EventCount { get => _eventCount ?? Events.Length; init => _eventCount = value; }

    /// <summary>Key 5: <see cref="Recording.SectionHash"/> of the inputs (computed from them when stored).</summary>
    public uint InputHash { get => _inputHash ??= Recording.SectionHash.Inputs(Inputs); init => _inputHash = value; }

    /// <summary>Key 7: <see cref="Recording.SectionHash"/> of the events.</summary>
    public uint EventHash { get => _eventHash ??= Recording.SectionHash.Events(Events); init => _eventHash = value; }
}
