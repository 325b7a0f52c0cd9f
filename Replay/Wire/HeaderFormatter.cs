using System.Globalization;
using MessagePack;
using MessagePack.Formatters;

namespace Mca.Replay.Wire;

/// <summary>
/// The header on the wire (docs/replay-format.md "Header"): an array whose key 0 is the format version, read
/// and checked before anything else so a file of another version gives that error and no other.
/// </summary>
internal sealed class HeaderFormatter : IMessagePackFormatter<ReplayHeader>
{
    /// <summary>Fields every header has (formats 1 to 3 have exactly these).</summary>
    public const int Fields = 13;

    /// <summary>Fields a format 4 header has at least: key 13 is <see cref="ReplayHeader.Contents"/>.</summary>
    public const int FieldsV4 = 14;

    /// <summary>Fields this writer writes in format 4: key 14 is <see cref="ReplayHeader.Literal"/> (false when left out).</summary>
    public const int FieldsWritten = 15;

    public static readonly HeaderFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, ReplayHeader value, MessagePackSerializerOptions options)
    {
        writer.WriteArrayHeader(value.FormatVersion >= 4 ? FieldsWritten : Fields);
        writer.Write(value.FormatVersion);
        writer.Write(value.EngineVersion);
        writer.Write((int)value.Kind);
        writer.Write(value.SpecYaml);
        writer.Write(value.Seed);
        writer.Write(value.Policy);
        writer.Write(value.Workload);
        writer.Write(value.FirstMachineId);
        writer.Write(value.MachineCount);
        writer.Write(value.BatchSize);
        writer.Write(value.EpochNs);
        writer.Write(value.EpochCount);
        writer.Write(value.DurationNs);
        if (value.FormatVersion >= 4)
        {
            writer.Write((int)value.Contents);
            writer.Write(value.Literal);
        }
    }

    public ReplayHeader Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int fields = WireReader.ReadArray(ref reader, "the header");
        if (fields < 1)
        {
            throw new WireException("a header that starts with the format version", "an empty array");
        }

        long version = WireReader.ReadInt64(ref reader, "the format version");
        if (version is < ReplayFormat.OldestReadableVersion or > ReplayFormat.Version)
        {
            // A newer format is a newer mca's: say so, so the reader knows what to run instead.
            string found = version > ReplayFormat.Version
                ? string.Create(CultureInfo.InvariantCulture, $"{version} (a newer mca wrote it: read it with the mca that recorded it)")
                : version.ToString(CultureInfo.InvariantCulture);
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"format version {ReplayFormat.OldestReadableVersion} to {ReplayFormat.Version}"), found);
        }

        if (fields < Fields)
        {
            throw new WireException($"a header of at least {Fields} fields", fields.ToString(CultureInfo.InvariantCulture));
        }

        var header = new ReplayHeader(
            (int)version,
            WireReader.ReadString(ref reader, "the engine version", ReplayFormat.NameBytesMax),
            (ReplayKind)WireReader.ReadInt32(ref reader, "the replay kind (0 campaign, 1 extract)", 0, 1),
            WireReader.ReadString(ref reader, "the campaign spec", ReplayFormat.SpecBytesMax),
            WireReader.ReadUInt64(ref reader, "the seed"),
            WireReader.ReadString(ref reader, "the policy", ReplayFormat.NameBytesMax),
            WireReader.ReadString(ref reader, "the workload", ReplayFormat.NameBytesMax),
            WireReader.ReadInt32(ref reader, "the first machine id", 0, int.MaxValue),
            WireReader.ReadInt32(ref reader, "the machine count", 1, int.MaxValue),
            WireReader.ReadInt32(ref reader, "the batch size", 1, int.MaxValue),
            WireReader.ReadInt64(ref reader, "the epoch length"),
            WireReader.ReadInt32(ref reader, "the epoch count", 0, int.MaxValue),
            WireReader.ReadInt64(ref reader, "the duration"));
        if (version >= 4)
        {
            if (fields < FieldsV4)
            {
                throw new WireException($"a format 4 header of at least {FieldsV4} fields (key 13: what the frames store)", fields.ToString(CultureInfo.InvariantCulture));
            }

            header = header with { Contents = (ReplayContents)WireReader.ReadInt32(ref reader, "what the frames store (0 hashes, 1 inputs, 2 events, 3 both)", 0, 3) };
            if (fields > FieldsV4)
            {
                header = header with { Literal = WireReader.ReadBoolean(ref reader, "the literal polling mode (true or false)") };
            }
        }

        WireReader.SkipFields(ref reader, fields - (version >= 4 ? Math.Min(fields, FieldsWritten) : Fields), reader.Depth);
        reader.Depth--;
        if (header.EpochNs <= 0 || header.DurationNs < 0 || (header.DurationNs + header.EpochNs - 1) / header.EpochNs != header.EpochCount)
        {
            throw new WireException("an epoch length > 0 and an epoch count that covers the duration", string.Create(CultureInfo.InvariantCulture, $"epoch {header.EpochNs} ns x {header.EpochCount} for {header.DurationNs} ns"));
        }

        if ((long)header.FirstMachineId + header.MachineCount > int.MaxValue)
        {
            throw new WireException("machine ids within 32 bits", string.Create(CultureInfo.InvariantCulture, $"{header.FirstMachineId} + {header.MachineCount}"));
        }

        return header;
    }
}
