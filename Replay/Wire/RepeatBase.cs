using System.Runtime.CompilerServices;
using Mca.Systems.Engine;

namespace Mca.Replay.Wire;

/// <summary>
/// What nil stands for in a status, addr, misc or mcg_status field of a frame (docs/replay-format.md "Input" and
/// "Event"): the field's last non-zero value among the section's previous inputs (for inputs) or events (for
/// events; for the j-th ErrorArrived, the j-th input's values). <see cref="FrameEncoder"/> writes a repeated
/// value as nil and <see cref="FrameFormatter"/> reads it back, both tracking the same base.
/// </summary>
internal struct RepeatBase
{
    public ulong Status;
    public ulong Addr;
    public ulong Misc;
    public ulong McgStatus;

    /// <summary>An input's values, which the ErrorArrived of the same rank repeats.</summary>
    public static RepeatBase Of(in ErrorInjection e) => new() { Status = e.Status, Addr = e.Addr, Misc = e.Misc, McgStatus = e.McgStatus };

    /// <summary>Keeps each non-zero value as the field's last one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Update(ulong status, ulong addr, ulong misc, ulong mcgStatus)
    {
        Status = status != 0 ? status : Status;
        Addr = addr != 0 ? addr : Addr;
        Misc = misc != 0 ? misc : Misc;
        McgStatus = mcgStatus != 0 ? mcgStatus : McgStatus;
    }
}
