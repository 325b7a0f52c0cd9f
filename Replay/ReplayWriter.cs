using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using Mca.Replay.Recording;
using Mca.Replay.Wire;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;
using MessagePack;

namespace Mca.Replay;

/// <summary>
/// Records a campaign into a replay file (docs/replay-format.md). Bytes go to a hidden <c>.PATH.mca-tmp-PID-N</c>
/// beside it (or to a caller's stream, whose file the caller renames); only
/// <see cref="Complete"/> writes the index and footer and renames the file to its final name, so an
/// interrupted recording never leaves a file that looks complete. <see cref="Dispose"/> without
/// <see cref="Complete"/> deletes the temporary file. Nothing written depends on threads or wall time.
/// </summary>
/// <example>
/// <code>
/// using var recorder = ReplayWriter.Create("run.mcar", spec);
/// var options = spec.ToOptions(threads) with { Recorder = BatchRecorder.Attach, Encoder = recorder.Encoder };
/// var result = CampaignRunner.Run(options, progress, recorder.Append);
/// recorder.Complete(result);
/// </code>
/// </example>
public sealed class ReplayWriter : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static int s_tempCounter;

    private readonly Stream _stream;
    private readonly bool _ownsFile = true;
    /// <summary>Bytes written so far; counted here, so the stream need not seek (a pipe or device works).</summary>
    private long _position;
    private readonly FrameGrouper _grouper = new();
    private readonly FrameEncoder _encoder = new();
    private readonly List<FrameEntry> _frames = [];
    private readonly RecordPool _pool;
    private byte[] _scratch = [];
    /// <summary>(machine &lt;&lt; 32 | frame number) for every machine section written, in frame order; grouped by machine into the index at the end.</summary>
    private readonly List<long> _sections = [];
    private long _lastKey = -1;
    // Spooling (a streaming campaign delivers each batch's epochs in turn): frames go to a hidden spool file in any
    // order and are copied into the replay in (epoch, batch) order at Complete, so the bytes are the lockstep run's.
    private readonly bool _spooling;
    private FileStream? _spool;
    private string? _spoolPath;
    private long _spoolPosition;
    private readonly List<SpoolEntry> _spooled = [];
    private bool _completed;
    private bool _disposed;

    private ReplayWriter(string path, ReplayHeader header, Stream? stream, bool spool = false)
    {
        Path = path;
        Header = header;
        _spooling = spool;
        _pool = new RecordPool(header.BatchSize);
        Encoder = new FrameEncoding(header, _pool);
        if (stream is not null)
        {
            _stream = stream;
            _ownsFile = false;
        }
        else
        {
            // Hidden and unique in the target's directory, so it never looks like a finished replay.
            string full = System.IO.Path.GetFullPath(path);
            TempPath = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(full) ?? "/",
                string.Create(Inv, $".{System.IO.Path.GetFileName(full)}.mca-tmp-{Environment.ProcessId}-{Interlocked.Increment(ref s_tempCounter)}"));
            try
            {
                _stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new IOException($"{path}: cannot write: {e.Message.TrimEnd('.')}", e);
            }
        }

        Write(ReplayFormat.Magic);
        var buffer = new ArrayBufferWriter<byte>(1 << 12);
        var writer = new MessagePackWriter(buffer);
        HeaderFormatter.Instance.Serialize(ref writer, header, ReplayResolver.Options);
        writer.Flush();
        WriteRecord(ReplayFormat.HeaderRecord, buffer.WrittenSpan);
    }

    /// <summary>
    /// Encodes epochs on the campaign's workers (set it as <see cref="CampaignOptions.Encoder"/>); <see cref="Append"/>
    /// then only writes their bytes. Optional: without it, <see cref="Append"/> encodes on the consumer.
    /// </summary>
    public IEpochEncoder Encoder { get; }

    /// <summary>The final file name.</summary>
    public string Path { get; }

    /// <summary>Where bytes go until <see cref="Complete"/>; null when writing to a caller's stream.</summary>
    public string? TempPath { get; }

    public ReplayHeader Header { get; }

    public long FrameCount => _frames.Count;

    public long EventCount { get; private set; }

    public long InputCount { get; private set; }

    /// <summary>Bytes written so far (the file's size once complete).</summary>
    /// <summary>The recorder every batch of the recorded campaign takes (<see cref="CampaignOptions.Recorder"/>).</summary>
    public Func<MachineBatch, IBatchRecorder> Recorder => BatchRecorder.Attach;

    public long BytesWritten => _position;

    /// <summary>
    /// Starts recording the campaign <paramref name="spec"/> (it must be run with
    /// <see cref="CampaignOptions.Recorder"/> set to <see cref="BatchRecorder.Attach"/>). <paramref name="catalog"/> is the one the spec's workload comes from.
    /// </summary>
    public static ReplayWriter Create(string path, CampaignSpec spec, WorkloadCatalog? catalog = null, ReplayContents contents = ReplayContents.Hashes, bool literal = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        return new ReplayWriter(path, CampaignHeader(spec, catalog) with { Contents = contents, Literal = literal }, null, spool: true);
    }

    /// <summary>
    /// Records into <paramref name="stream"/> (named <paramref name="path"/> in reports) instead of a file of its own:
    /// the caller owns the stream, its temporary name and its rename; <see cref="Complete"/> only writes the end and flushes.
    /// </summary>
    public static ReplayWriter Create(Stream stream, string path, CampaignSpec spec, WorkloadCatalog? catalog = null, ReplayContents contents = ReplayContents.Hashes, bool literal = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(path);
        return new ReplayWriter(path, CampaignHeader(spec, catalog) with { Contents = contents, Literal = literal }, stream, spool: true);
    }

    private static ReplayHeader CampaignHeader(CampaignSpec spec, WorkloadCatalog? catalog)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate(catalog);
        long duration = spec.Days * CampaignOptions.DayNs;
        long epochNs = spec.EpochDays * CampaignOptions.DayNs;
        return new ReplayHeader(
            ReplayFormat.Version,
            ReplayFormat.EngineVersion,
            ReplayKind.Campaign,
            CampaignSpecYaml.Write(spec, catalog, everyWorkload: false),
            spec.Seed,
            spec.Policy,
            spec.Workload,
            FirstMachineId: 0,
            MachineCount: spec.Machines,
            BatchSize: spec.BatchSize,
            EpochNs: epochNs,
            EpochCount: (int)((duration + epochNs - 1) / epochNs),
            DurationNs: duration);
    }

    /// <summary>
    /// Runs the campaign <paramref name="spec"/> with recording on and writes it to <paramref name="path"/>:
    /// <see cref="Create(string, CampaignSpec, WorkloadCatalog?, ReplayContents, bool)"/>, <see cref="Append"/> from the ordered
    /// consumer, <see cref="Complete"/>. Nothing is left at <paramref name="path"/> if the run fails.
    /// </summary>
    public static CampaignResult Record(string path, CampaignSpec spec, int threads, Action<CampaignProgress>? progress = null, WorkloadCatalog? catalog = null, ReplayContents contents = ReplayContents.Hashes, CancellationToken ct = default)
    {
        using var writer = Create(path, spec, catalog, contents);
        var options = spec.ToOptions(threads, catalog: catalog) with { Recorder = BatchRecorder.Attach, Encoder = writer.Encoder };
        var result = CampaignRunner.Run(options, progress, writer.Append, ct: ct);
        writer.Complete(result);
        return result;
    }

    /// <summary>Starts a replay with an explicit header (extraction).</summary>
    internal static ReplayWriter Create(string path, ReplayHeader header) => new(path, header, null);

    /// <summary>Starts a replay with an explicit header into a caller's stream (extraction from the command line).</summary>
    internal static ReplayWriter Create(Stream stream, string path, ReplayHeader header) => new(path, header, stream);

    /// <summary>
    /// Records one batch's epoch; an output with nothing in it writes nothing. A campaign's writer
    /// (<see cref="Create(string, CampaignSpec, WorkloadCatalog?, ReplayContents, bool)"/>) takes outputs in any order, each (epoch, batch)
    /// once: a streaming campaign delivers every epoch of batch 0, then of batch 1, ...; they are spooled and
    /// written in (epoch, batch) order at <see cref="Complete"/>. An extract's writer takes them in (epoch, batch) order.
    /// </summary>
    public void Append(EpochOutput output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        var h = Header;
        if (output.Epoch < 0 || output.Epoch >= h.EpochCount || output.Batch < 0 || output.Batch >= h.BatchCount)
        {
            throw new ArgumentException(string.Create(Inv, $"epoch {output.Epoch}, batch {output.Batch}: expected epochs 0..{h.EpochCount - 1} and batches 0..{h.BatchCount - 1}"), nameof(output));
        }

        long key = ((long)output.Epoch * h.BatchCount) + output.Batch;
        if (!_spooling && key <= _lastKey)
        {
            throw new ArgumentException(string.Create(Inv, $"epoch {output.Epoch}, batch {output.Batch} came out of order: expected (epoch, batch) order"), nameof(output));
        }

        long first = h.FirstMachineId + ((long)output.Batch * h.BatchSize);
        if (output.FirstMachineId != first)
        {
            throw new ArgumentException(string.Create(Inv, $"batch {output.Batch} starts at machine {output.FirstMachineId}: expected {first}"), nameof(output));
        }

        _lastKey = key;
        var record = output.Record;
        if (record is null)
        {
            _grouper.Group(output);
            record = EncodeGrouped(Header, _grouper, output.Events, output.Inputs, _encoder, ref _scratch, _pool);
            if (record is null)
            {
                return;
            }
        }

        if (_spooling)
        {
            Spool(key, output.Epoch, output.Batch, record);
            _pool.Return(record);
            return;
        }

        WriteFrame(output.Epoch, output.Batch, record.Machines.AsSpan(0, record.MachineCount), record.EventCount, record.InputCount, record.Bytes.AsSpan(0, record.Length));
        _pool.Return(record);
    }

    private void WriteFrame(int epoch, int batch, ReadOnlySpan<int> machines, int events, int inputs, ReadOnlySpan<byte> bytes)
    {
        int frame = _frames.Count;
        _frames.Add(new FrameEntry(_position, epoch, batch));
        foreach (int machine in machines)
        {
            _sections.Add(((long)machine << 32) | (uint)frame);
        }

        EventCount += events;
        InputCount += inputs;
        Write(bytes);
    }

    /// <summary>One frame waiting in the spool: where its bytes are and what the index needs of it.</summary>
    private readonly record struct SpoolEntry(long Key, int Epoch, int Batch, long Offset, int Length, int[] Machines, int Events, int Inputs);

    private void Spool(long key, int epoch, int batch, EpochRecord record)
    {
        if (_spool is null)
        {
            string full = System.IO.Path.GetFullPath(Path);
            string dir = System.IO.Path.GetDirectoryName(full) ?? "/";
            // A device or FIFO output (/dev/null) has no directory for a spool of its own: the temporary directory then.
            if (dir.StartsWith("/dev", StringComparison.Ordinal) || dir.StartsWith("/proc", StringComparison.Ordinal) || !_ownsFile && !File.Exists(full) && !Directory.Exists(dir))
            {
                dir = System.IO.Path.GetTempPath();
            }

            _spoolPath = System.IO.Path.Combine(dir, string.Create(Inv, $".{System.IO.Path.GetFileName(full)}.mca-spool-{Environment.ProcessId}-{Interlocked.Increment(ref s_tempCounter)}"));
            try
            {
                _spool = new FileStream(_spoolPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, bufferSize: 1 << 16, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
            {
                throw new IOException($"{Path}: cannot write its spool beside it: {e.Message.TrimEnd('.')}", e);
            }
        }

        _spool.Write(record.Bytes, 0, record.Length);
        _spooled.Add(new SpoolEntry(key, epoch, batch, _spoolPosition, record.Length, record.Machines.AsSpan(0, record.MachineCount).ToArray(), record.EventCount, record.InputCount));
        _spoolPosition += record.Length;
    }

    /// <summary>The spooled frames into the replay, in (epoch, batch) order.</summary>
    private void Unspool()
    {
        if (_spool is null)
        {
            return;
        }

        _spooled.Sort((a, b) => a.Key.CompareTo(b.Key));
        _spool.Flush();
        byte[] buffer = [];
        long last = -1;
        foreach (var e in _spooled)
        {
            if (e.Key == last)
            {
                throw new ArgumentException(string.Create(Inv, $"epoch {e.Epoch}, batch {e.Batch} was recorded twice: expected each once"));
            }

            last = e.Key;
            if (buffer.Length < e.Length)
            {
                buffer = new byte[Math.Max(e.Length, buffer.Length * 2)];
            }

            _spool.Position = e.Offset;
            _spool.ReadExactly(buffer, 0, e.Length);
            WriteFrame(e.Epoch, e.Batch, e.Machines, e.Events, e.Inputs, buffer.AsSpan(0, e.Length));
        }

        _spooled.Clear();
        _spool.Dispose();
        _spool = null;
    }

    /// <summary>
    /// Encodes a grouped epoch as a frame record (prefix and LZ4-compressed payload), or null when no
    /// machine has anything in it. Checks that every machine belongs to the batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static EpochRecord? EncodeGrouped(ReplayHeader h, FrameGrouper grouper, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, FrameEncoder encoder, ref byte[] scratch, RecordPool pool)
    {
        if (grouper.MachineCount == 0)
        {
            return null;
        }

        long first = h.FirstMachineId + ((long)grouper.Batch * h.BatchSize);
        int end = (int)Math.Min(h.BatchSize, h.FirstMachineId + (long)h.MachineCount - first);
        if (grouper.Span > end)
        {
            throw new ArgumentException(string.Create(Inv, $"machine {first + grouper.Span - 1} is not in batch {grouper.Batch}"));
        }

        var machines = pool.RentMachines();
        for (int m = 0, n = 0; m < grouper.Span; m++)
        {
            if (grouper.Has(m))
            {
                machines[n++] = (int)first + m;
            }
        }

        encoder.Encode(grouper, events, inputs, h.Contents);
        if (encoder.Encoded.Length > ReplayFormat.PayloadBytesMax)
        {
            throw new InvalidOperationException(string.Create(Inv, $"epoch {grouper.Epoch}, batch {grouper.Batch} needs {encoder.Encoded.Length} bytes: more than a frame may hold ({ReplayFormat.PayloadBytesMax}); use smaller batches"));
        }

        // Compressed from the encoder's buffer into the thread's scratch (after room for the prefix), then copied
        // into a pooled array of the record's own size: a few kilobytes in flight per frame, not the raw size.
        var raw = encoder.Encoded;
        int most = RecordIO.PrefixLength + Lz4Block.PayloadLengthMax(raw.Length);
        if (scratch.Length < most)
        {
            scratch = new byte[Math.Max(most, scratch.Length * 2)];
        }

        int payload = Lz4Block.WritePayload(raw, scratch.AsSpan(RecordIO.PrefixLength));
        RecordIO.WritePrefix(scratch, ReplayFormat.FrameRecord, scratch.AsSpan(RecordIO.PrefixLength, payload));
        int length = RecordIO.PrefixLength + payload;
        var bytes = pool.Rent(length);
        scratch.AsSpan(0, length).CopyTo(bytes);
        return new EpochRecord(bytes, length, machines, grouper.MachineCount, grouper.TotalEvents, grouper.TotalInputs);
    }

    /// <summary>Writes the index (with the campaign's totals) and the footer, flushes, and renames the file to <see cref="Path"/>.</summary>
    public void Complete(CampaignResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        ObjectDisposedException.ThrowIf(_disposed || _completed, this);
        if (result.Machines != Header.MachineCount || result.DurationNs != Header.DurationNs)
        {
            throw new ArgumentException(string.Create(Inv, $"a result of {result.Machines} machines for {result.DurationNs} ns: expected {Header.MachineCount} machines for {Header.DurationNs} ns"), nameof(result));
        }

        Unspool();
        // Sections were added in frame order, so a stable counting sort by machine leaves each machine's frames ascending.
        var h = Header;
        var perMachine = new int[h.MachineCount + 1];
        foreach (long section in _sections)
        {
            perMachine[(int)(section >> 32) - h.FirstMachineId + 1]++;
        }

        int present = 0;
        for (int m = 0; m < h.MachineCount; m++)
        {
            present += perMachine[m + 1] > 0 ? 1 : 0;
        }

        var ids = new int[present];
        var lists = new int[present][];
        var listOf = new int[h.MachineCount];
        for (int m = 0, n = 0; m < h.MachineCount; m++)
        {
            if (perMachine[m + 1] > 0)
            {
                ids[n] = h.FirstMachineId + m;
                lists[n] = new int[perMachine[m + 1]];
                listOf[m] = n++;
            }

            perMachine[m + 1] = 0;
        }

        foreach (long section in _sections)
        {
            int m = (int)(section >> 32) - h.FirstMachineId;
            lists[listOf[m]][perMachine[m + 1]++] = (int)(uint)section;
        }

        var index = new ReplayIndex([.. _frames], ids, lists, ReplayTotals.From(result, EventCount, InputCount));
        long indexOffset = _position;
        WriteRecord(ReplayFormat.IndexRecord, IndexFormatter.Payload(index).Span);
        Span<byte> footer = stackalloc byte[ReplayFormat.FooterLength];
        BinaryPrimitives.WriteUInt64LittleEndian(footer, (ulong)indexOffset);
        ReplayFormat.EndMagic.CopyTo(footer[8..]);
        Write(footer);
        if (!_ownsFile)
        {
            _stream.Flush();
            _completed = true;
            return;
        }

        ((FileStream)_stream).Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(TempPath!, System.IO.Path.GetFullPath(Path), overwrite: true);
        _completed = true;
    }

    /// <summary>Closes the file; without <see cref="Complete"/>, deletes the temporary file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        // The spool deletes itself when closed (and at the latest when the process ends).
        _spool?.Dispose();
        if (!_completed)
        {
            if (!_ownsFile)
            {
                return;
            }

            _stream.Dispose();
            try
            {
                File.Delete(TempPath!);
            }
            catch (IOException)
            {
                // Best effort: a leftover hidden .mca-tmp file never looks like a complete replay.
            }
        }
    }

    private void WriteRecord(int type, ReadOnlySpan<byte> payload)
    {
        Span<byte> prefix = stackalloc byte[RecordIO.PrefixLength];
        RecordIO.WritePrefix(prefix, type, payload);
        Write(prefix);
        Write(payload);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        _position += bytes.Length;
    }

    /// <summary>The worker side of recording: each thread groups and encodes into its own reused buffers.</summary>
    private sealed class FrameEncoding(ReplayHeader header, RecordPool pool) : IEpochEncoder
    {
        [ThreadStatic]
        private static Scratch? t_scratch;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public EpochRecord? Encode(int epoch, int batch, int firstMachineId, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, ReadOnlySpan<MachineStateHash> hashes)
        {
            var s = t_scratch ??= new Scratch();
            s.Grouper.Group(epoch, batch, firstMachineId, events, inputs, hashes);
            return EncodeGrouped(header, s.Grouper, events, inputs, s.Encoder, ref s.Record, pool);
        }

        private sealed class Scratch
        {
            public readonly FrameGrouper Grouper = new();
            public readonly FrameEncoder Encoder = new();
            public byte[] Record = [];
        }
    }

    /// <summary>
    /// Record arrays lent by the encoders (the workers', or <see cref="Append"/>'s own) and given back once
    /// written: the bounded channel keeps a few dozen in flight, so a recording reuses them instead of
    /// allocating every frame anew: fresh memory costs page faults, cache misses and collections
    /// (docs/performance.md, "The recorder's pool of record arrays").
    /// <see cref="ArrayPool{T}"/>'s power-of-two buckets mean a frame never takes, or throws away, another
    /// size's array; the pools are the writer's own, so nothing else holds on to their arrays.
    /// </summary>
    private sealed class RecordPool(int batchSize)
    {
        private const int KeptMax = 256;
        private readonly ArrayPool<byte> _bytes = ArrayPool<byte>.Create(RecordIO.PrefixLength + ReplayFormat.PayloadBytesMax, KeptMax);
        private readonly ArrayPool<int> _machines = ArrayPool<int>.Create(batchSize, KeptMax);

        public byte[] Rent(int length) => _bytes.Rent(length);

        public int[] RentMachines() => _machines.Rent(batchSize);

        public void Return(EpochRecord record)
        {
            if (!record.Pooled)
            {
                return;
            }

            _bytes.Return(record.Bytes);
            _machines.Return(record.Machines);
        }
    }
}
