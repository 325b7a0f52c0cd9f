namespace Mca.Replay.Wire;

/// <summary>
/// A malformed value inside a record: thrown by the formatters, turned into a
/// <see cref="ReplayFormatException"/> with the record's file offset by <see cref="ReplayReader"/>.
/// </summary>
internal sealed class WireException : Exception
{
    public WireException()
    {
        Expected = "well-formed data";
    }

    public WireException(string message)
        : base(message)
    {
        Expected = message;
    }

    public WireException(string message, Exception innerException)
        : base(message, innerException)
    {
        Expected = message;
    }

    public WireException(string expected, string found)
        : base($"expected {expected}, found {found}")
    {
        Expected = expected;
        Found = found;
    }

    public string Expected { get; }

    public string? Found { get; }
}
