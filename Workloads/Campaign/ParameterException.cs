using System.Globalization;

namespace Mca.Workloads.Campaign;

/// <summary>
/// A workload parameter out of range, named in spec-file spelling (<c>fault_rate_scale</c>), with what it must be
/// and the value found, so a spec error can point at the key and say <c>expected ..., found ...</c>.
/// </summary>
internal sealed class ParameterException : ArgumentException
{
    public ParameterException()
        : this("parameter", "in range", double.NaN)
    {
    }

    public ParameterException(string message)
        : base(message)
    {
        Name = Expected = string.Empty;
        Found = string.Empty;
    }

    public ParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
        Name = Expected = string.Empty;
        Found = string.Empty;
    }

    public ParameterException(string name, string expected, double value)
        : base(string.Create(CultureInfo.InvariantCulture, $"{name} must be {expected} (found {value})"))
    {
        Name = name;
        Expected = expected;
        Found = value.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The parameter's snake_case name.</summary>
    public string Name { get; }

    /// <summary>What it must be: "&gt; 0 and &lt;= 10000 (...)".</summary>
    public string Expected { get; }

    /// <summary>The value found, invariant-formatted.</summary>
    public string Found { get; }
}
