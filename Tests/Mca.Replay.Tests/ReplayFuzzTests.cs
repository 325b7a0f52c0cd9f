using System.Buffers;
using System.Buffers.Binary;
using CsCheck;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Mca.Replay.Wire;
using Mca.Tests.Shared.Replay;

namespace Mca.Replay.Tests;

/// <summary>
/// Thousands of random mutations of a valid replay: bit flips, truncations, inserted, deleted and overwritten
/// bytes, first on the raw file, then inside records with their checksums fixed (so LZ4 and MessagePack see
/// the damage), then inside the decompressed frames, index and header (so the formatters see it). Reading
/// must give a one-line <see cref="ReplayFormatException"/> or succeed: no other exception, no hang, bounded memory.
/// </summary>
/// <remarks>Run on a file that stores every input and event; <see cref="HashedReplayFuzzTests"/> runs them on one that keeps hashes only.</remarks>
public class ReplayFuzzTests : TempDirectoryTest
{
    /// <summary>Bytes one read of a ~20 KB replay may allocate, whatever the damage (LZ4 expands at most 255x).</summary>
    private const long AllocatedBytesMax = 64L << 20;

    private static readonly Gen<(int Kind, int Seed)> Mutation = Gen.Select(Gen.Int[0, 6], Gen.Int[0, int.MaxValue]);

    private readonly Layout _layout;

    public ReplayFuzzTests()
        : this(ReplayContents.All)
    {
    }

    protected ReplayFuzzTests(ReplayContents contents)
    {
        string path = PathOf("valid.mcar");
        Fixtures.Record(path, Fixtures.Spec(machines: 12, days: 4, batchSize: 4), contents: contents);
        _layout = Layout.Of(path);
        Assert.Equal(File.ReadAllBytes(path), _layout.Assemble());
    }

    [Fact(Timeout = 120_000)]
    public async Task RawFile_Mutations_OnlyFormatErrors()
    {
        await Task.Run(() => Mutation.Sample(m =>
        {
            var bytes = Mutate(_layout.File, m.Kind, m.Seed, keepLength: false);
            Check(bytes, m.Seed);
        }, iter: 3000, threads: 1));
    }

    [Fact(Timeout = 120_000)]
    public async Task RecordPayloads_MutatedWithValidChecksums_OnlyFormatErrors()
    {
        await Task.Run(() => Mutation.Sample(m =>
        {
            var bytes = (byte[])_layout.File.Clone();
            var rng = new Random(m.Seed);
            var (offset, length) = _layout.Records[rng.Next(_layout.Records.Count)];
            var payload = Mutate(bytes.AsSpan((int)offset + 16, length).ToArray(), m.Kind, m.Seed, keepLength: true);
            payload.CopyTo(bytes, offset + 16);
            ReplayFormatTests.FixChecksum(bytes, offset);
            Check(bytes, m.Seed);
        }, iter: 1500, threads: 1));
    }

    [Fact(Timeout = 120_000)]
    public async Task DecodedContent_MutatedAndReencoded_OnlyFormatErrors()
    {
        await Task.Run(() => Mutation.Sample(m =>
        {
            var rng = new Random(m.Seed);
            int target = rng.Next(_layout.FrameRaw.Count + 2);
            byte[] bytes;
            if (target == 0)
            {
                bytes = _layout.Assemble(header: Mutate(_layout.Header, m.Kind, m.Seed, keepLength: false));
            }
            else if (target == 1)
            {
                bytes = _layout.Assemble(rawIndex: Mutate(_layout.IndexRaw, m.Kind, m.Seed, keepLength: false));
            }
            else
            {
                int frame = target - 2;
                bytes = _layout.Assemble(frame: frame, rawFrame: Mutate(_layout.FrameRaw[frame], m.Kind, m.Seed, keepLength: false));
            }

            Check(bytes, m.Seed);
        }, iter: 1500, threads: 1));
    }

