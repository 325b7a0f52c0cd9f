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

/// <summary>One machine's part of a frame.</summary>
/// <param name="Machine">Key 0: fleet machine id.</param>
/// <param name="Inputs">Key 1: the errors the machine took this epoch, in the order it took them.</param>
/// <param name="Events">Key 2: every handling decision of the machine this epoch, in order.</param>
/// <param name="StateHash">Key 3: the machine's state hash at the end of the epoch (null if none was taken).</param>
internal sealed record MachineFrame(int Machine, RecordedInput[] Inputs, HandlerEvent[] Events, ulong? StateHash);
