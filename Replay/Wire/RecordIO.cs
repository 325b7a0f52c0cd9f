using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using MessagePack;
using Microsoft.Win32.SafeHandles;

namespace Mca.Replay.Wire;

/// <summary>
/// Records on disk (docs/replay-format.md "Records"): the MessagePack array <c>[type, checksum, payload]</c>
/// where payload is binary and checksum is XxHash64 (seed 0) of the payload bytes. This writer always
/// uses the 16-byte prefix <c>93 TT CF xx*8 C6 xx*4</c>; the reader accepts any valid encoding.
/// </summary>
internal static class RecordIO
{
    public const int PrefixLength = 16;

    /// <summary>Longest prefix the reader looks at: array, type, checksum and binary header in their widest forms.</summary>
    private const int PrefixLengthMax = 1 + 9 + 9 + 5;

    public static void WritePrefix(Span<byte> prefix, int type, ReadOnlySpan<byte> payload)
    {
        prefix[0] = 0x93;
        prefix[1] = (byte)type;
        prefix[2] = 0xCF;
        BinaryPrimitives.WriteUInt64BigEndian(prefix[3..], XxHash64.HashToUInt64(payload));
        prefix[11] = 0xC6;
        BinaryPrimitives.WriteInt32BigEndian(prefix[12..], payload.Length);
    }

    /// <summary>Where the record at <paramref name="offset"/> ends, as its prefix declares (at most <paramref name="limit"/>).</summary>
    public static long DeclaredEnd(SafeFileHandle file, string name, long offset, long limit, int type, string what)
    {
        var p = ReadPrefix(file, name, offset, limit, type, what);
        long end = offset + p.HeaderLength + p.PayloadLength;
        if (end > limit)
        {
            throw new ReplayFormatException(name, offset, string.Create(CultureInfo.InvariantCulture, $"{what} record that ends by byte {limit}"), string.Create(CultureInfo.InvariantCulture, $"one that ends at byte {end}"));
        }

        return end;
    }

    /// <summary>
    /// Reads the record at <paramref name="offset"/>, which must end exactly at <paramref name="end"/> (records
    /// are contiguous: the next record or the footer starts there). Checks its type and checksum.
    /// </summary>
    public static byte[] Read(SafeFileHandle file, string name, long offset, long end, int type, string what)
    {
        var inv = CultureInfo.InvariantCulture;
        var p = ReadPrefix(file, name, offset, end, type, what);
        long recordEnd = offset + p.HeaderLength + p.PayloadLength;
        if (recordEnd != end)
        {
            throw new ReplayFormatException(name, offset, string.Create(inv, $"{what} record that ends at byte {end}"), string.Create(inv, $"one that ends at byte {recordEnd}"));
        }

        if (p.PayloadLength > ReplayFormat.PayloadBytesMax)
        {
            throw new ReplayFormatException(name, offset, string.Create(inv, $"a payload of at most {ReplayFormat.PayloadBytesMax} bytes"), string.Create(inv, $"{p.PayloadLength} bytes"));
        }

        var payload = new byte[p.PayloadLength];
        ReadExactly(file, payload, offset + p.HeaderLength);
        ulong actual = XxHash64.HashToUInt64(payload);
        if (actual != p.Checksum)
        {
            throw new ReplayFormatException(name, offset, string.Create(inv, $"{what} record whose payload has checksum 0x{p.Checksum:x16}"), string.Create(inv, $"0x{actual:x16} (the record is damaged)"));
        }

        return payload;
    }

    public static void ReadExactly(SafeFileHandle file, Span<byte> buffer, long offset)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n = RandomAccess.Read(file, buffer[done..], offset + done);
            if (n <= 0)
            {
                throw new EndOfStreamException(string.Create(CultureInfo.InvariantCulture, $"the file ended at byte {offset + done}"));
            }

            done += n;
        }
    }

    private static (ulong Checksum, int HeaderLength, long PayloadLength) ReadPrefix(SafeFileHandle file, string name, long offset, long limit, int type, string what)
    {
        var inv = CultureInfo.InvariantCulture;
        var prefix = new byte[(int)Math.Clamp(limit - offset, 0, PrefixLengthMax)];
        ReadExactly(file, prefix, offset);
        try
        {
            var reader = new MessagePackReader(prefix);
            int fields = WireReader.ReadArray(ref reader, what + " record [type, checksum, payload]");
            if (fields != 3)
            {
                throw new WireException($"{what} record of 3 fields [type, checksum, payload]", string.Create(inv, $"{fields} fields"));
            }

            long recordType = WireReader.ReadInt64(ref reader, "the record type");
            if (recordType != type)
            {
                throw new WireException(string.Create(inv, $"{what} record (type {type})"), string.Create(inv, $"a record of type {recordType}"));
            }

            ulong checksum = WireReader.ReadUInt64(ref reader, "the record checksum");
            int at = (int)reader.Consumed;
            byte code = at < prefix.Length ? prefix[at] : (byte)0;
            int width = code switch { 0xC4 => 1, 0xC5 => 2, 0xC6 => 4, _ => 0 };
            if (width == 0 || at + 1 + width > prefix.Length)
            {
                throw new WireException("the record's payload as MessagePack binary (bin 8, 16 or 32)", at < prefix.Length ? string.Create(inv, $"byte 0x{code:X2}") : "the end of the record");
            }

            var len = prefix.AsSpan(at + 1, width);
            long payloadLength = width switch
            {
                1 => len[0],
                2 => BinaryPrimitives.ReadUInt16BigEndian(len),
                _ => BinaryPrimitives.ReadUInt32BigEndian(len),
            };
            return (checksum, at + 1 + width, payloadLength);
        }
        catch (WireException e)
        {
            throw new ReplayFormatException(name, offset, e.Expected, e.Found);
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException)
        {
            throw new ReplayFormatException(name, offset, $"{what} record (the MessagePack array [type, checksum, payload])", Found(prefix));
        }
    }

    private static string Found(ReadOnlySpan<byte> bytes) =>
        bytes.IsEmpty ? "the end of the data" : "bytes " + Convert.ToHexString(bytes[..Math.Min(8, bytes.Length)]);
}
