using System.Globalization;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Shards;

/// <summary>
/// <c>--checkpoint DIR</c>: an append-only journal of a campaign's finished batches (<c>DIR/journal.mcaj</c>), in the
/// framing of shard files (checksummed frames). The consumer journals batches in batch order, so the journal always
/// holds a prefix of the run's batches; a resumed run takes those from it (<see cref="Resume"/>) and runs the rest,
/// and since a batch's result does not depend on when it ran, the end is exactly an uninterrupted run's.
/// </summary>
/// <remarks>
/// A frame torn by a kill (short, or failing its checksum) ends the journal: it is cut off and rewritten. Every batch
/// is written through to the operating system at once (a killed process loses nothing); the file is fsync'd every
/// <see cref="SyncEvery"/> batches and at the end, so a host crash can lose the last few batches, which are then simply run again.
/// </remarks>
public sealed class CheckpointJournal : IBatchSink, IDisposable
{
    /// <summary>The journal's file name in the checkpoint directory.</summary>
    public const string FileName = "journal.mcaj";

    /// <summary>Batches between fsyncs (each batch is written through to the OS at once).</summary>
    public const int SyncEvery = 16;

    private readonly FileStream _stream;
    private readonly List<long> _offsets;
    private readonly ShardHeader _header;
    private readonly Lock _readGate = new();
    private FileStream? _reader;
    private List<JournalFrame>? _pendingFrames;

    private CheckpointJournal(string path, FileStream stream, ShardHeader header, List<long> offsets)
    {
        Path = path;
        _stream = stream;
        _header = header;
        _offsets = offsets;
        ResumedBatches = offsets.Count;
    }

    /// <summary>The journal file.</summary>
    public string Path { get; }

    /// <summary>Batches found in the journal when it was opened.</summary>
    public int ResumedBatches { get; }

    /// <summary>Batches in the journal now.</summary>
    public int Batches => _offsets.Count;

    /// <summary>Test seam: called after each batch is journaled with the count so far (a test kills the process there).</summary>
    public Action<int>? AfterBatchForTests { get; set; }

