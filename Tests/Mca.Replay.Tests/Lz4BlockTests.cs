using System.Buffers;
using System.Buffers.Binary;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Mca.Replay.Wire;
using Mca.Tests.Shared.Replay;

namespace Mca.Replay.Tests;

/// <summary>
/// Recording writes LZ4 payloads itself: MessagePack-CSharp must read them back as its own <c>Lz4Block</c>
/// values, so must the replay reader's K4os decoding (<see cref="Lz4Block.ReadPayload"/>), the two alike on every
/// record of a real recording, and every block must keep the LZ4 block format's end rules that strict decoders
/// rely on. Damaged payloads are format errors, never a larger allocation than the payload can expand to.
/// </summary>
public sealed class Lz4BlockTests : TempDirectoryTest
{
    private static readonly MessagePackSerializerOptions Lz4 = MessagePackSerializerOptions.Standard.WithCompression(MessagePackCompression.Lz4Block);

    private static readonly MessagePackSerializerOptions RawLz4 = MessagePackSerializerOptions.Standard
        .WithResolver(CompositeResolver.Create([new RawFormatter()], [StandardResolver.Instance]))
        .WithCompression(MessagePackCompression.Lz4Block);

    public static TheoryData<string> Shapes => ["random", "zeros", "runs", "text", "records", "far"];

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Payload_ReadsBackThroughMessagePack(string shape)
    {
        // A fixed seed per shape (string hash codes differ from process to process).
        var rng = new Random(shape.Length * 7919 + shape[0]);
        foreach (int length in new[] { 0, 1, 12, 13, 14, 40, 59, 60, 61, 100, 255, 256, 270, 1000, 4096, 65_530, 65_536, 70_000, 200_000, 600_000 })
        {
            var data = Make(shape, length, rng);
            var value = Bin(data);
            var payload = Payload(value);
            Assert.Equal(data, MessagePackSerializer.Deserialize<byte[]>(payload, Lz4));
            Assert.Equal(value, Read(payload));
        }
    }

    [Fact]
    public void RecordedPayloads_ReadPayloadAndMessagePack_Agree()
    {
        string path = PathOf("lz4.mcar");
        Fixtures.Record(path, Fixtures.Spec());
        byte[] file = File.ReadAllBytes(path);
        using var reader = ReplayReader.Open(path);
        var offsets = reader.Index.Frames.Select(f => f.Offset).Append(reader.IndexOffset).ToArray();
        int compressed = 0;
        foreach (long offset in offsets)
        {
            // The writer's 16-byte record prefix ends with the payload's length (docs/replay-format.md "Records").
            int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan((int)offset + 12));
            byte[] payload = file.AsSpan((int)offset + 16, length).ToArray();
            compressed += payload[0] is 0xC7 or 0xC8 or 0xC9 ? 1 : 0;
            Assert.Equal(MessagePackSerializer.Deserialize<RawBytes>(payload, RawLz4).Bytes, Read(payload));
        }

