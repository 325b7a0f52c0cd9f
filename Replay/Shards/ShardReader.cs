using System.Globalization;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Shards;

/// <summary>
/// Reads a shard file: the header at <see cref="Open"/>, then the batches one at a time (<see cref="Batches"/>,
/// bounded memory), then the end frame, which must match what came before. Every problem is a
/// <see cref="ShardFormatException"/> naming the file and the byte.
/// </summary>
public sealed class ShardReader : IDisposable
{
    private readonly FileStream _stream;

    private ShardReader(string path, FileStream stream, ShardHeader header)
    {
        Path = path;
        _stream = stream;
        Header = header;
    }

    /// <summary>The file as the user named it.</summary>
    public string Path { get; }

    public ShardHeader Header { get; }

    /// <summary>The end frame, once <see cref="Batches"/> has been read through.</summary>
    public ShardEnd? End { get; private set; }

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    public static ShardReader Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ShardFormatException(path, 0, "a readable shard file", e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : "a file that cannot be read");
        }

        try
        {
            Span<byte> magic = stackalloc byte[8];
            if (stream.ReadAtLeast(magic, 8, throwOnEndOfStream: false) < 8 || !magic.SequenceEqual(ShardFile.ShardMagic))
            {
                throw new ShardFormatException(path, 0, "a shard file (written by mca campaign --shard-out)", magic.SequenceEqual(ShardFile.JournalMagic) ? "a checkpoint journal" : "another kind of file");
            }

            var payload = ShardFile.ReadFrame(stream, path, tornIsEnd: false) ?? throw new ShardFormatException(path, 8, "a header frame", "the end of the file");
            var header = ShardFile.DecodeHeader(payload, path, 8);
            if (header.ShardCount < 1 || header.ShardIndex < 0 || header.ShardIndex >= header.ShardCount || header.Machines < 0 || header.FirstMachineId < 0 || header.EpochCount < 0 || header.BatchSize < 1
                || (long)header.FirstMachineId + header.Machines > header.FleetMachines)
            {
                throw new ShardFormatException(path, 8, "a header with a shard index below its count and machines within the fleet", string.Create(CultureInfo.InvariantCulture, $"shard {header.ShardIndex}/{header.ShardCount}, machines {header.FirstMachineId}+{header.Machines} of {header.FleetMachines}"));
            }

            return new ShardReader(path, stream, header);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The batches in file order, each checked to follow the one before; then the end frame is checked.</summary>
    public IEnumerable<BatchResult> Batches()
    {
        int next = Header.FirstMachineId;
        int batches = 0;
        while (true)
        {
            long at = _stream.Position;
            var payload = ShardFile.ReadFrame(_stream, Path, tornIsEnd: false) ?? throw new ShardFormatException(Path, at, "the end frame", "the end of the file (the file is truncated: its run did not complete or the copy is partial)");
            int kind = ShardFile.KindOf(payload, Path, at);
            if (kind == ShardFile.EndKind)
            {
                var end = ShardFile.DecodeEnd(payload, Path, at);
                int machines = next - Header.FirstMachineId;
                if (end.Batches != batches || end.Machines != machines || machines != Header.Machines)
                {
                    throw new ShardFormatException(Path, at, string.Create(CultureInfo.InvariantCulture, $"an end frame for {Header.Machines:N0} machines"), string.Create(CultureInfo.InvariantCulture, $"{machines:N0} machines in {batches:N0} batches, the end frame saying {end.Machines:N0} in {end.Batches:N0}"));
                }

                if (_stream.Position != _stream.Length)
                {
                    throw new ShardFormatException(Path, _stream.Position, "the end of the file after the end frame", "more bytes");
                }

                End = end;
                yield break;
            }

            if (kind != ShardFile.BatchKind)
            {
                throw new ShardFormatException(Path, at, "a batch frame or the end frame", string.Create(CultureInfo.InvariantCulture, $"a frame of kind {kind}"));
            }

            var batch = ShardFile.DecodeBatch(payload, Header, Path, at);
            if (batch.FirstMachineId != next)
            {
                throw new ShardFormatException(Path, at, string.Create(CultureInfo.InvariantCulture, $"the batch starting at machine {next}"), string.Create(CultureInfo.InvariantCulture, $"one starting at {batch.FirstMachineId}"));
            }

            next += batch.Machines.Length;
            batches++;
            yield return batch;
        }
    }

    public void Dispose() => _stream.Dispose();
}
