using System.Globalization;

namespace Mca.Cli.Commands;

/// <summary>
/// <c>--shard I/N</c>: shard I (0-based) of N holds machines <c>floor(I*M/N)</c> to <c>floor((I+1)*M/N) - 1</c>, a
/// contiguous slice whatever N is, so the same machine is the same simulation in any sharding.
/// </summary>
internal readonly record struct ShardSlice(int Index, int Shards, int First, int Machines, string Path)
{
    /// <summary>The slice's first machine and machine count.</summary>
    public static (int First, int Machines) Of(int index, int shards, int fleet)
    {
        int first = (int)((long)index * fleet / shards);
        int end = (int)((index + 1L) * fleet / shards);
        return (first, end - first);
    }

    /// <summary>Parses the two options (both or neither); null without them.</summary>
    public static ShardSlice? Parse(string? shard, string? shardOut, int fleet)
    {
        if (shard is null)
        {
            return shardOut is null ? null : throw new UsageException("--shard-out: expected --shard I/N with it");
        }

        int slash = shard.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !int.TryParse(shard.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(shard.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int shards))
        {
            throw new UsageException($"--shard: expected I/N (shard I of N, 0-based, e.g. 0/4), found '{shard}'");
        }

        if (shards < 1 || index >= shards)
        {
            throw new UsageException($"--shard: expected I from 0 to N-1 and N at least 1, found '{shard}'");
        }

        if (shards > fleet)
        {
            throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--shard: expected at most one shard per machine ({fleet:N0} machines), found {shards:N0} shards"));
        }

        if (shardOut is null)
        {
            throw new UsageException("--shard: expected --shard-out FILE with it (the shard file mca merge reads)");
        }

        var (first, machines) = Of(index, shards, fleet);
        return new ShardSlice(index, shards, first, machines, shardOut);
    }
}
