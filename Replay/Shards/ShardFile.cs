using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.Reflection;
using MessagePack;
using Mca.Replay.Wire;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Shards;

/// <summary>What a shard file or a checkpoint journal is of (docs/fleet.md "Shard files").</summary>
/// <param name="Build">The engine build that wrote it (<see cref="ShardFile.BuildId"/>): results depend on it.</param>
/// <param name="Spec">The campaign's canonical spec (YAML), the whole fleet's.</param>
/// <param name="ShardIndex">This shard, 0-based (0 of 1 for a journal of a whole run).</param>
/// <param name="ShardCount">Shards the fleet was cut into.</param>
/// <param name="FirstMachineId">The shard's first machine id.</param>
/// <param name="Machines">The shard's machines.</param>
/// <param name="FleetMachines">The whole fleet's machines.</param>
/// <param name="EpochCount">Epochs of the run.</param>
/// <param name="EpochNs">Simulated time per epoch.</param>
/// <param name="DurationNs">Simulated time of the run.</param>
/// <param name="BatchSize">Machines per batch (results do not depend on it; a journal's batches do).</param>
/// <param name="Frames">A journal of a recorded run: each batch frame also holds the batch's encoded replay frames.</param>
/// <param name="Bias">Importance sampling of the run (<see cref="ShardFile.FormatBias"/>), empty for plain Monte Carlo.</param>
public sealed record ShardHeader(string Build, string Spec, int ShardIndex, int ShardCount, int FirstMachineId, int Machines, int FleetMachines, int EpochCount, long EpochNs, long DurationNs, int BatchSize, bool Frames = false, string Bias = "");

/// <summary>One encoded replay frame of a journaled batch (<see cref="EpochRecord"/>'s bytes and index facts).</summary>
public sealed record JournalFrame(int Epoch, byte[] Bytes, int[] Machines, int Events, int Inputs);

/// <summary>The end frame of a shard file: what it holds, so a truncated file is caught.</summary>
/// <param name="Batches">Batch frames before it.</param>
/// <param name="Machines">Machines in them.</param>
public sealed record ShardEnd(int Batches, int Machines);

/// <summary>
/// The framing shared by shard files and checkpoint journals: an 8-byte magic, then frames of
/// <c>[u32 LE length][MessagePack payload][u64 LE XxHash3 of the payload]</c>. The first frame is the header; then
/// one frame per batch, in batch order; a shard file ends with an end frame, a journal simply stops.
/// </summary>
public static class ShardFile
{
    /// <summary>The magic of a shard file.</summary>
    public static ReadOnlySpan<byte> ShardMagic => "MCASHRD1"u8;

    /// <summary>The magic of a checkpoint journal.</summary>
    public static ReadOnlySpan<byte> JournalMagic => "MCAJRNL1"u8;

    /// <summary>The largest frame a reader accepts (a batch of 65,536 machines fits in a tenth of it).</summary>
    public const int FrameBytesMax = 256 << 20;

    internal const int HeaderKind = 1;
    internal const int BatchKind = 2;
    internal const int EndKind = 3;
    private const int RowFields = 13;

    /// <summary>
    /// The engine build: the module version ids of the assemblies that decide results (deterministic builds give
    /// the same ids for the same source), with the tool's version. Shards and journals of another build are refused.
    /// </summary>
    public static string BuildId { get; } = ComputeBuildId();

    private static string ComputeBuildId()
    {
        var hash = new XxHash64();
        foreach (var type in new[] { typeof(Mca.Ecs.BatchStream), typeof(Mca.Systems.Engine.MachineBatch), typeof(CampaignRunner) })
        {
            hash.Append(type.Assembly.ManifestModule.ModuleVersionId.ToByteArray());
        }

        string version = typeof(ShardFile).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        return version + "/" + Convert.ToHexStringLower(hash.GetCurrentHash());
    }

    /// <summary>A run's importance-sampling bias as a header string: <c>name:index:factor:exposure</c> per class, ';'-separated (round-trip doubles).</summary>
    public static string FormatBias(ImportanceBias? bias) => bias is null ? "" :
        string.Join(";", bias.Classes.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Name}:{c.CpuClass}:{c.Factor:R}:{c.ExposurePerMachine:R}")));

