using System.Buffers.Binary;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay.Recording;

/// <summary>
/// The hashes a replay keeps of a machine's inputs and events in one epoch (docs/replay-format.md "Section
/// hashes"): XXH3-64 (seed 0) over each item's fields as little-endian integers in a fixed layout, kept as its low
/// 32 bits. The layout is a function of the values alone (no padding, no machine id, nothing of memory), so a reader
/// in another language can recompute it, and a file that stores the items checks its hashes against them.
/// </summary>
internal static class SectionHash
{
    /// <summary>Bytes per event: time, kind, cpu, bank, domain, vcpu, status, addr, misc, arg, arg2.</summary>
    public const int EventBytes = 8 + 1 + (4 * 2) + (3 * 8) + (2 * 8);

    /// <summary>Bytes per input: time, cpu, bank, status, addr, misc, mcg_status, signal, auto_signal, interposed, count, context, in_guest, running_domain, running_vcpu.</summary>
    public const int InputBytes = 8 + (2 * 4) + (4 * 8) + 3 + 8 + 2 + (2 * 2);

    [ThreadStatic]
    private static byte[]? t_scratch;

    /// <summary>The hash of <paramref name="events"/>, in order.</summary>
    public static uint Events(ReadOnlySpan<HandlerEvent> events) => Of<HandlerEvent, EventLayout>(events, default);

    /// <summary>The hash of the events of <paramref name="events"/> at the positions <paramref name="order"/> (grouped order).</summary>
    public static uint Events(ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<int> order) => Of<HandlerEvent, EventLayout>(events, order, ordered: true);

    /// <summary>The hash of <paramref name="inputs"/>.</summary>
    public static uint Inputs(ReadOnlySpan<RecordedInput> inputs) => Of<RecordedInput, InputLayout>(inputs, default);

    /// <summary>The hash of the inputs of <paramref name="inputs"/> at the positions <paramref name="order"/> (grouped order).</summary>
    public static uint Inputs(ReadOnlySpan<RecordedInput> inputs, ReadOnlySpan<int> order) => Of<RecordedInput, InputLayout>(inputs, order, ordered: true);

    /// <summary>Every item (or those at <paramref name="order"/>) laid out by <typeparamref name="TLayout"/> in one scratch buffer, hashed at once.</summary>
    private static uint Of<T, TLayout>(ReadOnlySpan<T> items, ReadOnlySpan<int> order, bool ordered = false)
        where TLayout : struct, ILayout<T>
    {
        int count = ordered ? order.Length : items.Length;
        int size = TLayout.Bytes;
        var buffer = Scratch(count * size);
        for (int k = 0; k < count; k++)
        {
            TLayout.Write(in items[ordered ? order[k] : k], buffer.AsSpan(k * size, size));
        }

        return Hash(buffer.AsSpan(0, count * size));
    }

    private static uint Hash(ReadOnlySpan<byte> bytes) => unchecked((uint)XxHash3.HashToUInt64(bytes));

    private static byte[] Scratch(int length)
    {
        var b = t_scratch;
        if (b is null || b.Length < length)
        {
            b = t_scratch = new byte[Math.Max(length, Math.Max(4096, (b?.Length ?? 0) * 2))];
        }

        return b;
    }

    /// <summary>How one item is laid out for hashing (a struct, so the generic loop is specialised and inlined).</summary>
    private interface ILayout<T>
    {
        static abstract int Bytes { get; }

        static abstract void Write(in T item, Span<byte> d);
    }

    private readonly struct EventLayout : ILayout<HandlerEvent>
    {
        public static int Bytes => EventBytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write(in HandlerEvent e, Span<byte> d) => WriteEvent(in e, d);
    }

    private readonly struct InputLayout : ILayout<RecordedInput>
    {
        public static int Bytes => InputBytes;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Write(in RecordedInput input, Span<byte> d) => WriteInput(in input, d);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteEvent(in HandlerEvent e, Span<byte> d)
    {
        BinaryPrimitives.WriteInt64LittleEndian(d, e.TimeNs);
        d[8] = (byte)e.Kind;
        BinaryPrimitives.WriteInt16LittleEndian(d[9..], e.Cpu);
        BinaryPrimitives.WriteInt16LittleEndian(d[11..], e.Bank);
        BinaryPrimitives.WriteInt16LittleEndian(d[13..], e.Domain);
        BinaryPrimitives.WriteInt16LittleEndian(d[15..], e.Vcpu);
        BinaryPrimitives.WriteUInt64LittleEndian(d[17..], e.Status);
        BinaryPrimitives.WriteUInt64LittleEndian(d[25..], e.Addr);
        BinaryPrimitives.WriteUInt64LittleEndian(d[33..], e.Misc);
        BinaryPrimitives.WriteInt64LittleEndian(d[41..], e.Arg);
        BinaryPrimitives.WriteInt64LittleEndian(d[49..], e.Arg2);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void WriteInput(in RecordedInput input, Span<byte> d)
    {
        var e = input.Error;
        BinaryPrimitives.WriteInt64LittleEndian(d, e.TimeNs);
        BinaryPrimitives.WriteInt32LittleEndian(d[8..], e.Cpu);
        BinaryPrimitives.WriteInt32LittleEndian(d[12..], e.BankIndex);
        BinaryPrimitives.WriteUInt64LittleEndian(d[16..], e.Status);
        BinaryPrimitives.WriteUInt64LittleEndian(d[24..], e.Addr);
        BinaryPrimitives.WriteUInt64LittleEndian(d[32..], e.Misc);
        BinaryPrimitives.WriteUInt64LittleEndian(d[40..], e.McgStatus);
        d[48] = (byte)e.Signal;
        d[49] = e.AutoSignal ? (byte)1 : (byte)0;
        d[50] = e.Interposed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(d[51..], e.Count);
        d[59] = (byte)e.Context;
        d[60] = e.InGuest ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt16LittleEndian(d[61..], e.RunningDomain);
        BinaryPrimitives.WriteInt16LittleEndian(d[63..], e.RunningVcpu);
    }
}
