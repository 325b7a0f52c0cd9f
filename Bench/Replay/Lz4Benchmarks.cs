using System.Buffers;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using K4os.Compression.LZ4;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;
using Mca.Replay;
using Mca.Replay.Recording;
using Mca.Replay.Wire;
using Mca.Workloads.Campaign;

namespace Mca.Bench.Replay;

/// <summary>
/// The steps of recording on the frames of one default-fleet slice (1,000 default machines for 91 days under the
/// <c>field</c> workload, weekly epochs, batches of 512: 26 frames): <c>FrameGrouper_Group</c> groups every epoch
/// output by machine, <c>FrameEncoder_GroupAndEncode</c> groups and encodes it as MessagePack (category
/// <c>Encode</c>), and the LZ4 step on the encoded frames. Compression (category <c>Compress</c>) against
/// K4os.Compression.LZ4's fast level span to span (<c>K4osLz4_Compress</c>, the baseline): the hand-written
/// compressor alone (<c>Lz4Block_Compress</c>), what recording does with it (<c>Lz4Block_Frames</c>:
/// <see cref="Lz4Block.WritePayload"/> straight into a record) and what recording did before
/// (<c>MessagePackLz4_Frames</c>: MessagePack-CSharp's <c>Lz4Block</c> serializer, into a reused buffer writer).
/// Decompression (category <c>Decompress</c>) of the blocks recording writes: K4os span to span
/// (<c>K4osLz4_Decompress</c>, the baseline), what the replay reader does with it on the record payloads
/// (<c>Lz4Block_ReadPayload</c>: extension header, checks, a pooled buffer) and what it did before
/// (<c>MessagePackLz4_Decompress</c>: MessagePack-CSharp's <c>Lz4Block</c> deserializer).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class Lz4Benchmarks
{
    private static readonly MessagePackSerializerOptions Options = new MessagePackSerializerOptions(CompositeResolver.Create(new RawFormatter()))
        .WithCompression(MessagePackCompression.Lz4Block);

    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private readonly FrameGrouper _grouper = new();
    private readonly FrameEncoder _encoder = new();
    private EpochOutput[] _outputs = [];
    private byte[][] _frames = [];
    private byte[][] _blocks = [];
    private byte[][] _payloads = [];
    private byte[] _output = [];
    private byte[] _decoded = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        var spec = new CampaignSpec { Machines = 1_000, Days = 91 };
        var outputs = new List<EpochOutput>();
        CampaignRunner.Run(spec.ToOptions(threads: 1) with { Recorder = BatchRecorder.Attach, Lockstep = true }, progress: null, record: outputs.Add);
        var frames = new List<byte[]>();
        foreach (var output in outputs)
        {
            _grouper.Group(output);
            if (_grouper.MachineCount > 0)
            {
                _encoder.Encode(_grouper, output.Events, output.Inputs);
                frames.Add(_encoder.Encoded.ToArray());
            }
        }

        _frames = [.. frames];
        _outputs = [.. outputs];
        _output = new byte[Math.Max(Lz4Block.PayloadLengthMax(_frames.Max(f => f.Length)), LZ4Codec.MaximumOutputSize(_frames.Max(f => f.Length)))];
        _decoded = new byte[_frames.Max(f => f.Length)];
        _blocks = [.. _frames.Select(f => _output.AsSpan(0, Lz4Block.Compress(f, _output)).ToArray())];
        _payloads = [.. _frames.Select(f => _output.AsSpan(0, Lz4Block.WritePayload(f, _output)).ToArray())];

        // K4os must give the frames back from what recording writes, or its time means nothing; and whether its own
        // blocks are recording's decides whether it could write them (replay bytes must not change).
        int same = 0;
        long k4osBytes = 0;
        for (int i = 0; i < _frames.Length; i++)
        {
            int n = LZ4Codec.Decode(_blocks[i], _decoded);
            if (!_decoded.AsSpan(0, Math.Max(n, 0)).SequenceEqual(_frames[i]))
            {
                throw new InvalidOperationException($"K4os decodes frame {i} differently");
            }

            int k = LZ4Codec.Encode(_frames[i], _output, LZ4Level.L00_FAST);
            k4osBytes += k;
            same += _output.AsSpan(0, k).SequenceEqual(_blocks[i]) ? 1 : 0;
        }

        Console.WriteLine($"// {_frames.Length} frames, {_frames.Sum(f => (long)f.Length)} bytes of MessagePack: Lz4Block {_blocks.Sum(b => (long)b.Length)} bytes, K4os L00_FAST {k4osBytes} bytes, the same blocks for {same} frames");
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Compress")]
    public long K4osLz4_Compress()
    {
        long total = 0;
        foreach (var frame in _frames)
        {
            total += LZ4Codec.Encode(frame, _output, LZ4Level.L00_FAST);
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public long Lz4Block_Compress()
    {
        long total = 0;
        foreach (var frame in _frames)
        {
            total += Lz4Block.Compress(frame, _output);
        }

        return total;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Decompress")]
    public long K4osLz4_Decompress()
    {
        long total = 0;
        foreach (var block in _blocks)
        {
            total += LZ4Codec.Decode(block, _decoded);
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Decompress")]
    public long Lz4Block_ReadPayload()
    {
        long total = 0;
        foreach (var payload in _payloads)
        {
            total += Lz4Block.ReadPayload(payload, out byte[]? rented).Length;
            ArrayPool<byte>.Shared.Return(rented!);
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Decompress")]
    public long MessagePackLz4_Decompress()
    {
        long total = 0;
        foreach (var payload in _payloads)
        {
            MessagePackSerializer.Deserialize<RawValue>(payload, Options, out int read);
            total += read;
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public long MessagePackLz4_Frames()
    {
        long total = 0;
        foreach (var frame in _frames)
        {
            _buffer.ResetWrittenCount();
            MessagePackSerializer.Serialize(_buffer, new RawValue(frame), Options);
            total += _buffer.WrittenCount;
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public long FrameGrouper_Group()
    {
        long total = 0;
        foreach (var output in _outputs)
        {
            _grouper.Group(output);
            total += _grouper.MachineCount;
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Encode")]
    public long FrameEncoder_GroupAndEncode()
    {
        long total = 0;
        foreach (var output in _outputs)
        {
            _grouper.Group(output);
            _encoder.Encode(_grouper, output.Events, output.Inputs);
            total += _encoder.Encoded.Length;
        }

        return total;
    }

    [Benchmark]
    [BenchmarkCategory("Compress")]
    public long Lz4Block_Frames()
    {
        long total = 0;
        foreach (var frame in _frames)
        {
            total += Lz4Block.WritePayload(frame, _output);
        }

        return total;
    }

    /// <summary>Bytes that already are one MessagePack value, written as they are.</summary>
    private sealed record RawValue(byte[] Bytes);

    /// <summary>Writes a value's bytes as they are; reads one by skipping it (the decompressed bytes stay in the serializer's pooled buffer).</summary>
    private sealed class RawFormatter : IMessagePackFormatter<RawValue>
    {
        private static readonly RawValue Skipped = new([]);

        public void Serialize(ref MessagePackWriter writer, RawValue value, MessagePackSerializerOptions options) => writer.WriteRaw(value.Bytes);

        public RawValue Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
        {
            reader.Skip();
            return Skipped;
        }
    }
}