    /// <summary>Reads everything; when the damaged file still reads, re-runs a machine from its inputs too.</summary>
    private void Check(byte[] bytes, int seed)
    {
        string path = PathOf("mutant.mcar");
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            ReplayFormatTests.ReadEverything(path);
            using (var reader = ReplayReader.Open(path))
            {
                if (reader.Index.MachineIds.Length == 0)
                {
                    return;
                }
            }

            using var r = ReplayReader.Open(path);
            ReplayRerun.Run(path, "xen", machine: r.Index.MachineIds[0], threads: 1, catalog: Fixtures.Catalog);
        }
        catch (ReplayFormatException e)
        {
            Assert.Matches(ReplayFormatTests.OneLineError(), e.Message);
            Assert.StartsWith(path + ": byte ", e.Message, StringComparison.Ordinal);
        }
        catch (ReplayMismatchException e)
        {
            // A hash-only file whose hashes were changed re-simulates to something else: a divergence, in one line.
            Assert.DoesNotContain("\n", e.Message, StringComparison.Ordinal);
            Assert.StartsWith(path + ": stores only the hashes", e.Message, StringComparison.Ordinal);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "machine")
        {
            // A mutated header can move the machine range; the CLI reports this as a usage error.
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocatedBytesMax, $"seed {seed}: one read allocated {allocated:N0} bytes");
    }

    /// <summary>One mutation of <paramref name="data"/>; with <paramref name="keepLength"/> only in-place ones.</summary>
    private static byte[] Mutate(byte[] data, int kind, int seed, bool keepLength)
    {
        var rng = new Random(seed);
        var bytes = new List<byte>(data);
        if (keepLength && kind is 2 or 3 or 4)
        {
            kind = 5;
        }

        int Pos() => bytes.Count == 0 ? 0 : rng.Next(bytes.Count);
        if (bytes.Count == 0)
        {
            kind = 3;
        }

        switch (kind)
        {
            case 0:
                {
                    int p = Pos();
                    bytes[p] ^= (byte)(1 << rng.Next(8));
                    break;
                }

            case 1:
                for (int i = 0, n = 1 + rng.Next(8); i < n; i++)
                {
                    int p = Pos();
                    bytes[p] ^= (byte)(1 << rng.Next(8));
                }

                break;
            case 2:
                {
                    int p = Pos();
                    bytes.RemoveRange(p, bytes.Count - p);
                    break;
                }

            case 3:
                {
                    int p = bytes.Count == 0 ? 0 : rng.Next(bytes.Count + 1);
                    var insert = new byte[1 + rng.Next(16)];
                    rng.NextBytes(insert);
                    bytes.InsertRange(p, insert);
                    break;
                }

            case 4:
                {
                    int p = Pos();
                    bytes.RemoveRange(p, Math.Min(bytes.Count - p, 1 + rng.Next(16)));
                    break;
                }

            case 5:
                for (int i = 0, p = Pos(), n = 1 + rng.Next(8); i < n && p + i < bytes.Count; i++)
                {
                    bytes[p + i] = (byte)rng.Next(256);
                }

                break;
            default:
                {
                    // Values that mean something to MessagePack: nil, big arrays and maps, bin/str/ext 32, int 32/64, -1.
                    byte[] interesting = [0x00, 0xFF, 0x7F, 0x80, 0xC0, 0xC2, 0xDC, 0xDD, 0xDE, 0xDF, 0xC6, 0xDB, 0xC9, 0xD2, 0xD3, 0xCF, 0x9F, 0x90];
                    bytes[Pos()] = interesting[rng.Next(interesting.Length)];
                    break;
                }
        }

        return [.. bytes];
    }

    /// <summary>A replay taken apart into its records, and put back together after one part changed.</summary>
    private sealed class Layout
    {
        private static readonly MessagePackSerializerOptions RawLz4 = MessagePackSerializerOptions.Standard
            .WithResolver(CompositeResolver.Create([new RawFormatter()], [StandardResolver.Instance]))
            .WithCompression(MessagePackCompression.Lz4Block);

        public required byte[] File { get; init; }
        public required byte[] Header { get; init; }
        public required List<byte[]> Frames { get; init; }
        public required List<byte[]> FrameRaw { get; init; }
        public required ReplayIndex Index { get; init; }
        public required byte[] IndexRaw { get; init; }
        public required List<(long Offset, int Length)> Records { get; init; }

        public static Layout Of(string path)
        {
            byte[] file = System.IO.File.ReadAllBytes(path);
            using var reader = ReplayReader.Open(path);
            var records = new List<(long, int)>();
            byte[] Payload(long offset)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(file.AsSpan((int)offset + 12));
                records.Add((offset, length));
                return file.AsSpan((int)offset + 16, length).ToArray();
            }

            var header = Payload(8);
            var frames = reader.Index.Frames.Select(f => Payload(f.Offset)).ToList();
            var index = Payload(reader.IndexOffset);
            return new Layout
            {
                File = file,
                Header = header,
                Frames = frames,
                FrameRaw = frames.Select(Decompress).ToList(),
                Index = reader.Index,
                IndexRaw = Decompress(index),
                Records = records,
            };
        }

        /// <summary>The file with the header, one frame's decoded content, or the index's decoded content replaced.</summary>
        public byte[] Assemble(byte[]? header = null, int frame = -1, byte[]? rawFrame = null, byte[]? rawIndex = null)
        {
            using var s = new MemoryStream();
            s.Write(ReplayFormat.Magic);
            Record(s, ReplayFormat.HeaderRecord, header ?? Header);
            var offsets = new long[Frames.Count];
            for (int i = 0; i < Frames.Count; i++)
            {
                offsets[i] = s.Position;
                Record(s, ReplayFormat.FrameRecord, i == frame ? Compress(rawFrame!) : Frames[i]);
            }

            long indexAt = s.Position;
            var index = Index with { Frames = [.. Index.Frames.Select((f, i) => f with { Offset = offsets[i] })] };
            Record(s, ReplayFormat.IndexRecord, rawIndex is not null ? Compress(rawIndex) : IndexFormatter.Payload(index).ToArray());
            Span<byte> footer = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)indexAt);
            ReplayFormat.EndMagic.CopyTo(footer[8..]);
            s.Write(footer);
            return s.ToArray();
        }

        private static void Record(Stream s, int type, byte[] payload)
        {
            Span<byte> prefix = stackalloc byte[16];
            RecordIO.WritePrefix(prefix, type, payload);
            s.Write(prefix);
            s.Write(payload);
        }

        private static byte[] Decompress(byte[] payload) => MessagePackSerializer.Deserialize<RawBytes>(payload, RawLz4).Bytes;

        private static byte[] Compress(byte[] raw) => MessagePackSerializer.Serialize(new RawBytes(raw), RawLz4);
    }

    private sealed record RawBytes(byte[] Bytes);

    /// <summary>Raw MessagePack in and out: writes the bytes as they are, reads one whole value (lenient: trailing bytes are kept).</summary>
    private sealed class RawFormatter : IMessagePackFormatter<RawBytes>
    {
        public void Serialize(ref MessagePackWriter writer, RawBytes value, MessagePackSerializerOptions options) => writer.WriteRaw(value.Bytes);

        public RawBytes Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            var all = reader.Sequence.Slice(reader.Position).ToArray();
            reader.ReadRaw(all.Length);
            return new RawBytes(all);
        }
    }
}

/// <summary><see cref="ReplayFuzzTests"/> on a replay that keeps only counts and hashes (the CLI's default), so the format 4 section keys and the derived content see the damage.</summary>
public sealed class HashedReplayFuzzTests : ReplayFuzzTests
{
    public HashedReplayFuzzTests()
        : base(ReplayContents.Hashes)
    {
    }
}
