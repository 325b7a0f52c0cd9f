using System.Text;
using MessagePack;
using MessagePack.Formatters;

namespace Mca.Replay.Wire;

/// <summary>
/// The index on the wire (docs/replay-format.md "Index"): <c>[[[offset, epoch, batch]...], [[machine,
/// [frame number...]]...], [count...], digest, machines_reset, machines_with_uncorrected, machines_with_vmce,
/// dimms, dimms_with_ce, events, inputs]</c>.
/// </summary>
internal sealed class IndexFormatter : IMessagePackFormatter<ReplayIndex>
{
    public const int Fields = 11;

    public static readonly IndexFormatter Instance = new();

    /// <summary>The index record's payload: the index as MessagePack, LZ4-compressed the way frames are (<see cref="Lz4Block"/>).</summary>
    public static ReadOnlyMemory<byte> Payload(ReplayIndex index)
    {
        var value = Encode(index);
        var payload = new byte[Lz4Block.PayloadLengthMax(value.Length)];
        return payload.AsMemory(0, Lz4Block.WritePayload(value, payload));
    }

    public void Serialize(ref MessagePackWriter writer, ReplayIndex value, MessagePackSerializerOptions options) => writer.WriteRaw(Encode(value));

    /// <summary>
    /// The index as MessagePack (what <c>MessagePackWriter</c> would write), by hand: the two long lists hold hundreds
    /// of thousands of integers, and the rest goes through the same cursor so that the recording's last step, on one
    /// thread after the campaign, compiles no serializer code.
    /// </summary>
    private static ReadOnlySpan<byte> Encode(ReplayIndex value)
    {
        const int ItemMax = 32;
        var t = value.Totals;
        int tail = 16 + ((CountsCodec.Fields + Fields) * 9) + 5 + Encoding.UTF8.GetByteCount(t.Digest);
        var buffer = new byte[tail + ((value.Frames.Length + value.MachineIds.Length) * ItemMax)];
        var o = new PackCursor(buffer, 0);
        o.ArrayHeader(Fields);
        o.ArrayHeader(value.Frames.Length);
        foreach (var f in value.Frames)
        {
            o.ArrayHeader(3);
            o.Int(f.Offset);
            o.Int(f.Epoch);
            o.Int(f.Batch);
        }

        o.ArrayHeader(value.MachineIds.Length);
        for (int i = 0; i < value.MachineIds.Length; i++)
        {
            var frames = value.MachineFrames[i];
            if (o.Position + ItemMax + (frames.Length * 5) + tail > buffer.Length)
            {
                int at = o.Position;
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, at + ItemMax + (frames.Length * 5) + ((value.MachineIds.Length - i) * ItemMax) + tail));
                o = new PackCursor(buffer, at);
            }

            o.ArrayHeader(2);
            o.Int(value.MachineIds[i]);
            o.ArrayHeader(frames.Length);
            foreach (int f in frames)
            {
                o.Int(f);
            }
        }

        var counts = CountsCodec.ToArray(t.Counts);
        o.ArrayHeader(counts.Length);
        foreach (long c in counts)
        {
            o.Int(c);
        }

        o.String(t.Digest);
        o.Int(t.MachinesReset);
        o.Int(t.MachinesWithUncorrected);
        o.Int(t.MachinesWithVmce);
        o.Int(t.Dimms);
        o.Int(t.DimmsWithCe);
        o.Int(t.Events);
        o.Int(t.Inputs);
        return buffer.AsSpan(0, o.Position);
    }

    public ReplayIndex Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int fields = WireReader.ReadFields(ref reader, Fields, "the index");

        options.Security.DepthStep(ref reader);
        int frameCount = WireReader.ReadArray(ref reader, "the index's frames");
        var frames = new FrameEntry[frameCount];
        for (int i = 0; i < frameCount; i++)
        {
            options.Security.DepthStep(ref reader);
            int n = WireReader.ReadFields(ref reader, 3, "a frame entry");
            long offset = WireReader.ReadInt64(ref reader, "a frame entry's offset");
            int epoch = WireReader.ReadInt32(ref reader, "a frame entry's epoch", 0, int.MaxValue);
            int batch = WireReader.ReadInt32(ref reader, "a frame entry's batch", 0, int.MaxValue);
            frames[i] = new FrameEntry(offset, epoch, batch);
            WireReader.SkipFields(ref reader, n - 3, reader.Depth);
            reader.Depth--;
        }

        reader.Depth--;
        options.Security.DepthStep(ref reader);
        int machineCount = WireReader.ReadArray(ref reader, "the index's machines");
        var ids = new int[machineCount];
        var lists = new int[machineCount][];
        for (int i = 0; i < machineCount; i++)
        {
            options.Security.DepthStep(ref reader);
            int n = WireReader.ReadFields(ref reader, 2, "a machine entry");
            ids[i] = WireReader.ReadInt32(ref reader, "a machine entry's machine id", 0, int.MaxValue);
            options.Security.DepthStep(ref reader);
            int count = WireReader.ReadArray(ref reader, "a machine entry's frames");
            var list = new int[count];
            for (int k = 0; k < count; k++)
            {
                list[k] = WireReader.ReadInt32(ref reader, "a frame number", 0, int.MaxValue);
            }

            lists[i] = list;
            reader.Depth--;
            WireReader.SkipFields(ref reader, n - 2, reader.Depth);
            reader.Depth--;
        }

        reader.Depth--;
        options.Security.DepthStep(ref reader);
        int countFields = WireReader.ReadArray(ref reader, "the index's counts");
        if (countFields < CountsCodec.FieldsMin)
        {
            throw new WireException($"the index's counts with at least {CountsCodec.FieldsMin} fields", $"{countFields}");
        }

        // A file of format 2 or older has no dom0-buffer count: it reads as 0.
        var counts = new long[CountsCodec.Fields];
        int known = Math.Min(countFields, CountsCodec.Fields);
        for (int k = 0; k < known; k++)
        {
            counts[k] = WireReader.ReadInt64(ref reader, "a count");
        }

        WireReader.SkipFields(ref reader, countFields - known, reader.Depth);
        reader.Depth--;
        var totals = new ReplayTotals(
            CountsCodec.FromArray(counts),
            WireReader.ReadString(ref reader, "the digest", ReplayFormat.NameBytesMax),
            WireReader.ReadInt32(ref reader, "machines_reset", 0, int.MaxValue),
            WireReader.ReadInt32(ref reader, "machines_with_uncorrected", 0, int.MaxValue),
            WireReader.ReadInt32(ref reader, "machines_with_vmce", 0, int.MaxValue),
            WireReader.ReadInt64(ref reader, "dimms"),
            WireReader.ReadInt64(ref reader, "dimms_with_ce"),
            WireReader.ReadInt64(ref reader, "the event count"),
            WireReader.ReadInt64(ref reader, "the input count"));
        WireReader.SkipFields(ref reader, fields - Fields, reader.Depth);
        reader.Depth--;
        return new ReplayIndex(frames, ids, lists, totals);
    }
}
