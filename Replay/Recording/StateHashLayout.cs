using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mca.Systems.Components;

namespace Mca.Replay.Recording;

/// <summary>
/// The bytes a machine row and a domain row enter a format-2 state hash as: each row's memory as it was laid out
/// when the rows carried their own column offsets (hashed as zero so a machine hashes the same in any batch).
/// The rows no longer carry them (the ECS knows a machine's rows), so those bytes are written as zeros here,
/// and replays recorded before and after keep the same hashes. A new replay format may hash the rows as they are.
/// </summary>
internal static class StateHashLayout
{
    /// <summary>The machine row's four int32 column offsets sat just before <see cref="MachineState.EventSeq"/>.</summary>
    private const int MachineOffsetBytes = 4 * sizeof(int);

    /// <summary>Bytes of a machine row in the hash.</summary>
    public static readonly int MachineBytes = Unsafe.SizeOf<MachineState>() + MachineOffsetBytes;

    /// <summary>Bytes of a domain row in the hash (the row with its int32 vCPU offset after <see cref="DomainState.VcpuCount"/>).</summary>
    public const int DomainBytes = 32;

    private static readonly int EventSeqOffset = OffsetOfEventSeq();

    /// <summary>Writes <paramref name="m"/> into the first <see cref="MachineBytes"/> bytes of <paramref name="target"/>.</summary>
    public static void WriteMachine(in MachineState m, Span<byte> target)
    {
        var bytes = MemoryMarshal.AsBytes(new ReadOnlySpan<MachineState>(in m));
        bytes[..EventSeqOffset].CopyTo(target);
        target.Slice(EventSeqOffset, MachineOffsetBytes).Clear();
        bytes[EventSeqOffset..].CopyTo(target[(EventSeqOffset + MachineOffsetBytes)..]);
    }

    /// <summary>Writes <paramref name="d"/> into the first <see cref="DomainBytes"/> bytes of <paramref name="target"/>, field by field (padding is zero).</summary>
    public static void WriteDomain(in DomainState d, Span<byte> target)
    {
        var t = target[..DomainBytes];
        t.Clear();
        BinaryPrimitives.WriteInt16LittleEndian(t, d.DomId);
        t[2] = (byte)d.Kind;
        t[3] = d.VcpuCount;
        // t[4..8]: the vCPU offset, zero.
        t[8] = d.VirqMcaBound ? (byte)1 : (byte)0;
        t[9] = d.TrapCallbackRegistered ? (byte)1 : (byte)0;
        t[10] = d.Shadow ? (byte)1 : (byte)0;
        t[11] = (byte)d.RunState;
        BinaryPrimitives.WriteInt64LittleEndian(t[16..], d.RestartAtNs);
        BinaryPrimitives.WriteInt32LittleEndian(t[24..], d.NrInjection);
    }

    private static int OffsetOfEventSeq()
    {
        var m = default(MachineState);
        return (int)Unsafe.ByteOffset(ref Unsafe.As<MachineState, byte>(ref m), ref Unsafe.As<long, byte>(ref m.EventSeq));
    }
}
