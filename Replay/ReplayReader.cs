using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using MessagePack;
using Mca.Replay.Wire;
using Microsoft.Win32.SafeHandles;

namespace Mca.Replay;

/// <summary>
/// Reads a replay file, treating it as untrusted: <see cref="Open"/> checks the magic, the footer (a file
/// without it is truncated), the header and the index against each other; frames are checked against the
/// header and the index as they are read. Every problem is a <see cref="ReplayFormatException"/>.
/// Reading frames is thread-safe (positional reads, no shared buffers).
/// </summary>
internal sealed class ReplayReader : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly SafeFileHandle _file;

    private ReplayReader(string path, SafeFileHandle file, long length, ReplayHeader header, long headerEnd, ReplayIndex index, long indexOffset)
    {
        Path = path;
        _file = file;
        Length = length;
        Header = header;
        HeaderEnd = headerEnd;
        Index = index;
        IndexOffset = indexOffset;
    }

    /// <summary>The file as the caller named it (errors name it so).</summary>
    public string Path { get; }

    public long Length { get; }

    public ReplayHeader Header { get; }

    public ReplayIndex Index { get; }

    /// <summary>Offset of the first frame (the end of the header record).</summary>
    public long HeaderEnd { get; }

    public long IndexOffset { get; }

    /// <summary>Opens and checks a replay; throws <see cref="ReplayFormatException"/> for anything but a complete replay of this version.</summary>
    public static ReplayReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        SafeFileHandle file;
        try
        {
            file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ReplayFormatException(path, 0, "a readable replay file", e.Message.TrimEnd('.'));
        }

        try
        {
            var reader = OpenCore(path, file);
            file = null!;
            return reader;
        }
        finally
        {
            file?.Dispose();
        }
    }

    private static ReplayReader OpenCore(string path, SafeFileHandle file)
    {
        long length = RandomAccess.GetLength(file);
        var magic = ReplayFormat.Magic;
        Span<byte> start = stackalloc byte[magic.Length];
        int have = (int)Math.Min(magic.Length, length);
        RecordIO.ReadExactly(file, start[..have], 0);
        if (have < magic.Length || !start.SequenceEqual(magic))
        {
            bool prefix = magic.StartsWith(start[..have]);
            throw new ReplayFormatException(path, 0, "the replay magic 89 4D 43 41 52 0D 0A 1A (an .mcar file)",
                have == 0 ? "an empty file" : "bytes " + Convert.ToHexString(start[..have]), truncated: prefix && have > 0);
        }

        // The footer first: a file without one is a recording that never completed.
        long footer = length - ReplayFormat.FooterLength;
        Span<byte> tail = stackalloc byte[ReplayFormat.FooterLength];
        if (footer < magic.Length)
        {
            throw new ReplayFormatException(path, length, "a header, frames, an index and a 16-byte footer", "the end of the file", truncated: true);
        }

        RecordIO.ReadExactly(file, tail, footer);
        if (!tail[8..].SequenceEqual(ReplayFormat.EndMagic))
        {
            throw new ReplayFormatException(path, footer + 8, "the end marker \"MCAR-END\" in the last 8 bytes", "bytes " + Convert.ToHexString(tail[8..]), truncated: true);
        }

        long headerEnd = RecordIO.DeclaredEnd(file, path, magic.Length, footer, ReplayFormat.HeaderRecord, "the header");
        var headerBytes = RecordIO.Read(file, path, magic.Length, headerEnd, ReplayFormat.HeaderRecord, "the header");
        var header = Decode(path, magic.Length, headerBytes, static (ref MessagePackReader r) => HeaderFormatter.Instance.Deserialize(ref r, ReplayResolver.Options), compressed: false, "the header");

        ulong indexAt = BinaryPrimitives.ReadUInt64LittleEndian(tail);
        if (indexAt < (ulong)headerEnd || indexAt >= (ulong)footer)
        {
            throw new ReplayFormatException(path, footer, string.Create(Inv, $"an index offset from {headerEnd} to {footer - 1}"), indexAt.ToString(Inv));
        }

        long indexOffset = (long)indexAt;
        var indexBytes = RecordIO.Read(file, path, indexOffset, footer, ReplayFormat.IndexRecord, "the index");
        var index = Decode(path, indexOffset, indexBytes, static (ref MessagePackReader r) => IndexFormatter.Instance.Deserialize(ref r, ReplayResolver.Options), compressed: true, "the index");
        Check(path, indexOffset, header, headerEnd, index);
        return new ReplayReader(path, file, length, header, headerEnd, index, indexOffset);
    }

    /// <summary>Reads and checks frame number <paramref name="frame"/> of the index.</summary>
    public ReplayFrame ReadFrame(int frame)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frame);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(frame, Index.Frames.Length);
        var entry = Index.Frames[frame];
        long end = frame + 1 < Index.Frames.Length ? Index.Frames[frame + 1].Offset : IndexOffset;
        var payload = RecordIO.Read(_file, Path, entry.Offset, end, ReplayFormat.FrameRecord, "a frame");
        var decoded = Decode(Path, entry.Offset, payload, static (ref MessagePackReader r) => FrameFormatter.Instance.Deserialize(ref r, ReplayResolver.Options), compressed: true, "a frame");
        var f = decoded with { Offset = entry.Offset };
        CheckFrame(f, frame, entry);
        return f;
    }

    /// <summary>
    /// Every frame in file order, each checked; at the end, checks that every frame the index lists for
    /// each machine held it and that the totals count what the frames hold.
    /// </summary>
    public IEnumerable<ReplayFrame> ReadFrames()
    {
        long sections = 0, events = 0, inputs = 0;
        for (int i = 0; i < Index.Frames.Length; i++)
        {
            var f = ReadFrame(i);
            sections += f.Machines.Length;
            foreach (var m in f.Machines)
            {
                events += m.EventCount;
                inputs += m.InputCount;
            }

            yield return f;
        }

        long listed = 0;
        foreach (var list in Index.MachineFrames)
        {
            listed += list.Length;
        }

        if (listed != sections)
        {
            throw new ReplayFormatException(Path, IndexOffset, string.Create(Inv, $"an index that lists each machine's frames ({sections} machine sections in the frames)"), string.Create(Inv, $"{listed} listed"));
        }

        if (events != Index.Totals.Events || inputs != Index.Totals.Inputs)
        {
            throw new ReplayFormatException(Path, IndexOffset, string.Create(Inv, $"totals of {events} events and {inputs} inputs (what the frames hold)"), string.Create(Inv, $"{Index.Totals.Events} and {Index.Totals.Inputs}"));
        }
    }

    /// <summary>The frames that hold machine <paramref name="machine"/>, in epoch order, with its section of each.</summary>
    public IEnumerable<(ReplayFrame Frame, MachineFrame Section)> ReadMachine(int machine)
    {
        var frames = Index.FramesOf(machine).ToArray();
        foreach (int i in frames)
        {
            var f = ReadFrame(i);
            int at = Array.FindIndex(f.Machines, s => s.Machine == machine);
            if (at < 0)
            {
                throw new ReplayFormatException(Path, f.Offset, string.Create(Inv, $"frame {i} to hold machine {machine}, as the index says"), "no section for it");
            }

            yield return (f, f.Machines[at]);
        }
    }

    public void Dispose() => _file.Dispose();

    private delegate T Parse<T>(ref MessagePackReader reader);

    /// <summary>Decodes a payload; every failure (bad LZ4, bad MessagePack, bad value) becomes one format error at <paramref name="offset"/>.</summary>
    private static T Decode<T>(string path, long offset, byte[] payload, Parse<T> parse, bool compressed, string what)
        where T : class
    {
        byte[]? rented = null;
        try
        {
            var value = compressed ? Lz4Block.ReadPayload(payload, out rented) : payload;
            var reader = new MessagePackReader(value);
            var result = parse(ref reader);
            if (!reader.End)
            {
                string where = rented is null ? "its record" : "its decompressed LZ4 block";
                throw new WireException(string.Create(Inv, $"{what} that fills {where} ({value.Length} bytes)"), string.Create(Inv, $"{reader.Consumed} bytes"));
            }

            return result;
        }
        catch (WireException e)
        {
            throw new ReplayFormatException(path, offset, $"{e.Expected} in {what}", e.Found);
        }
        catch (MessagePackSerializationException e)
        {
            var inner = e.InnerException;
            while (inner is MessagePackSerializationException { InnerException: not null } nested)
            {
                inner = nested.InnerException;
            }

            if (inner is WireException w)
            {
                throw new ReplayFormatException(path, offset, $"{w.Expected} in {what}", w.Found);
            }

            throw new ReplayFormatException(path, offset, $"{what} as well-formed MessagePack (LZ4-compressed ext 99 or plain)", OneLine((inner ?? e).Message));
        }
        catch (Exception e) when (e is EndOfStreamException or OverflowException or InvalidOperationException or ArgumentException)
        {
            throw new ReplayFormatException(path, offset, $"{what} as well-formed MessagePack", OneLine(e.Message));
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").TrimEnd('.');

    /// <summary>The index against the header: offsets in order and in range, (epoch, batch) increasing and in range, machine lists consistent.</summary>
    private static void Check(string path, long at, ReplayHeader h, long headerEnd, ReplayIndex index)
    {
        var frames = index.Frames;
        long previousOffset = headerEnd - 1;
        long previousKey = -1;
        for (int i = 0; i < frames.Length; i++)
        {
            var f = frames[i];
            if (i == 0 && f.Offset != headerEnd)
            {
                throw new ReplayFormatException(path, at, string.Create(Inv, $"the first frame at byte {headerEnd} (right after the header)"), f.Offset.ToString(Inv));
            }

            if (f.Offset <= previousOffset || f.Offset >= at)
            {
                throw new ReplayFormatException(path, at, string.Create(Inv, $"frame {i} at a byte from {previousOffset + 1} to {at - 1}"), f.Offset.ToString(Inv));
            }

            if (f.Epoch >= h.EpochCount || f.Batch >= h.BatchCount)
            {
                throw new ReplayFormatException(path, at, string.Create(Inv, $"frame {i} in epochs 0..{h.EpochCount - 1} and batches 0..{h.BatchCount - 1}"), string.Create(Inv, $"epoch {f.Epoch}, batch {f.Batch}"));
            }

            long key = ((long)f.Epoch * h.BatchCount) + f.Batch;
            if (key <= previousKey)
            {
                throw new ReplayFormatException(path, at, string.Create(Inv, $"frame {i} after the previous one in (epoch, batch) order"), string.Create(Inv, $"epoch {f.Epoch}, batch {f.Batch}"));
            }

            previousOffset = f.Offset;
            previousKey = key;
        }

        if (frames.Length == 0 && headerEnd != at)
        {
            throw new ReplayFormatException(path, at, string.Create(Inv, $"the index right after the header at byte {headerEnd} (no frames)"), at.ToString(Inv));
        }

        int previousMachine = -1;
        for (int i = 0; i < index.MachineIds.Length; i++)
        {
            int m = index.MachineIds[i];
            if (m <= previousMachine || !h.Holds(m))
            {
                throw new ReplayFormatException(path, at, string.Create(Inv, $"machine ids in increasing order from {h.FirstMachineId} to {h.FirstMachineId + (long)h.MachineCount - 1}"), m.ToString(Inv));
            }

            int previousFrame = -1;
            foreach (int f in index.MachineFrames[i])
            {
                if (f <= previousFrame || f >= frames.Length || frames[f].Batch != h.BatchOf(m))
                {
                    throw new ReplayFormatException(path, at, string.Create(Inv, $"machine {m}'s frames in increasing order among the frames of batch {h.BatchOf(m)}"), string.Create(Inv, $"frame {f}"));
                }

                previousFrame = f;
            }

            previousMachine = m;
        }

        var t = index.Totals;
        if (t.Events < 0 || t.Inputs < 0)
        {
            throw new ReplayFormatException(path, at, "event and input totals >= 0", string.Create(Inv, $"{t.Events} and {t.Inputs}"));
        }
    }

    /// <summary>A frame against its index entry and the header: machines in its batch, in increasing order, each listed by the index.</summary>
    private void CheckFrame(ReplayFrame f, int number, FrameEntry entry)
    {
        if (f.Epoch != entry.Epoch || f.Batch != entry.Batch)
        {
            throw new ReplayFormatException(Path, f.Offset, string.Create(Inv, $"frame {number} of epoch {entry.Epoch}, batch {entry.Batch} (as the index says)"), string.Create(Inv, $"epoch {f.Epoch}, batch {f.Batch}"));
        }

        int previous = -1;
        foreach (var m in f.Machines)
        {
            if (m.Machine <= previous || !Header.Holds(m.Machine) || Header.BatchOf(m.Machine) != f.Batch)
            {
                long first = Header.FirstMachineId + ((long)f.Batch * Header.BatchSize);
                throw new ReplayFormatException(Path, f.Offset, string.Create(Inv, $"machines of batch {f.Batch} ({first}..{Math.Min(first + Header.BatchSize, Header.FirstMachineId + (long)Header.MachineCount) - 1}) in increasing order"), string.Create(Inv, $"machine {m.Machine}"));
            }

            if (Index.FramesOf(m.Machine).BinarySearch(number) < 0)
            {
                throw new ReplayFormatException(Path, f.Offset, string.Create(Inv, $"only machines the index lists for frame {number}"), string.Create(Inv, $"machine {m.Machine}"));
            }

            if (m.Inputs.Length == 0 && m.Events.Length == 0 && m.StateHash is null)
            {
                throw new ReplayFormatException(Path, f.Offset, string.Create(Inv, $"machine {m.Machine}'s section to hold inputs, events or a state hash"), "an empty section");
            }

            previous = m.Machine;
        }
    }
}
