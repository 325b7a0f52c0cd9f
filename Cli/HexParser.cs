using System.Globalization;

namespace Mca.Cli;

/// <summary>Parses the numbers users type: 0x-prefixed hex, or decimal; plain hex where the option says so.</summary>
internal static class HexParser
{
    /// <summary>Parses <paramref name="text"/> as a 64-bit value: "0x..." is hex; otherwise hex when <paramref name="hexByDefault"/>, else decimal.</summary>
    public static ulong Parse(string text, string what, bool hexByDefault = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        string t = text.Trim().Replace("_", "", StringComparison.Ordinal);
        bool hex = hexByDefault;
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            t = t[2..];
            hex = true;
        }

        bool ok = hex
            ? ulong.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong value)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok || t.Length == 0)
        {
            throw new UsageException($"{what}: expected a {(hex ? "hexadecimal" : "decimal")} 64-bit number, found '{text}'");
        }

        return value;
    }
}