        Assert.InRange(compressed, offsets.Length / 2, offsets.Length);
    }

    [Fact]
    public void ReadPayload_DamagedExtension_IsAWireError()
    {
        var data = Make("records", 5_000, new Random(5));
        var payload = Payload(Bin(data));
        var reader = new MessagePackReader(payload);
        reader.ReadExtensionFormatHeader();
        int lengthAt = (int)reader.Consumed + 1;

        var otherType = (byte[])payload.Clone();
        otherType[lengthAt - 2] = 98;
        Assert.Contains("ext 98", Assert.Throws<WireException>(() => Read(otherType)).Found, StringComparison.Ordinal);

        var longer = (byte[])payload.Clone();
        BinaryPrimitives.WriteInt32BigEndian(longer.AsSpan(lengthAt), BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(lengthAt)) + 1);
        Assert.Contains("decompresses to the", Assert.Throws<WireException>(() => Read(longer)).Expected, StringComparison.Ordinal);

        var huge = (byte[])payload.Clone();
        BinaryPrimitives.WriteInt32BigEndian(huge.AsSpan(lengthAt), int.MaxValue);
        Assert.Contains("255 per compressed byte", Assert.Throws<WireException>(() => Read(huge)).Expected, StringComparison.Ordinal);

        Assert.Contains("fills its record", Assert.Throws<WireException>(() => Read([.. payload, 0xC0])).Expected, StringComparison.Ordinal);
        Assert.Throws<WireException>(() => Read(payload[..^1]));

        var garbled = (byte[])payload.Clone();
        garbled.AsSpan(lengthAt + 4).Fill(0xFF);
        Assert.Throws<WireException>(() => Read(garbled));
    }

    [Fact]
    public void ReadPayload_PlainValue_IsThePayloadItself()
    {
        var value = Bin(new byte[10]);
        Assert.Equal(value, Read(value));
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Block_KeepsTheFormatsRules(string shape)
    {
        var rng = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            int length = i < 100 ? i : rng.Next(100, 150_000);
            var data = Make(shape, length, rng);
            var block = new byte[Lz4Block.BlockLengthMax(length)];
            int n = Lz4Block.Compress(data, block);
            Assert.Equal(data, StrictDecode(block.AsSpan(0, n), length));
            var decoded = new byte[length];
            Assert.Equal(length, Lz4Block.Decompress(block.AsSpan(0, n), decoded));
            Assert.Equal(data, decoded);
        }
    }

    [Fact]
    public void ShortValues_AreStoredPlain()
    {
        var value = Bin(new byte[Lz4Block.CompressLengthMin - 3]);
        Assert.Equal(Lz4Block.CompressLengthMin - 1, value.Length);
        Assert.Equal(value, Payload(value));
        Assert.NotEqual(Bin(new byte[Lz4Block.CompressLengthMin]), Payload(Bin(new byte[Lz4Block.CompressLengthMin])));
    }

    [Theory]
    [InlineData(200, 0xC7)] // compresses to a few bytes: ext 8
    [InlineData(30_000, 0xC8)] // random: ext 16
    [InlineData(100_000, 0xC9)] // random: ext 32
    public void Extension_TakesTheNarrowestHeader(int length, byte code)
    {
        var data = length == 200 ? new byte[length] : Make("random", length, new Random(3));
        var payload = Payload(Bin(data));
        Assert.Equal(code, payload[0]);
        var reader = new MessagePackReader(payload);
        var ext = reader.ReadExtensionFormatHeader();
        Assert.Equal(Lz4Block.ExtensionType, ext.TypeCode);
        Assert.Equal(payload.Length - (int)reader.Consumed, (int)ext.Length);
        Assert.Equal(0xD2, payload[(int)reader.Consumed]);
        Assert.Equal(Bin(data).Length, BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan((int)reader.Consumed + 1)));
    }

    [Fact]
    public void Compresses_RepetitiveData()
    {
        var data = Make("records", 100_000, new Random(1));
        var block = new byte[Lz4Block.BlockLengthMax(data.Length)];
        Assert.InRange(Lz4Block.Compress(data, block), 1, data.Length / 3);
        Assert.InRange(Lz4Block.Compress(new byte[100_000], block), 1, 500);
    }

    [Fact]
    public void ShortDestination_IsRefused() =>
        Assert.Throws<ArgumentException>(() => Lz4Block.Compress(new byte[100], new byte[Lz4Block.BlockLengthMax(100) - 1]));

    /// <summary>The MessagePack value <see cref="Lz4Block.ReadPayload"/> reads from <paramref name="payload"/>, copied out of its rented buffer.</summary>
    private static byte[] Read(byte[] payload)
    {
        var value = Lz4Block.ReadPayload(payload, out byte[]? rented).ToArray();
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return value;
    }

    private static byte[] Payload(byte[] value)
    {
        var destination = new byte[Lz4Block.PayloadLengthMax(value.Length)];
        return destination.AsSpan(0, Lz4Block.WritePayload(value, destination)).ToArray();
    }

    private static byte[] Bin(byte[] data)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.Write(data);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static byte[] Make(string shape, int length, Random rng)
    {
        var data = new byte[length];
        switch (shape)
        {
            case "random":
                rng.NextBytes(data);
                break;
            case "runs":
                for (int i = 0; i < length;)
                {
                    byte b = (byte)rng.Next(4);
                    int run = rng.Next(1, 600);
                    for (int k = 0; k < run && i < length; k++)
                    {
                        data[i++] = b;
                    }
                }

                break;
            case "text":
                var words = "machine check bank status addr misc poll found logged cmci raised vmce injected "u8.ToArray();
                for (int i = 0; i < length; i++)
                {
                    data[i] = words[(i * 7 + rng.Next(3)) % words.Length];
                }

                break;
            case "records":
                // Frame-like: short records that mostly repeat, with a changing counter and an occasional random field.
                for (int i = 0; i < length; i++)
                {
                    int r = i % 24;
                    data[i] = r < 4 ? (byte)(i / 24) : r == 9 && rng.Next(8) == 0 ? (byte)rng.Next(256) : (byte)(0x90 + r);
                }

                break;
            case "far":
                // Repeats that lie just inside and just beyond the 64 KiB window.
                rng.NextBytes(data.AsSpan(0, Math.Min(length, 70_000)));
                for (int i = 70_000; i < length; i++)
                {
                    data[i] = data[i - (i % 2 == 0 ? 65_535 : 65_536)];
                }

                break;
        }

        return data;
    }

    /// <summary>
    /// An LZ4 block decoder that refuses what the format forbids: offsets of 0 or before the start, a last
    /// sequence with a match, a match starting in the last 12 bytes or ending within the last 5.
    /// </summary>
    private static byte[] StrictDecode(ReadOnlySpan<byte> block, int length)
    {
        var output = new byte[length];
        int ip = 0;
        int op = 0;
        while (true)
        {
            Assert.True(ip < block.Length, "the block ended inside a sequence");
            int token = block[ip++];
            int literals = token >> 4;
            if (literals == 15)
            {
                int b;
                do
                {
                    b = block[ip++];
                    literals += b;
                }
                while (b == 255);
            }

            block.Slice(ip, literals).CopyTo(output.AsSpan(op));
            ip += literals;
            op += literals;
            if (ip == block.Length)
            {
                Assert.Equal(length, op);
                Assert.True(length < 13 || literals >= 5, "the last 5 bytes must be literals");
                return output;
            }

            int offset = BinaryPrimitives.ReadUInt16LittleEndian(block[ip..]);
            ip += 2;
            Assert.InRange(offset, 1, op);
            Assert.True(op <= length - 12, $"a match starts at {op}, within the last 12 bytes of {length}");
            int match = (token & 15) + 4;
            if ((token & 15) == 15)
            {
                int b;
                do
                {
                    b = block[ip++];
                    match += b;
                }
                while (b == 255);
            }

            Assert.True(op + match <= length - 5, "a match reaches into the last 5 bytes");
            for (int k = 0; k < match; k++, op++)
            {
                output[op] = output[op - offset];
            }
        }
    }

    private sealed record RawBytes(byte[] Bytes);

    /// <summary>Reads the whole decompressed value as its bytes (what MessagePack-CSharp decompressed), writes none.</summary>
    private sealed class RawFormatter : IMessagePackFormatter<RawBytes>
    {
        public void Serialize(ref MessagePackWriter writer, RawBytes value, MessagePackSerializerOptions options) => throw new NotSupportedException();

        public RawBytes Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            var all = reader.Sequence.Slice(reader.Position).ToArray();
            reader.ReadRaw(all.Length);
            return new RawBytes(all);
        }
    }
}
