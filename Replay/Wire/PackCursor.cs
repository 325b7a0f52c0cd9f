using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Mca.Replay.Wire;

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

    /// <summary>A cursor at the start of <paramref name="buffer"/> (which must hold what is written).</summary>
    public PackCursor(Span<byte> buffer)
    {
        _start = ref MemoryMarshal.GetReference(buffer);
    }

    public int Position { get; private set; }

    public void Nil() => Put(0xC0);

    /// <summary>Whether <paramref name="value"/> is a one-byte MessagePack integer (positive or negative fixint: -32..127).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsFixInt(int value) => (uint)(value + 32) < 160;

    /// <summary>
    /// The first <paramref name="count"/> (1 to 4) of four fixints (each <see cref="IsFixInt"/>, as its low byte). Writes
    /// all four bytes: the caller's reserve must cover them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void FixInts(byte a, byte b, byte c, byte d, int count)
    {
        uint bytes = (uint)(a | (b << 8) | (c << 16) | (d << 24));
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref _start, Position), BitConverter.IsLittleEndian ? bytes : BinaryPrimitives.ReverseEndianness(bytes));
        Position += count;
    }

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

    /// <summary>Bytes of the array header <see cref="ArrayHeader"/> writes for <paramref name="count"/> items.</summary>
    public static int ArrayHeaderLength(int count) => count < 16 ? 1 : count <= ushort.MaxValue ? 3 : 5;

    /// <summary>Bytes of the extension header MessagePack-CSharp's writer picks for <paramref name="length"/> data bytes (fixext 1/2/4/8/16, ext 8/16/32).</summary>
    public static int ExtensionHeaderLength(uint length) => length switch
    {
        1 or 2 or 4 or 8 or 16 => 2,
        <= byte.MaxValue => 3,
        <= ushort.MaxValue => 4,
        _ => 6,
    };

    /// <summary>An extension header of type <paramref name="type"/> for <paramref name="length"/> data bytes, in the form <see cref="ExtensionHeaderLength"/> gives.</summary>
    public void ExtensionHeader(sbyte type, uint length)
    {
        switch (length)
        {
            case 1 or 2 or 4 or 8 or 16:
                Put(length switch { 1 => 0xD4, 2 => 0xD5, 4 => 0xD6, 8 => 0xD7, _ => 0xD8 });
                break;
            case <= byte.MaxValue:
                Put(0xC7);
                Put((byte)length);
                break;
            case <= ushort.MaxValue:
                Put(0xC8);
                Put16((ushort)length);
                break;
            default:
                Put(0xC9);
                Put32(length);
                break;
        }

        Put(unchecked((byte)type));
    }

    /// <summary>
    /// A string as UTF-8, in the form MessagePack-CSharp's writer picks (fixstr, str8, str16, str32). The caller's reserve
    /// must cover 5 bytes and the UTF-8 bytes.
    /// </summary>
    public void String(string value)
    {
        int length = Encoding.UTF8.GetByteCount(value);
        if (length < 32)
        {
            Put((byte)(0xA0 | length));
        }
        else if (length <= byte.MaxValue)
        {
            Put(0xD9);
            Put((byte)length);
        }
        else if (length <= ushort.MaxValue)
        {
            Put(0xDA);
            Put16((ushort)length);
        }
        else
        {
            Put(0xDB);
            Put32((uint)length);
        }

        Position += Encoding.UTF8.GetBytes(value, MemoryMarshal.CreateSpan(ref Unsafe.Add(ref _start, Position), length));
    }

    /// <summary>A signed 32-bit integer in its fixed 5-byte form (<c>D2</c>), whatever its value.</summary>
    public void Int32Fixed(int value)
    {
        Put(0xD2);
        Put32(unchecked((uint)value));
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

    // The wide forms are written by static methods that take and return the position, so that no cursor is
    // passed by reference: a cursor whose address is taken lives in memory, and every byte written would
    // load and store its position; as it is, the JIT keeps it in registers.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Negative(long value) => Position = NegativeAt(ref _start, Position, value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WideUInt(ulong value) => Position = WideUIntAt(ref _start, Position, value);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int NegativeAt(ref byte start, int at, long value)
    {
        if (value >= sbyte.MinValue)
        {
            Unsafe.Add(ref start, at) = 0xD0;
            Unsafe.Add(ref start, at + 1) = unchecked((byte)value);
            return at + 2;
        }

        if (value >= short.MinValue)
        {
            Unsafe.Add(ref start, at) = 0xD1;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, at + 1), BinaryPrimitives.ReverseEndianness(unchecked((ushort)value)));
            return at + 3;
        }

        if (value >= int.MinValue)
        {
            Unsafe.Add(ref start, at) = 0xD2;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, at + 1), BinaryPrimitives.ReverseEndianness(unchecked((uint)value)));
            return at + 5;
        }

        Unsafe.Add(ref start, at) = 0xD3;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, at + 1), BinaryPrimitives.ReverseEndianness(unchecked((ulong)value)));
        return at + 9;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int WideUIntAt(ref byte start, int at, ulong value)
    {
        if (value <= byte.MaxValue)
        {
            Unsafe.Add(ref start, at) = 0xCC;
            Unsafe.Add(ref start, at + 1) = (byte)value;
            return at + 2;
        }

        if (value <= ushort.MaxValue)
        {
            Unsafe.Add(ref start, at) = 0xCD;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, at + 1), BinaryPrimitives.ReverseEndianness((ushort)value));
            return at + 3;
        }

        if (value <= uint.MaxValue)
        {
            Unsafe.Add(ref start, at) = 0xCE;
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, at + 1), BinaryPrimitives.ReverseEndianness((uint)value));
            return at + 5;
        }

        Unsafe.Add(ref start, at) = 0xCF;
        Unsafe.WriteUnaligned(ref Unsafe.Add(ref start, at + 1), BinaryPrimitives.ReverseEndianness(value));
        return at + 9;
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
}
