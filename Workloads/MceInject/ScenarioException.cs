namespace Mca.Workloads.MceInject;

/// <summary>
/// A scenario file that cannot be read as the mce-inject language (andikleen/mce-inject mce.lex, mce.y). The message is
/// always one line, <c>FILE:LINE:COL: expected WHAT, found WHAT</c>, with a 1-based line and a
/// 1-based column counted in characters (a tab is one column).
/// </summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
        : this("<unknown>", 0, 0, "a valid scenario", "something else")
    {
    }

    public ScenarioException(string message)
        : base(message)
    {
        FileName = "<unknown>";
        Expected = message ?? string.Empty;
        Found = string.Empty;
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
        FileName = "<unknown>";
        Expected = message ?? string.Empty;
        Found = string.Empty;
    }

    public ScenarioException(string fileName, int line, int column, string expected, string found)
        : base(FormatMessage(fileName, line, column, expected, found))
    {
        FileName = fileName;
        Line = line;
        Column = column;
        Expected = expected;
        Found = found;
    }

    /// <summary>The scenario file name as given to the parser.</summary>
    public string FileName { get; }

    /// <summary>1-based line of the offending token (0 if unknown).</summary>
    public int Line { get; }

    /// <summary>1-based column of the offending token's first character (0 if unknown).</summary>
    public int Column { get; }

    /// <summary>What the parser expected, e.g. "a number after BANK".</summary>
    public string Expected { get; }

    /// <summary>What it found instead, e.g. "'X'" or "end of input".</summary>
    public string Found { get; }

    private static string FormatMessage(string fileName, int line, int column, string expected, string found)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(found);
        return string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"{fileName}:{line}:{column}: expected {expected}, found {found}");
    }
}