    /// <summary>
    /// Opens (or creates) the journal in <paramref name="directory"/> for the run described by <paramref name="header"/>.
    /// A journal of another spec, shard, batch size or build is refused with one line naming it.
    /// </summary>
    public static CheckpointJournal Open(string directory, ShardHeader header)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(header);
        string path = System.IO.Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            Directory.CreateDirectory(directory);
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ShardFormatException(directory, 0, "a checkpoint directory this process can write", e is UnauthorizedAccessException ? "permission denied" : "an I/O error");
        }

        try
        {
            var offsets = new List<long>();
            if (stream.Length == 0)
            {
                stream.Write(ShardFile.JournalMagic);
                ShardFile.WriteFrame(stream, ShardFile.EncodeHeader(header));
                stream.Flush(flushToDisk: true);
                return new CheckpointJournal(path, stream, header, offsets);
            }

            Span<byte> magic = stackalloc byte[8];
            if (stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) < 8 || !magic.SequenceEqual(ShardFile.JournalMagic))
            {
                throw new ShardFormatException(path, 0, "a checkpoint journal (written by mca campaign --checkpoint)", "another kind of file");
            }

            var payload = ShardFile.ReadFrame(stream, path, tornIsEnd: false) ?? throw new ShardFormatException(path, 8, "a header frame", "the end of the file");
            var found = ShardFile.DecodeHeader(payload, path, 8);
            string? differs = Differs(header, found);
            if (differs is not null)
            {
                throw new ShardFormatException(path, 8, "a journal of this campaign: delete the directory to start afresh", differs);
            }

            int next = header.FirstMachineId;
            while (true)
            {
                long at = stream.Position;
                var frame = ShardFile.ReadFrame(stream, path, tornIsEnd: true);
                if (frame is null || ShardFile.KindOf(frame, path, at) != ShardFile.BatchKind)
                {
                    // A torn or foreign tail: cut it off; the batches after the last whole frame run again.
                    stream.SetLength(at);
                    stream.Position = at;
                    break;
                }

                var batch = ShardFile.DecodeBatch(frame, header, path, at);
                if (batch.Batch != offsets.Count || batch.FirstMachineId != next)
                {
                    throw new ShardFormatException(path, at, string.Create(CultureInfo.InvariantCulture, $"batch {offsets.Count} starting at machine {next}"), string.Create(CultureInfo.InvariantCulture, $"batch {batch.Batch} starting at {batch.FirstMachineId}"));
                }

                offsets.Add(at);
                next += batch.Machines.Length;
            }

            return new CheckpointJournal(path, stream, header, offsets);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static string? Differs(ShardHeader want, ShardHeader found)
    {
        if (found.Build != want.Build)
        {
            return $"one written by another build ({found.Build}; this is {want.Build})";
        }

        if (found.Spec != want.Spec)
        {
            return "one of another spec";
        }

        if (found.ShardIndex != want.ShardIndex || found.ShardCount != want.ShardCount || found.FirstMachineId != want.FirstMachineId || found.Machines != want.Machines)
        {
            return string.Create(CultureInfo.InvariantCulture, $"one of shard {found.ShardIndex}/{found.ShardCount} (this run is {want.ShardIndex}/{want.ShardCount})");
        }

        if (found.Frames != want.Frames)
        {
            return found.Frames ? "one of a recorded run (this run records nothing)" : "one of a run that recorded nothing (this run records a replay)";
        }

        if (found.BatchSize != want.BatchSize || found.EpochNs != want.EpochNs)
        {
            return string.Create(CultureInfo.InvariantCulture, $"one with batches of {found.BatchSize} and epochs of {found.EpochNs / CampaignOptions.DayNs} days (this run: {want.BatchSize}, {want.EpochNs / CampaignOptions.DayNs})");
        }

        return null;
    }

    /// <summary>A journaled batch, read back from the file; null for one not yet run. Called from the workers.</summary>
    public BatchResult? Resume(int batch) => Read(batch).Result;

    /// <summary>A journaled batch's replay frames as the epoch outputs the recorder takes (a recorded run's journal).</summary>
    public IReadOnlyList<EpochOutput>? ResumeOutputs(int batch)
    {
        var (result, frames) = Read(batch);
        if (result is null || frames is null)
        {
            return null;
        }

        return [.. frames.Select(f => new EpochOutput(f.Epoch, result.Batch, result.FirstMachineId, result.Epochs[f.Epoch], null,
            Record: new EpochRecord(f.Bytes, f.Bytes.Length, f.Machines, f.Machines.Length, f.Events, f.Inputs, Pooled: false)))];
    }

    private (BatchResult? Result, List<JournalFrame>? Frames) Read(int batch)
    {
        if (batch >= ResumedBatches)
        {
            return (null, null);
        }

        lock (_readGate)
        {
            _reader ??= new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1 << 16);
            _reader.Position = _offsets[batch];
            var payload = ShardFile.ReadFrame(_reader, Path, tornIsEnd: false)!;
            var result = ShardFile.DecodeBatch(payload, _header, Path, _offsets[batch], out var frames);
            return (result, frames);
        }
    }

    /// <summary>A recorded run's newly run batch: its encoded frames, copied now (their bytes are lent), journaled with the batch in <see cref="Done"/>.</summary>
    public void Outputs(BatchResult result, IReadOnlyList<EpochOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(outputs);
        if (!_header.Frames)
        {
            return;
        }

        var frames = new List<JournalFrame>();
        foreach (var o in outputs)
        {
            if (o.Record is { } r)
            {
                frames.Add(new JournalFrame(o.Epoch, r.Bytes.AsSpan(0, r.Length).ToArray(), r.Machines.AsSpan(0, r.MachineCount).ToArray(), r.EventCount, r.InputCount));
            }
            else if (o.Events is { Length: > 0 } || o.Inputs is { Length: > 0 })
            {
                throw new InvalidOperationException("a recorded run's journal takes encoded frames: expected CampaignOptions.Encoder set");
            }
        }

        _pendingFrames = frames;
    }

    /// <summary>Journals a newly finished batch (resumed ones are there already).</summary>
    public void Done(BatchResult result, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (resumed)
        {
            return;
        }

        var frames = _header.Frames ? _pendingFrames ?? [] : null;
        _pendingFrames = null;
        _offsets.Add(_stream.Position);
        ShardFile.WriteFrame(_stream, ShardFile.EncodeBatch(result, frames));
        // Through to the OS at once (kill -9 loses nothing); to the disk every SyncEvery batches and at the end.
        _stream.Flush(flushToDisk: _offsets.Count % SyncEvery == 0);

        AfterBatchForTests?.Invoke(_offsets.Count);
    }

    public void Dispose()
    {
        try
        {
            _stream.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Best effort: the journal is only ever a prefix of whole frames.
        }

        _stream.Dispose();
        _reader?.Dispose();
    }
}
