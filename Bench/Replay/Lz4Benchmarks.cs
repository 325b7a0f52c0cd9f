using System.Buffers;
using BenchmarkDotNet.Attributes;
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
/// output by machine, <c>FrameEncoder_GroupAndEncode</c> groups and encodes it as MessagePack, and the LZ4 step
/// runs two ways on the encoded frames: <c>Lz4Block_Frames</c> is what recording does
/// (<see cref="Lz4Block.WritePayload"/> straight into a record), <c>MessagePackLz4_Frames</c> what it did before
/// (MessagePack-CSharp's <c>Lz4Block</c> serializer, into a reused buffer writer).
/// </summary>
[MemoryDiagnoser]
public class Lz4Benchmarks
{
    private static readonly MessagePackSerializerOptions Options = new MessagePackSerializerOptions(CompositeResolver.Create(new RawFormatter()))
        .WithCompression(MessagePackCompression.Lz4Block);

    private readonly ArrayBufferWriter<byte> _buffer = new(1 << 20);
    private readonly FrameGrouper _grouper = new();
    private readonly FrameEncoder _encoder = new();
    private EpochOutput[] _outputs = [];
    private byte[][] _frames = [];
    private byte[] _output = [];

    [GlobalSetup]
    public void GlobalSetup()
    {
        var spec = new CampaignSpec { Machines = 1_000, Days = 91 };
        var outputs = new List<EpochOutput>();
        CampaignRunner.Run(spec.ToOptions(threads: 1) with { Recorder = BatchRecorder.Attach }, progress: null, record: outputs.Add);
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
        _output = new byte[Lz4Block.MaxPayloadLength(_frames.Max(f => f.Length))];
    }

    [Benchmark(Baseline = true)]
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

    private sealed class RawFormatter : IMessagePackFormatter<RawValue>
    {
        public void Serialize(ref MessagePackWriter writer, RawValue value, MessagePackSerializerOptions options) => writer.WriteRaw(value.Bytes);

        public RawValue Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) => throw new NotSupportedException();
    }
}
