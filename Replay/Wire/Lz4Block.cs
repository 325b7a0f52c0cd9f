using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using K4os.Compression.LZ4;
using MessagePack;

namespace Mca.Replay.Wire;

/// <summary>
/// Writes a record payload the way MessagePack-CSharp's <c>MessagePackCompression.Lz4Block</c> does
/// (docs/replay-format.md "Records"): under 64 bytes the MessagePack value as it is, otherwise extension
/// 99 holding the uncompressed length (<c>D2</c> + int32, big-endian) and one LZ4 block; and reads one back,
/// decompressing with K4os.Compression.LZ4 (<see cref="ReadPayload"/>).
/// </summary>
/// <remarks>
/// Recording compresses every frame straight from the frame encoder's buffer into the record: no
/// MessagePack sequence, no copy of the uncompressed frame, and one method to compile instead of the
/// serializer's compression path (about a hundred methods, compiled while the campaign runs).
/// The compressor is LZ4's greedy single-pass one (the LZ4 block format: tokens, literals, 16-bit offsets,
/// the last 5 bytes literals, no match starting in the last 12): a 4,096-entry table of 5-byte sequences,
/// skipping ahead faster the longer no match is found. Its output depends on the input alone. It stays
/// hand-written although K4os's fast level is no slower (Bench: <c>Lz4Benchmarks</c>): K4os's blocks differ
/// (it hashes 4-byte sequences on inputs under 64 KiB), and a replay's bytes must not change with a library's
/// version. Decoding an LZ4 block is canonical (a valid block has one output), so reading goes through K4os.
/// </remarks>
internal static class Lz4Block
{
    /// <summary>Values shorter than this are stored uncompressed (as MessagePack-CSharp does).</summary>
    public const int CompressLengthMin = 64;

    /// <summary>The MessagePack extension type of an LZ4 block (MessagePack-CSharp's <c>Lz4Block</c>).</summary>
    public const sbyte ExtensionType = 99;

    private const int HashLog = 12;
    private const int MatchMin = 4;
    private const int LastLiterals = 5;
    private const int MatchStartLimit = 12;
    private const int OffsetMax = 65535;
    private const int SkipTrigger = 6;

    /// <summary>Largest payload <see cref="WritePayload"/> writes for <paramref name="length"/> bytes of MessagePack.</summary>
    public static int PayloadLengthMax(int length) => 6 + 5 + BlockLengthMax(length);

    /// <summary>Largest LZ4 block for <paramref name="length"/> input bytes (all literals).</summary>
    public static int BlockLengthMax(int length) => length + (length / 255) + 16;

    /// <summary>Writes <paramref name="value"/> (one MessagePack value) as a payload into <paramref name="destination"/>; returns its length.</summary>
    public static int WritePayload(ReadOnlySpan<byte> value, Span<byte> destination)
    {
        if (value.Length < CompressLengthMin)
        {
            value.CopyTo(destination);
            return value.Length;
        }

        // The block goes after the header its largest size would need; in the rare case that it came out short
        // enough for a narrower header (ext 16 to ext 8, say), it is moved down to meet it.
        int guess = PackCursor.ExtensionHeaderLength(5 + (uint)BlockLengthMax(value.Length));
        int block = Compress(value, destination[(guess + 5)..]);
        uint extLength = 5 + (uint)block;
        int header = PackCursor.ExtensionHeaderLength(extLength);
        if (header != guess)
        {
            destination.Slice(guess + 5, block).CopyTo(destination[(header + 5)..]);
        }

        var o = new PackCursor(destination);
        o.ExtensionHeader(ExtensionType, extLength);
        o.Int32Fixed(value.Length);
        return o.Position + block;
    }

