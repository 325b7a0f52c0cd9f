using System.Buffers.Binary;
using System.Runtime.CompilerServices;
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
    public void Encode(FrameGrouper frame, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs)
    {
        _length = 0;
        Reserve(32);
        WriteArrayHeader(FrameFormatter.FrameFields);
        WriteInt(frame.Epoch);
        WriteInt(frame.Batch);
        WriteArrayHeader(frame.MachineCount);
        for (int m = 0; m < frame.Span; m++)
        {
            if (!frame.Has(m))
            {
                continue;
            }

            Reserve(32);
            WriteArrayHeader(FrameFormatter.SectionFields);
            WriteInt(frame.FirstMachineId + m);
            int inputCount = frame.InputCount(m);
            WriteArrayHeader(inputCount);
            long previous = 0;
            var lastInput = default(Repeats);
            for (int k = 0; k < inputCount; k++)
            {
                var e = inputs[frame.InputAt(m, k)].Error;
                WriteInput(in e, unchecked(e.TimeNs - previous), ref lastInput);
                previous = e.TimeNs;
            }

            int eventCount = frame.EventCount(m);
            Reserve(8);
            WriteArrayHeader(eventCount);

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
                    repeat = Repeats.Of(inputs[frame.InputAt(m, arrivals++)].Error);
                }

                WriteEvent(in e, unchecked(e.TimeNs - previous), in repeat);
                last.Update(e.Status, e.Addr, e.Misc, 0);
                previous = e.TimeNs;
            }

            Reserve(16);
            if (frame.Hash(m) is ulong hash)
            {
                WriteUInt(hash);
            }
            else
            {
                WriteNil();
            }
        }
    }

    private void WriteEvent(in HandlerEvent e, long deltaNs, in Repeats repeat)
    {
        Reserve(MaxItemBytes);
        // Fields after the last one that differs from its default are left out.
        int fields = e.Arg2 != 0 ? 11 : e.Arg != 0 ? 10 : e.Misc != 0 ? 9 : e.Addr != 0 ? 8 : e.Status != 0 ? 7 :
            e.Vcpu != -1 ? 6 : e.Domain != -1 ? 5 : e.Bank != -1 ? 4 : e.Cpu != -1 ? 3 : 2;
        WriteArrayHeader(fields);
        WriteInt(deltaNs);
        WriteInt((byte)e.Kind);
        if (fields > 2)
        {
            WriteInt(e.Cpu);
        }

        if (fields > 3)
        {
            WriteInt(e.Bank);
        }

        if (fields > 4)
        {
            WriteInt(e.Domain);
        }

        if (fields > 5)
        {
            WriteInt(e.Vcpu);
        }

        if (fields > 6)
        {
            WriteRepeatable(e.Status, repeat.Status);
        }

        if (fields > 7)
        {
            WriteRepeatable(e.Addr, repeat.Addr);
        }

        if (fields > 8)
        {
            WriteRepeatable(e.Misc, repeat.Misc);
        }

        if (fields > 9)
        {
            WriteInt(e.Arg);
        }

        if (fields > 10)
        {
            WriteInt(e.Arg2);
        }
    }

    private void WriteInput(in ErrorInjection e, long deltaNs, ref Repeats last)
    {
        Reserve(MaxItemBytes);
        // Fields after the last one that differs from its default (zero, false) are left out.
        int fields = e.RunningVcpu != 0 ? 15 : e.RunningDomain != 0 ? 14 : e.InGuest ? 13 : e.Context != 0 ? 12 : e.Count != 0 ? 11 :
            e.Interposed ? 10 : e.AutoSignal ? 9 : e.Signal != 0 ? 8 : e.McgStatus != 0 ? 7 : e.Misc != 0 ? 6 : e.Addr != 0 ? 5 :
            e.Status != 0 ? 4 : e.BankIndex != 0 ? 3 : e.Cpu != 0 ? 2 : 1;
        WriteArrayHeader(fields);
        WriteInt(deltaNs);
        if (fields > 1)
        {
            WriteInt(e.Cpu);
        }

        if (fields > 2)
        {
            WriteInt(e.BankIndex);
        }

        if (fields > 3)
        {
            WriteRepeatable(e.Status, last.Status);
        }

        if (fields > 4)
        {
            WriteRepeatable(e.Addr, last.Addr);
        }

        if (fields > 5)
        {
            WriteRepeatable(e.Misc, last.Misc);
        }

        if (fields > 6)
        {
            WriteRepeatable(e.McgStatus, last.McgStatus);
        }

        if (fields > 7)
        {
            WriteInt((byte)e.Signal);
        }

        if (fields > 8)
        {
            WriteBool(e.AutoSignal);
        }

        if (fields > 9)
        {
            WriteBool(e.Interposed);
        }

        if (fields > 10)
        {
            WriteInt(e.Count);
        }

        if (fields > 11)
        {
            WriteInt((byte)e.Context);
        }

        if (fields > 12)
        {
            WriteBool(e.InGuest);
        }

        if (fields > 13)
        {
            WriteInt(e.RunningDomain);
        }

        if (fields > 14)
        {
            WriteInt(e.RunningVcpu);
        }

        last.Update(e.Status, e.Addr, e.Misc, e.McgStatus);
    }

    /// <summary>Nil when a non-zero value repeats <paramref name="repeat"/>; the value otherwise.</summary>
    private void WriteRepeatable(ulong value, ulong repeat)
    {
        if (value != 0 && value == repeat)
        {
            WriteNil();
        }
        else
        {
            WriteUInt(value);
        }
    }

    /// <summary>What nil stands for in a status, addr, misc or mcg_status field: the section's last non-zero values.</summary>
    internal struct Repeats
    {
        public ulong Status;
        public ulong Addr;
        public ulong Misc;
        public ulong McgStatus;

        public static Repeats Of(in ErrorInjection e) => new() { Status = e.Status, Addr = e.Addr, Misc = e.Misc, McgStatus = e.McgStatus };

        /// <summary>Keeps each non-zero value as the field's last one.</summary>
        public void Update(ulong status, ulong addr, ulong misc, ulong mcgStatus)
        {
            Status = status != 0 ? status : Status;
            Addr = addr != 0 ? addr : Addr;
            Misc = misc != 0 ? misc : Misc;
            McgStatus = mcgStatus != 0 ? mcgStatus : McgStatus;
        }
    }

    private void Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }

    private void WriteNil() => _buffer[_length++] = 0xC0;

    private void WriteBool(bool value) => _buffer[_length++] = value ? (byte)0xC3 : (byte)0xC2;

    private void WriteArrayHeader(int count)
    {
        if (count < 16)
        {
            _buffer[_length++] = (byte)(0x90 | count);
        }
        else if (count <= ushort.MaxValue)
        {
            Reserve(3);
            _buffer[_length] = 0xDC;
            BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(_length + 1), (ushort)count);
            _length += 3;
        }
        else
        {
            Reserve(5);
            _buffer[_length] = 0xDD;
            BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(_length + 1), (uint)count);
            _length += 5;
        }
    }

    /// <summary>A signed integer in its shortest MessagePack form (the forms MessagePack-CSharp's writer picks).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteInt(long value)
    {
        if (value >= 0)
        {
            WriteUInt((ulong)value);
        }
        else if (value >= -32)
        {
            _buffer[_length++] = unchecked((byte)value);
        }
        else
        {
            WriteNegative(value);
        }
    }

    private void WriteNegative(long value)
    {
        var span = _buffer.AsSpan(_length);
        if (value >= sbyte.MinValue)
        {
            span[0] = 0xD0;
            span[1] = unchecked((byte)value);
            _length += 2;
        }
        else if (value >= short.MinValue)
        {
            span[0] = 0xD1;
            BinaryPrimitives.WriteInt16BigEndian(span[1..], (short)value);
            _length += 3;
        }
        else if (value >= int.MinValue)
        {
            span[0] = 0xD2;
            BinaryPrimitives.WriteInt32BigEndian(span[1..], (int)value);
            _length += 5;
        }
        else
        {
            span[0] = 0xD3;
            BinaryPrimitives.WriteInt64BigEndian(span[1..], value);
            _length += 9;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteUInt(ulong value)
    {
        if (value < 128)
        {
            _buffer[_length++] = (byte)value;
        }
        else
        {
            WriteWideUInt(value);
        }
    }

    private void WriteWideUInt(ulong value)
    {
        var span = _buffer.AsSpan(_length);
        if (value <= byte.MaxValue)
        {
            span[0] = 0xCC;
            span[1] = (byte)value;
            _length += 2;
        }
        else if (value <= ushort.MaxValue)
        {
            span[0] = 0xCD;
            BinaryPrimitives.WriteUInt16BigEndian(span[1..], (ushort)value);
            _length += 3;
        }
        else if (value <= uint.MaxValue)
        {
            span[0] = 0xCE;
            BinaryPrimitives.WriteUInt32BigEndian(span[1..], (uint)value);
            _length += 5;
        }
        else
        {
            span[0] = 0xCF;
            BinaryPrimitives.WriteUInt64BigEndian(span[1..], value);
            _length += 9;
        }
    }
}