    /// <summary>The bias a header string names (null for an empty one).</summary>
    public static ImportanceBias? ParseBias(string text, string path)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return null;
        }

        var classes = new List<BiasedClass>();
        foreach (string item in text.Split(';'))
        {
            string[] f = item.Split(':');
            if (f.Length != 4 || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out int cls) || cls > 3
                || !double.TryParse(f[2], NumberStyles.Float, CultureInfo.InvariantCulture, out double k) || !(k > 0)
                || !double.TryParse(f[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double l) || !(l >= 0))
            {
                throw new ShardFormatException(path, 8, "a header whose bias is name:class:factor:exposure per class", $"'{text}'");
            }

            classes.Add(new BiasedClass(f[0], cls, k, l));
        }

        return new ImportanceBias(classes);
    }

    internal static byte[] EncodeHeader(ShardHeader h)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(14);
        w.Write(HeaderKind);
        w.Write(h.Build);
        w.Write(h.Spec);
        w.Write(h.ShardIndex);
        w.Write(h.ShardCount);
        w.Write(h.FirstMachineId);
        w.Write(h.Machines);
        w.Write(h.FleetMachines);
        w.Write(h.EpochCount);
        w.Write(h.EpochNs);
        w.Write(h.DurationNs);
        w.Write(h.BatchSize);
        w.Write(h.Frames);
        w.Write(h.Bias);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] EncodeBatch(BatchResult b, IReadOnlyList<JournalFrame>? frames = null)
    {
        var buffer = new ArrayBufferWriter<byte>(4096 + (b.Machines.Length * 48));
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(frames is null ? 6 : 7);
        w.Write(BatchKind);
        w.Write(b.Batch);
        w.Write(b.FirstMachineId);
        w.Write(b.Dimms);
        // Epochs: sparse, only those with any count ([index, counts...]); most batch-epochs are idle.
        int busy = 0;
        foreach (ref readonly var c in b.Epochs.AsSpan())
        {
            busy += c.Equals(default(CampaignCounts)) ? 0 : 1;
        }

        w.WriteArrayHeader(busy);
        for (int e = 0; e < b.Epochs.Length; e++)
        {
            if (!b.Epochs[e].Equals(default(CampaignCounts)))
            {
                w.WriteArrayHeader(2);
                w.Write(e);
                WriteCounts(ref w, in b.Epochs[e]);
            }
        }

        w.WriteArrayHeader(b.Machines.Length);
        foreach (ref readonly var m in b.Machines.AsSpan())
        {
            w.WriteArrayHeader(RowFields);
            w.Write(m.Resets);
            w.Write(m.MceEvents);
            w.Write(m.UncorrectedArrivals);
            w.Write(m.VmceInjected);
            w.Write(m.DomainsCrashed);
            w.Write(m.LogsDelivered);
            w.Write(m.LogsLost);
            w.Write(m.CorrectedErrors);
            w.Write(m.EventHash);
            w.Write(m.FirstResetNs);
            w.Write(m.DimmsWithCe);
            WriteCounts(ref w, in m.Counts);
            w.WriteArrayHeader(4);
            for (int c = 0; c < 4; c++)
            {
                w.Write(m.CpuPrimaries[c]);
            }
        }

        if (frames is not null)
        {
            w.WriteArrayHeader(frames.Count);
            foreach (var f in frames)
            {
                w.WriteArrayHeader(5);
                w.Write(f.Epoch);
                w.Write(f.Bytes);
                w.WriteArrayHeader(f.Machines.Length);
                foreach (int m in f.Machines)
                {
                    w.Write(m);
                }

                w.Write(f.Events);
                w.Write(f.Inputs);
            }
        }

        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    internal static byte[] EncodeEnd(ShardEnd end)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(EndKind);
        w.Write(end.Batches);
        w.Write(end.Machines);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static void WriteCounts(ref MessagePackWriter w, in CampaignCounts c)
    {
        var fields = CountsCodec.ToArray(in c);
        w.WriteArrayHeader(fields.Length);
        foreach (long f in fields)
        {
            w.Write(f);
        }
    }

    /// <summary>Writes one frame: length, payload, checksum.</summary>
    internal static void WriteFrame(Stream stream, ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)payload.Length);
        stream.Write(prefix);
        stream.Write(payload);
        Span<byte> sum = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(sum, XxHash3.HashToUInt64(payload));
        stream.Write(sum);
    }

    /// <summary>
    /// Reads the frame at the stream's position: its payload, or null at a clean end of file. A partial or damaged
    /// frame throws, unless <paramref name="tornIsEnd"/> (a journal cut by a kill), where it also returns null.
    /// </summary>
    internal static byte[]? ReadFrame(Stream stream, string path, bool tornIsEnd)
    {
        long at = stream.Position;
        Span<byte> prefix = stackalloc byte[4];
        int got = stream.ReadAtLeast(prefix, 4, throwOnEndOfStream: false);
        if (got == 0)
        {
            return null;
        }

        if (got < 4)
        {
            return tornIsEnd ? null : throw Truncated(path, at);
        }

        uint length = BinaryPrimitives.ReadUInt32LittleEndian(prefix);
        if (length > FrameBytesMax)
        {
            return tornIsEnd ? null : throw new ShardFormatException(path, at, string.Create(CultureInfo.InvariantCulture, $"a frame of at most {FrameBytesMax:N0} bytes"), string.Create(CultureInfo.InvariantCulture, $"{length:N0}"));
        }

        if (stream.CanSeek && stream.Length - stream.Position < length + 8L)
        {
            return tornIsEnd ? null : throw Truncated(path, at);
        }

        var payload = new byte[length];
        Span<byte> sum = stackalloc byte[8];
        if (stream.ReadAtLeast(payload, payload.Length, throwOnEndOfStream: false) < payload.Length || stream.ReadAtLeast(sum, 8, throwOnEndOfStream: false) < 8)
        {
            return tornIsEnd ? null : throw Truncated(path, at);
        }

        if (BinaryPrimitives.ReadUInt64LittleEndian(sum) != XxHash3.HashToUInt64(payload))
        {
            return tornIsEnd ? null : throw new ShardFormatException(path, at, "a frame whose checksum matches its bytes", "a damaged frame");
        }

        return payload;
    }

    private static ShardFormatException Truncated(string path, long at) =>
        new(path, at, "a whole frame", "the end of the file (the file is truncated: its run did not complete or the copy is partial)");

    /// <summary>The kind of a payload (its first element).</summary>
    internal static int KindOf(byte[] payload, string path, long at)
    {
        try
        {
            var r = new MessagePackReader(payload);
            r.ReadArrayHeader();
            return r.ReadInt32();
        }
        catch (MessagePackSerializationException)
        {
            throw new ShardFormatException(path, at, "a frame that starts with its kind");
        }
    }

    internal static ShardHeader DecodeHeader(byte[] payload, string path, long at) => Decode(path, at, "a header frame", () =>
    {
        var r = new MessagePackReader(payload);
        int fields = r.ReadArrayHeader();
        Expect(fields is 12 or 13 or 14 && r.ReadInt32() == HeaderKind);
        var h = new ShardHeader(r.ReadString() ?? "", r.ReadString() ?? "", r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt64(), r.ReadInt64(), r.ReadInt32());
        if (fields >= 13)
        {
            h = h with { Frames = r.ReadBoolean() };
        }

        return fields == 14 ? h with { Bias = r.ReadString() ?? "" } : h;
    });

    internal static ShardEnd DecodeEnd(byte[] payload, string path, long at) => Decode(path, at, "an end frame", () =>
    {
        var r = new MessagePackReader(payload);
        Expect(r.ReadArrayHeader() == 3 && r.ReadInt32() == EndKind);
        return new ShardEnd(r.ReadInt32(), r.ReadInt32());
    });

    /// <summary>A batch frame, checked against the header (epochs in range, machines within the shard).</summary>
    internal static BatchResult DecodeBatch(byte[] payload, ShardHeader h, string path, long at) => DecodeBatch(payload, h, path, at, out _);

    /// <summary>A batch frame and, in a recorded run's journal, the batch's replay frames.</summary>
    internal static BatchResult DecodeBatch(byte[] payload, ShardHeader h, string path, long at, out List<JournalFrame>? frames)
    {
        List<JournalFrame>? found = null;
        var result = Decode(path, at, "a batch frame", () => DecodeBatchCore(payload, h, out found));
        frames = found;
        return result;
    }

    private static BatchResult DecodeBatchCore(byte[] payload, ShardHeader h, out List<JournalFrame>? frames)
    {
        var r = new MessagePackReader(payload);
        int fields = r.ReadArrayHeader();
        Expect((fields == 6 || (fields == 7 && h.Frames)) && r.ReadInt32() == BatchKind);
        int batch = r.ReadInt32();
        int first = r.ReadInt32();
        long dimms = r.ReadInt64();
        var epochs = new CampaignCounts[h.EpochCount];
        int busy = r.ReadArrayHeader();
        Expect(busy <= h.EpochCount);
        int last = -1;
        for (int i = 0; i < busy; i++)
        {
            Expect(r.ReadArrayHeader() == 2);
            int e = r.ReadInt32();
            Expect(e > last && e < h.EpochCount);
            last = e;
            epochs[e] = ReadCounts(ref r);
        }

        int n = r.ReadArrayHeader();
        Expect(n >= 1 && n <= h.BatchSize && first >= h.FirstMachineId && (long)first + n <= (long)h.FirstMachineId + h.Machines);
        var machines = new MachineOutcome[n];
        for (int i = 0; i < n; i++)
        {
            Expect(r.ReadArrayHeader() == RowFields);
            ref var m = ref machines[i];
            m.Resets = r.ReadInt32();
            m.MceEvents = r.ReadInt32();
            m.UncorrectedArrivals = r.ReadInt32();
            m.VmceInjected = r.ReadInt32();
            m.DomainsCrashed = r.ReadInt32();
            m.LogsDelivered = r.ReadInt64();
            m.LogsLost = r.ReadInt64();
            m.CorrectedErrors = r.ReadInt64();
            m.EventHash = r.ReadUInt64();
            m.FirstResetNs = r.ReadInt64();
            m.DimmsWithCe = r.ReadInt32();
            m.Counts = ReadCounts(ref r);
            Expect(r.ReadArrayHeader() == 4);
            for (int c = 0; c < 4; c++)
            {
                m.CpuPrimaries[c] = r.ReadInt32();
            }
        }

        frames = null;
        if (fields == 7)
        {
            int count = r.ReadArrayHeader();
            Expect(count <= h.EpochCount);
            frames = new List<JournalFrame>(count);
            for (int i = 0; i < count; i++)
            {
                Expect(r.ReadArrayHeader() == 5);
                int epoch = r.ReadInt32();
                Expect(epoch >= 0 && epoch < h.EpochCount);
                byte[] bytes = r.ReadBytes()?.ToArray() ?? [];
                int ids = r.ReadArrayHeader();
                Expect(ids <= n);
                var list = new int[ids];
                for (int k = 0; k < ids; k++)
                {
                    list[k] = r.ReadInt32();
                    Expect(list[k] >= first && list[k] < first + n);
                }

                frames.Add(new JournalFrame(epoch, bytes, list, r.ReadInt32(), r.ReadInt32()));
            }
        }

        Expect(r.End);
        return new BatchResult(batch, first, machines, epochs, dimms);
    }

    private static CampaignCounts ReadCounts(ref MessagePackReader r)
    {
        int n = r.ReadArrayHeader();
        Expect(n == CountsCodec.Fields);
        Span<long> v = stackalloc long[CountsCodec.Fields];
        for (int i = 0; i < n; i++)
        {
            v[i] = r.ReadInt64();
        }

        return CountsCodec.FromArray(v);
    }

    private static void Expect(bool ok)
    {
        if (!ok)
        {
            throw new MessagePackSerializationException("unexpected shape");
        }
    }

    private static T Decode<T>(string path, long at, string what, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (Exception e) when (e is MessagePackSerializationException or EndOfStreamException or OverflowException or InvalidOperationException)
        {
            throw new ShardFormatException(path, at, what + " of this format");
        }
    }
}