    /// <summary>
    /// The MessagePack value of a record payload <paramref name="payload"/>: the payload itself when it is plain; when
    /// it is an LZ4 block (ext 99), the block decompressed into a buffer rented from <see cref="ArrayPool{T}.Shared"/>,
    /// returned in <paramref name="rented"/> for the caller to give back. The payload is untrusted: the extension must
    /// fill it, declare no more than LZ4 can expand to (255 bytes per byte, so damage never makes the reader allocate
    /// beyond that) nor than <see cref="ReplayFormat.PayloadBytesMax"/>, and decompress to exactly what it declares;
    /// any fault is a <see cref="WireException"/>.
    /// </summary>
    public static ReadOnlyMemory<byte> ReadPayload(byte[] payload, out byte[]? rented)
    {
        rented = null;
        var reader = new MessagePackReader(payload);
        if (reader.End || reader.NextMessagePackType != MessagePackType.Extension)
        {
            return payload;
        }

        var inv = CultureInfo.InvariantCulture;
        ExtensionHeader ext;
        try
        {
            ext = reader.ReadExtensionFormatHeader();
        }
        catch (EndOfStreamException)
        {
            throw new WireException("an LZ4 block (ext 99) that fills its record", "an extension longer than the record");
        }

        if (ext.TypeCode != ExtensionType)
        {
            throw new WireException("plain MessagePack or an LZ4 block (ext 99)", string.Create(inv, $"ext {ext.TypeCode}"));
        }

        long left = payload.Length - reader.Consumed;
        if (ext.Length != left)
        {
            throw new WireException(string.Create(inv, $"an LZ4 block (ext 99) that fills its record ({left} bytes after its header)"), string.Create(inv, $"{ext.Length} bytes"));
        }

        long declared = WireReader.ReadInt64(ref reader, "the LZ4 block's decompressed length");
        long limit = Math.Min(ReplayFormat.PayloadBytesMax, (255L * payload.Length) + 64);
        if (declared < 0 || declared > limit)
        {
            throw new WireException(string.Create(inv, $"an LZ4 block that decompresses to at most {limit} bytes (255 per compressed byte)"), string.Create(inv, $"{declared} bytes"));
        }

        int length = (int)declared;
        rented = ArrayPool<byte>.Shared.Rent(length);
        int decoded = Decompress(payload.AsSpan((int)reader.Consumed), rented.AsSpan(0, length));
        if (decoded != length)
        {
            throw new WireException(string.Create(inv, $"an LZ4 block that decompresses to the {length} bytes it declares"), decoded < 0 ? "a malformed block" : string.Create(inv, $"{decoded} bytes"));
        }

        return rented.AsMemory(0, length);
    }

    /// <summary>
    /// Decompresses one LZ4 block into <paramref name="destination"/>; returns the bytes written, negative for a
    /// malformed block. K4os refuses an empty destination outright, so the empty block (one zero token, as LZ4's
    /// reference decoder has it) is taken here.
    /// </summary>
    public static int Decompress(ReadOnlySpan<byte> block, Span<byte> destination) =>
        destination.IsEmpty ? (block is [0] ? 0 : -1) : LZ4Codec.Decode(block, destination);

    /// <summary>Compresses <paramref name="source"/> into one LZ4 block; <paramref name="destination"/> holds at least <see cref="BlockLengthMax"/> bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit]
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        int n = source.Length;
        if (destination.Length < BlockLengthMax(n))
        {
            throw new ArgumentException("the destination is shorter than the largest block", nameof(destination));
        }

