namespace Mca.Systems.Events;

/// <summary>
/// One handling decision, as plain data: the unit that campaigns count, replays record and the
/// scenario runner prints. Fields that a kind does not use are zero (or -1 for ids).
/// </summary>
public readonly record struct HandlerEvent
{
    public long TimeNs { get; init; }
    public int Machine { get; init; }
    public HandlerEventKind Kind { get; init; }
    public short Cpu { get; init; }
    public short Bank { get; init; }
    public short Domain { get; init; }
    public short Vcpu { get; init; }
    public ulong Status { get; init; }
    public ulong Addr { get; init; }
    public ulong Misc { get; init; }
    public long Arg { get; init; }
    public long Arg2 { get; init; }
}
