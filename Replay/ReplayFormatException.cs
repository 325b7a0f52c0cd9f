using System.Globalization;

namespace Mca.Replay;

/// <summary>
/// A replay file that is malformed, truncated, of another version or not a replay at all. The message
/// is one line: <c>FILE: byte OFFSET: expected ...</c>; the CLI prints it and exits 2.
/// </summary>
public sealed class ReplayFormatException : Exception
{
    public ReplayFormatException()
        : this("replay", 0, "a replay file")
    {
    }

    public ReplayFormatException(string message)
        : this("replay", 0, message)
    {
    }

    public ReplayFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
        File = "replay";
        Expected = message;
    }

    public ReplayFormatException(string file, long offset, string expected, string? found = null, bool truncated = false)
        : base(Format(file, offset, expected, found, truncated))
    {
        File = file;
        Offset = offset;
        Expected = expected;
        Found = found;
        IsTruncated = truncated;
    }

    /// <summary>The file as the user named it.</summary>
    public string File { get; }

    /// <summary>Byte offset of the record (or field) at fault.</summary>
    public long Offset { get; }

    /// <summary>What the reader expected there.</summary>
    public string Expected { get; }

    /// <summary>What it found, when that helps.</summary>
    public string? Found { get; }

    /// <summary>The file ends early: a recording that did not complete, or a partial copy.</summary>
    public bool IsTruncated { get; }

    private static string Format(string file, long offset, string expected, string? found, bool truncated)
    {
        string text = string.Create(CultureInfo.InvariantCulture, $"{file}: byte {offset}: expected {expected}");
        if (found is not null)
        {
            text += ", found " + found;
        }

        if (truncated)
        {
            text += " (the file is truncated: the recording did not complete or the copy is partial)";
        }

        return text.ReplaceLineEndings(" ");
    }
}