        ref byte src = ref MemoryMarshal.GetReference(source);
        ref byte dst = ref MemoryMarshal.GetReference(destination);
        int op = 0;
        int anchor = 0;
        if (n >= MatchStartLimit + 1)
        {
            Span<int> table = stackalloc int[1 << HashLog];
            table.Clear();
            ref int t = ref MemoryMarshal.GetReference(table);
            int matchStartLimit = n - MatchStartLimit;
            int matchEndLimit = n - LastLiterals;
            int ip = 1;
            Unsafe.Add(ref t, Hash5(Read64(ref src, 0))) = 0;
            while (true)
            {
                // Find a match: a 4-byte sequence seen within the last 64 KiB (the table keeps the latest place of each hash).
                int match;
                int attempts = 1 << SkipTrigger;
                while (true)
                {
                    if (ip > matchStartLimit)
                    {
                        goto LastLiteralRun;
                    }

                    ulong sequence64 = Read64(ref src, ip);
                    uint sequence = (uint)sequence64;
                    ref int slot = ref Unsafe.Add(ref t, Hash5(sequence64));
                    match = slot;
                    slot = ip;
                    if (ip - match <= OffsetMax && Read32(ref src, match) == sequence)
                    {
                        break;
                    }

                    ip += attempts++ >> SkipTrigger;
                }

                // Extend it backwards over the pending literals, then forwards up to the last literals.
                while (ip > anchor && match > 0 && Unsafe.Add(ref src, ip - 1) == Unsafe.Add(ref src, match - 1))
                {
                    ip--;
                    match--;
                }

                int length = MatchMin;
                while (ip + length + 8 <= matchEndLimit)
                {
                    ulong diff = Read64(ref src, ip + length) ^ Read64(ref src, match + length);
                    if (diff != 0)
                    {
                        length += BitOperations.TrailingZeroCount(diff) >> 3;
                        goto Extended;
                    }

                    length += 8;
                }

                while (ip + length < matchEndLimit && Unsafe.Add(ref src, ip + length) == Unsafe.Add(ref src, match + length))
                {
                    length++;
                }

            Extended:
                int literals = ip - anchor;
                int token = op++;
                op = WriteLiterals(ref dst, ref token, op, ref Unsafe.Add(ref src, anchor), literals, shortCopy: true);
                BinaryPrimitives.WriteUInt16LittleEndian(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref dst, op), 2), (ushort)(ip - match));
                op += 2;
                int extra = length - MatchMin;
                if (extra >= 15)
                {
                    Unsafe.Add(ref dst, token) |= 15;
                    op = WriteLength(ref dst, op, extra - 15);
                }
                else
                {
                    Unsafe.Add(ref dst, token) |= (byte)extra;
                }

                ip += length;
                anchor = ip;
                if (ip > matchStartLimit)
                {
                    break;
                }

                // As LZ4 does: remember a place inside the match, so that the next search may find it.
                Unsafe.Add(ref t, Hash5(Read64(ref src, ip - 2))) = ip - 2;
            }
        }

    LastLiteralRun:
        int last = op++;
        int rest = n - anchor;
        return WriteLiterals(ref dst, ref last, op, ref Unsafe.Add(ref src, anchor), rest, shortCopy: false);
    }

    /// <summary>
    /// Sets the literal count in the token at <paramref name="token"/> (its high nibble), writes any length bytes and
    /// the literals. With <paramref name="shortCopy"/> (literals before a match, so at least 12 source bytes follow
    /// them and the output has as many to spare) a run of up to 8 is copied as one 8-byte word.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteLiterals(ref byte dst, ref int token, int op, ref byte literals, int count, bool shortCopy)
    {
        if (count >= 15)
        {
            Unsafe.Add(ref dst, token) = 15 << 4;
            op = WriteLength(ref dst, op, count - 15);
        }
        else
        {
            Unsafe.Add(ref dst, token) = (byte)(count << 4);
        }

        if (shortCopy && count <= 8)
        {
            Unsafe.WriteUnaligned(ref Unsafe.Add(ref dst, op), Unsafe.ReadUnaligned<ulong>(ref literals));
        }
        else
        {
            Unsafe.CopyBlockUnaligned(ref Unsafe.Add(ref dst, op), ref literals, (uint)count);
        }

        return op + count;
    }

    /// <summary>An LZ4 length continuation: 255 for every full 255, then the remainder.</summary>
    private static int WriteLength(ref byte dst, int op, int value)
    {
        while (value >= 255)
        {
            Unsafe.Add(ref dst, op++) = 255;
            value -= 255;
        }

        Unsafe.Add(ref dst, op++) = (byte)value;
        return op;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Hash5(ulong sequence) => (int)(((sequence << 24) * 889523592379UL) >> (64 - HashLog));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Read32(ref byte src, int at) => Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref src, at));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Read64(ref byte src, int at) => Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref src, at));
}
