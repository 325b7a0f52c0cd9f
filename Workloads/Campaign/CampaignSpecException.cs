using System.Globalization;

namespace Mca.Workloads.Campaign;

/// <summary>
/// A campaign spec that cannot be used. The message is one line: <c>FILE:LINE:COL: KEY: expected WHAT,
/// found WHAT</c> for a spec file (1-based line and column), or <c>KEY: expected WHAT, found WHAT</c> for a
/// spec built in code or from flags, where <see cref="Key"/> names the setting so a caller can say which
/// flag it came from.
/// </summary>
public sealed class CampaignSpecException : Exception
{
    public CampaignSpecException()
        : this("spec", "a valid campaign spec", "something else")
    {
    }

    public CampaignSpecException(string message)
        : base(message)
    {
        Key = string.Empty;
        Expected = message ?? string.Empty;
        Found = string.Empty;
    }

    public CampaignSpecException(string message, Exception innerException)
        : base(message, innerException)
    {
        Key = string.Empty;
        Expected = message ?? string.Empty;
        Found = string.Empty;
    }

    public CampaignSpecException(string key, string expected, string found)
        : base(string.Create(CultureInfo.InvariantCulture, $"{key}: expected {expected}, found {found}"))
    {
        Key = key;
        Expected = expected;
        Found = found;
    }

    public CampaignSpecException(string fileName, int line, int column, string key, string expected, string found)
        : base(string.Create(CultureInfo.InvariantCulture, $"{fileName}:{line}:{column}: {(key.Length > 0 ? key + ": " : string.Empty)}expected {expected}, found {found}"))
    {
        FileName = fileName;
        Line = line;
        Column = column;
        Key = key;
        Expected = expected;
        Found = found;
    }

    /// <summary>The spec file, or null when the spec did not come from a file.</summary>
    public string? FileName { get; }

    public int Line { get; }

    public int Column { get; }

    /// <summary>The setting at fault in spec-file spelling (<c>machines</c>, <c>field.fault_rate_scale</c>), or empty.</summary>
    public string Key { get; }

    public string Expected { get; }

    public string Found { get; }
}
