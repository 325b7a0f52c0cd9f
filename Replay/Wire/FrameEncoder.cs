using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay.Wire;

/// <summary>
/// Encodes a frame as MessagePack by hand into a reused buffer (the hot path of recording: a few
/// nanoseconds per field, no per-call bounds checks beyond one reserve per item). The layout is the one
/// <see cref="FrameFormatter"/> reads (docs/replay-format.md "Frame"): integers in their shortest form,
/// trailing fields at their defaults left out, a status, addr, misc or mcg_status written as nil when it repeats
/// the field's last non-zero value among the section's inputs (for inputs) or events (for events; the j-th
/// ErrorArrived repeats the j-th input instead), and the first event's time relative to the first input.
/// </summary>
internal sealed class FrameEncoder
{
    /// <summary>Largest encoding of one event or input: an array header and 15 values of at most 9 bytes.</summary>
    private const int MaxItemBytes = 1 + (15 * 9);

    private byte[] _buffer = new byte[1 << 16];
    private int _length;

    /// <summary>The encoded frame (valid until the next <see cref="Encode"/>).</summary>
    public ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    /// <summary>Encodes <paramref name="frame"/>, grouped from <paramref name="events"/> and <paramref name="inputs"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Encode(FrameGrouper frame, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs)
    {
        _length = 0;
        Reserve(32);
        var o = new PackCursor(_buffer, 0);
        o.ArrayHeader(FrameFormatter.FrameFields);
        o.Int(frame.Epoch);
        o.Int(frame.Batch);
        o.ArrayHeader(frame.MachineCount);
        _length = o.Position;
        for (int m = 0; m < frame.Span; m++)
        {
            if (!frame.Has(m))
            {
                continue;
            }

            int inputCount = frame.InputCount(m);
            int eventCount = frame.EventCount(m);
            Reserve(32);
            o = new PackCursor(_buffer, _length);
            o.ArrayHeader(FrameFormatter.SectionFields);
            o.Int(frame.FirstMachineId + m);
            o.ArrayHeader(inputCount);
            _length = o.Position;
            long previous = 0;
            var lastInput = default(Repeats);
            for (int k = 0; k < inputCount; k++)
            {
                ref readonly var e = ref inputs[frame.InputAt(m, k)];
                WriteInput(in e, unchecked(e.Error.TimeNs - previous), ref lastInput);
                previous = e.Error.TimeNs;
            }

            Reserve(8);
            o = new PackCursor(_buffer, _length);
            o.ArrayHeader(eventCount);
            _length = o.Position;

            // The first event's time is relative to the section's first input (an arrival is usually at its input's instant).
            previous = inputCount > 0 ? inputs[frame.InputAt(m, 0)].Error.TimeNs : 0;
            var last = default(Repeats);
            int arrivals = 0;
            for (int k = 0; k < eventCount; k++)
            {
                ref readonly var e = ref events[frame.EventAt(m, k)];

                // The j-th arrival repeats the j-th input's values; other events the section's last non-zero ones.
                var repeat = last;
                if (e.Kind == HandlerEventKind.ErrorArrived && arrivals < inputCount)
                {
                    repeat = Repeats.Of(in inputs[frame.InputAt(m, arrivals++)]);
                }

                WriteEvent(in e, unchecked(e.TimeNs - previous), in repeat);
                last.Update(e.Status, e.Addr, e.Misc, 0);
                previous = e.TimeNs;
            }

            Reserve(16);
            o = new PackCursor(_buffer, _length);
            if (frame.Hash(m) is ulong hash)
            {
                o.UInt(hash);
            }
            else
            {
                o.Nil();
            }

            _length = o.Position;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteEvent(in HandlerEvent e, long deltaNs, in Repeats repeat)
    {
        Reserve(MaxItemBytes);
        var o = new PackCursor(_buffer, _length);
        // Fields after the last one that differs from its default are left out.
        int fields = e.Arg2 != 0 ? 11 : e.Arg != 0 ? 10 : e.Misc != 0 ? 9 : e.Addr != 0 ? 8 : e.Status != 0 ? 7 :
            e.Vcpu != -1 ? 6 : e.Domain != -1 ? 5 : e.Bank != -1 ? 4 : e.Cpu != -1 ? 3 : 2;
        o.FixArrayHeader(fields);
        o.Int(deltaNs);
        o.Int((byte)e.Kind);
        if (fields > 2)
        {
            o.Int(e.Cpu);
        }

        if (fields > 3)
        {
            o.Int(e.Bank);
        }

        if (fields > 4)
        {
            o.Int(e.Domain);
        }

        if (fields > 5)
        {
            o.Int(e.Vcpu);
        }

        if (fields > 6)
        {
            o.Repeatable(e.Status, repeat.Status);
        }

        if (fields > 7)
        {
            o.Repeatable(e.Addr, repeat.Addr);
        }

        if (fields > 8)
        {
            o.Repeatable(e.Misc, repeat.Misc);
        }

        if (fields > 9)
        {
            o.Int(e.Arg);
        }

        if (fields > 10)
        {
            o.Int(e.Arg2);
        }

        _length = o.Position;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteInput(in RecordedInput input, long deltaNs, ref Repeats last)
    {
        Reserve(MaxItemBytes);
        var o = new PackCursor(_buffer, _length);
        var e = input.Error;
        // Fields after the last one that differs from its default (zero, false) are left out.
        int fields = e.RunningVcpu != 0 ? 15 : e.RunningDomain != 0 ? 14 : e.InGuest ? 13 : e.Context != 0 ? 12 : e.Count != 0 ? 11 :
            e.Interposed ? 10 : e.AutoSignal ? 9 : e.Signal != 0 ? 8 : e.McgStatus != 0 ? 7 : e.Misc != 0 ? 6 : e.Addr != 0 ? 5 :
            e.Status != 0 ? 4 : e.BankIndex != 0 ? 3 : e.Cpu != 0 ? 2 : 1;
        o.FixArrayHeader(fields);
        o.Int(deltaNs);
        if (fields > 1)
        {
            o.Int(e.Cpu);
        }

        if (fields > 2)
        {
            o.Int(e.BankIndex);
        }

        if (fields > 3)
        {
            o.Repeatable(e.Status, last.Status);
        }

        if (fields > 4)
        {
            o.Repeatable(e.Addr, last.Addr);
        }

        if (fields > 5)
        {
            o.Repeatable(e.Misc, last.Misc);
        }

        if (fields > 6)
        {
            o.Repeatable(e.McgStatus, last.McgStatus);
        }

        if (fields > 7)
        {
            o.Int((byte)e.Signal);
        }

        if (fields > 8)
        {
            o.Bool(e.AutoSignal);
        }

        if (fields > 9)
        {
            o.Bool(e.Interposed);
        }

        if (fields > 10)
        {
            o.Int(e.Count);
        }

        if (fields > 11)
        {
            o.Int((byte)e.Context);
        }

        if (fields > 12)
        {
            o.Bool(e.InGuest);
        }

        if (fields > 13)
        {
            o.Int(e.RunningDomain);
        }

        if (fields > 14)
        {
            o.Int(e.RunningVcpu);
        }

        _length = o.Position;
        last.Update(e.Status, e.Addr, e.Misc, e.McgStatus);
    }

    /// <summary>What nil stands for in a status, addr, misc or mcg_status field: the section's last non-zero values.</summary>
    internal struct Repeats
    {
        public ulong Status;
        public ulong Addr;
        public ulong Misc;
        public ulong McgStatus;

        public static Repeats Of(in ErrorInjection e) => new() { Status = e.Status, Addr = e.Addr, Misc = e.Misc, McgStatus = e.McgStatus };

        public static Repeats Of(in RecordedInput input) => Of(input.Error);

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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Grow(bytes);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int bytes) => Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
}

/// <summary>
/// Writes MessagePack into a byte array without bounds checks: every use is preceded by a check that the
/// array holds at least as many more bytes as it writes (<see cref="FrameEncoder"/> reserves room per item).
/// Integers take their shortest forms, the ones MessagePack-CSharp's writer picks.
/// </summary>
internal ref struct PackCursor
{
    private readonly ref byte _start;

    public PackCursor(byte[] buffer, int position)
    {
        _start = ref MemoryMarshal.GetArrayDataReference(buffer);
        Position = position;
    }

    public int Position { get; private set; }

    public void Nil() => Put(0xC0);

    public void Bool(bool value) => Put(value ? (byte)0xC3 : (byte)0xC2);

    /// <summary>An array header of fewer than 16 items.</summary>
    public void FixArrayHeader(int count) => Put((byte)(0x90 | count));

    public void ArrayHeader(int count)
    {
        if (count < 16)
        {
            Put((byte)(0x90 | count));
        }
        else if (count <= ushort.MaxValue)
        {
            Put(0xDC);
            Put16((ushort)count);
        }
        else
        {
            Put(0xDD);
            Put32((uint)count);
        }
    }

    /// <summary>Nil when a non-zero value repeats <paramref name="repeat"/>; the value otherwise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Repeatable(ulong value, ulong repeat)
    {
        if (value != 0 && value == repeat)
        {
            Nil();
        }
        else
        {
            UInt(value);
        }
    }

    /// <summary>A signed integer in its shortest MessagePack form (the forms MessagePack-CSharp's writer picks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Int(long value)
    {
        if (value >= 0)
        {
            UInt((ulong)value);
        }
        else if (value >= -32)
        {
            Put(unchecked((byte)value));
        }
        else
        {
            Negative(value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void UInt(ulong value)
    {
        if (value < 128)
        {
            Put((byte)value);
        }
        else
        {
            WideUInt(value);
        }
    }

    private void Negative(long value)
    {
        if (value >= sbyte.MinValue)
        {
            Put(0xD0);
            Put(unchecked((byte)value));
        }
        else if (value >= short.MinValue)
        {
            Put(0xD1);
            Put16(unchecked((ushort)value));
        }
        else if (value >= int.MinValue)
        {
            Put(0xD2);
            Put32(unchecked((uint)value));
        }
        else
        {
            Put(0xD3);
            Put64(unchecked((ulong)value));
        }
    }

    private void WideUInt(ulong value)
    {
        if (value <= byte.MaxValue)
        {
            Put(0xCC);
            Put((byte)value);
        }
        else if (value <= ushort.MaxValue)
        {
            Put(0xCD);
            Put16((ushort)value);
        }
        else if (value <= uint.MaxValue)
        {
            Put(0xCE);
            Put32((uint)value);
        }
        else
        {
            Put(0xCF);
            Put64(value);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put(byte value) => Unsafe.Add(ref _start, Position++) = value;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put16(ushort value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref _start, Position), BinaryPrimitives.ReverseEndianness(value));
        Position += 2;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put32(uint value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref _start, Position), BinaryPrimitives.ReverseEndianness(value));
        Position += 4;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Put64(ulong value)
    {
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref _start, Position), BinaryPrimitives.ReverseEndianness(value));
        Position += 8;
    }
}
