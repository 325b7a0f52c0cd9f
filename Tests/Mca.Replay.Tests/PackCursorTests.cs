using System.Buffers;
using MessagePack;
using Mca.Replay.Wire;

namespace Mca.Replay.Tests;

/// <summary>
/// The hand-written MessagePack of frames and the index takes the forms MessagePack-CSharp's writer picks, so
/// the bytes of a replay do not depend on which of the two wrote a value.
/// </summary>
public sealed class PackCursorTests
{
    private static readonly long[] Signed = Boundaries().Concat(Randoms(1)).ToArray();

    [Fact]
    public void Int_WritesWhatMessagePackWriterWrites()
    {
        foreach (long v in Signed)
        {
            Assert.Equal(Reference(w => w.Write(v)), Cursor((ref PackCursor o) => o.Int(v)));
        }
    }

    [Fact]
    public void UInt_WritesWhatMessagePackWriterWrites()
    {
        foreach (ulong v in Signed.Select(x => unchecked((ulong)x)).Append(ulong.MaxValue))
        {
            Assert.Equal(Reference(w => w.Write(v)), Cursor((ref PackCursor o) => o.UInt(v)));
        }
    }

    [Fact]
    public void ArrayHeader_WritesWhatMessagePackWriterWrites()
    {
        foreach (int count in new[] { 0, 1, 15, 16, 17, 255, 256, 65_535, 65_536, int.MaxValue })
        {
            Assert.Equal(Reference(w => w.WriteArrayHeader(count)), Cursor((ref PackCursor o) => o.ArrayHeader(count)));
        }
    }

    [Fact]
    public void NilAndBool_WriteWhatMessagePackWriterWrites()
    {
        Assert.Equal(Reference(w => w.WriteNil()), Cursor((ref PackCursor o) => o.Nil()));
        Assert.Equal(Reference(w => w.Write(true)), Cursor((ref PackCursor o) => o.Bool(true)));
        Assert.Equal(Reference(w => w.Write(false)), Cursor((ref PackCursor o) => o.Bool(false)));
    }

    [Fact]
    public void ExtensionHeader_WritesWhatMessagePackWriterWrites()
    {
        foreach (uint length in new uint[] { 0, 1, 2, 3, 4, 5, 8, 15, 16, 17, 255, 256, 65_535, 65_536, int.MaxValue })
        {
            var expected = Reference(w => w.WriteExtensionHeader(99, length));
            Assert.Equal(expected, Cursor((ref PackCursor o) => o.ExtensionHeader(99, length)));
            Assert.Equal(expected.Length, PackCursor.ExtensionHeaderLength(length));
        }
    }

    [Fact]
    public void Int32Fixed_WritesWhatMessagePackWriterWrites()
    {
        foreach (int v in new[] { 0, 1, -1, 127, 65_536, int.MaxValue, int.MinValue })
        {
            Assert.Equal(Reference(w => w.WriteInt32(v)), Cursor((ref PackCursor o) => o.Int32Fixed(v)));
        }
    }

    [Fact]
    public void String_WritesWhatMessagePackWriterWrites()
    {
        foreach (int length in new[] { 0, 1, 31, 32, 255, 256, 65_535, 65_536 })
        {
            foreach (char c in new[] { 'a', '\u00e9', '\u20ac' })
            {
                string v = new(c, length / (c == 'a' ? 1 : 2));
                var expected = Reference(w => w.Write(v));
                var bytes = new byte[5 + (v.Length * 3)];
                var o = new PackCursor(bytes, 0);
                o.String(v);
                Assert.Equal(expected, bytes[..o.Position]);
            }
        }
    }

    [Fact]
    public void ArrayHeaderLength_IsWhatArrayHeaderWrites()
    {
        foreach (int count in new[] { 0, 15, 16, 65_535, 65_536, int.MaxValue })
        {
            Assert.Equal(Cursor((ref PackCursor o) => o.ArrayHeader(count)).Length, PackCursor.ArrayHeaderLength(count));
        }
    }

    private delegate void Write(ref MessagePackWriter writer);

    private delegate void Put(ref PackCursor cursor);

    private static byte[] Reference(Action<Writer> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new Writer(buffer);
        write(w);
        return w.Bytes();
    }

    private static byte[] Cursor(Put put)
    {
        var bytes = new byte[16];
        var o = new PackCursor(bytes, 0);
        put(ref o);
        return bytes[..o.Position];
    }

    private static IEnumerable<long> Boundaries()
    {
        long[] edges = [0, 31, 32, 127, 128, 255, 256, 65_535, 65_536, uint.MaxValue, 1L + uint.MaxValue, long.MaxValue];
        foreach (long e in edges)
        {
            yield return e;
            yield return -e;
            yield return e - 1;
            yield return -e - 1;
        }

        yield return long.MinValue;
        yield return -33;
        yield return sbyte.MinValue;
        yield return sbyte.MinValue - 1;
        yield return short.MinValue;
        yield return short.MinValue - 1;
        yield return int.MinValue;
        yield return int.MinValue - 1L;
    }

    private static IEnumerable<long> Randoms(int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < 2_000; i++)
        {
            // Spread over every magnitude, both signs.
            long v = rng.NextInt64() >> rng.Next(64);
            yield return rng.Next(2) == 0 ? v : -v;
        }
    }

    /// <summary>A MessagePackWriter over a buffer (a ref struct cannot be captured, so this holds the buffer and writes on demand).</summary>
    private sealed class Writer(ArrayBufferWriter<byte> buffer)
    {
        private readonly List<Write> _writes = [];

        public void Write(long v) => _writes.Add((ref MessagePackWriter w) => w.Write(v));

        public void Write(ulong v) => _writes.Add((ref MessagePackWriter w) => w.Write(v));

        public void Write(bool v) => _writes.Add((ref MessagePackWriter w) => w.Write(v));

        public void WriteNil() => _writes.Add((ref MessagePackWriter w) => w.WriteNil());

        public void WriteArrayHeader(int count) => _writes.Add((ref MessagePackWriter w) => w.WriteArrayHeader(count));

        public void WriteExtensionHeader(sbyte type, uint length) => _writes.Add((ref MessagePackWriter w) => w.WriteExtensionFormatHeader(new ExtensionHeader(type, length)));

        public void WriteInt32(int v) => _writes.Add((ref MessagePackWriter w) => w.WriteInt32(v));

        public void Write(string v) => _writes.Add((ref MessagePackWriter w) => w.Write(v));

        public byte[] Bytes()
        {
            var writer = new MessagePackWriter(buffer);
            foreach (var write in _writes)
            {
                write(ref writer);
            }

            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
    }
}
