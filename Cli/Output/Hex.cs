using System.Globalization;

namespace Mca.Cli.Output;

internal static class Hex
{
    /// <summary>JSON hex strings: "0x" and lower-case digits.</summary>
    public static string Of(ulong value) => "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    public static string Of16(ulong value) => "0x" + value.ToString("x16", CultureInfo.InvariantCulture);
}
