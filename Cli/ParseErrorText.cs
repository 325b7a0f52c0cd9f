using System.CommandLine.Parsing;
using System.Text.RegularExpressions;

namespace Mca.Cli;

/// <summary>
/// System.CommandLine's parse errors in the CLI's own words: one line, <c>WHERE: expected WHAT, found WHAT</c>,
/// choices listed inline, and kinds of value ("a whole number", "a number of days") instead of .NET type names.
/// </summary>
internal static partial class ParseErrorText
{
    public static string OneLine(ParseError error)
    {
        string message = error.Message;
        if (CannotParse().Match(message) is { Success: true } cannot)
        {
            string name = cannot.Groups["name"].Value;
            return $"{name}: expected {Kind(cannot.Groups["type"].Value, name)}, found '{cannot.Groups["value"].Value}'";
        }

        if (NotRecognized().Match(message) is { Success: true } notRecognized)
        {
            var choices = Choice().Matches(notRecognized.Groups["choices"].Value).Select(c => c.Groups[1].Value);
            string found = $"expected one of {string.Join(", ", choices)}, found '{notRecognized.Groups["value"].Value}'";
            return Name(error.SymbolResult) is { } where ? where + ": " + found : found;
        }

        return Whitespace().Replace(message, " ").Trim().TrimEnd('.');
    }

    /// <summary>The option or argument an error belongs to, as the user typed it.</summary>
    private static string? Name(SymbolResult? result) => result switch
    {
        OptionResult o => o.Option.Name,
        ArgumentResult { Parent: OptionResult o } => o.Option.Name,
        ArgumentResult a => a.Argument.Name,
        _ => null,
    };

    /// <summary>What a value of a .NET type is called in a message; a <c>--days</c>-like option counts days.</summary>
    internal static string Kind(string typeName, string optionName)
    {
        string type = NullableOf().Match(typeName) is { Success: true } nullable ? nullable.Groups[1].Value : typeName;
        bool days = optionName.Contains("days", StringComparison.OrdinalIgnoreCase);
        return type switch
        {
            "System.Int16" or "System.Int32" or "System.Int64" => days ? "a whole number of days" : "a whole number",
            "System.Byte" or "System.UInt16" or "System.UInt32" or "System.UInt64" => days ? "a whole number of days" : "a whole number, 0 or more",
            "System.Single" or "System.Double" or "System.Decimal" => days ? "a number of days" : "a number",
            "System.Boolean" => "true or false",
            _ => "a value of the documented form (see mca --help)",
        };
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (?:option|command) '(?<name>[^']*)' as expected type '(?<type>[^']*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex CannotParse();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<choices>.*)$", RegexOptions.Singleline)]
    private static partial Regex NotRecognized();

    [GeneratedRegex(@"'([^']*)'")]
    private static partial Regex Choice();

    [GeneratedRegex(@"System\.Nullable`1\[(.*)\]")]
    private static partial Regex NullableOf();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
