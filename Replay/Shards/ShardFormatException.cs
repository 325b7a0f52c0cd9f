using System.Globalization;

namespace Mca.Replay.Shards;

/// <summary>
/// A shard file or checkpoint journal that is malformed, truncated, damaged, of another campaign or of another
/// build. The message is one line, <c>FILE: byte OFFSET: expected ..., found ...</c>; the CLI prints it and exits 2.
/// </summary>
public sealed class ShardFormatException : Exception
{
    public ShardFormatException()
        : this("shard", 0, "a shard file")
    {
    }

    public ShardFormatException(string message)
        : this("shard", 0, message)
    {
    }

    public ShardFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "shard";
    }

    public ShardFormatException(string file, long offset, string expected, string? found = null)
        : base(Format(file, offset, expected, found))
    {
        File = file;
        Offset = offset;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>Byte offset of the frame at fault.</summary>
    public long Offset { get; }

    private static string Format(string file, long offset, string expected, string? found)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{file}: byte {offset}: expected {expected}");
        if (found is not null)
        {
            text += ", found " + found;
        }

        return text.ReplaceLineEndings(" ");
    }
}
