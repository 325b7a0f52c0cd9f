using System.Globalization;
using Mca.Replay;

namespace Mca.Cli.Output.Replay;

/// <summary>Text and JSON for <c>mca replay diff</c>.</summary>
internal static class DiffPrinter
{
    public static void Write(TextWriter o, string a, string b, DiffReport r)
    {
        foreach (string note in r.HeaderDifferences)
        {
            o.WriteLine($"header: {note}");
        }

        if (r.Divergence is { } d)
        {
            ReplayPrinter.WriteDivergence(o, $"{a} and {b} diverge", d, "A", "B");
            return;
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{a} and {b}: identical inputs, handling decisions and state hashes for machines {r.FirstMachine} to {r.EndMachine - 1}"));
    }

    public static DiffJson ToJson(string a, string b, DiffReport r) =>
        new(a, b, r.Identical, r.HeaderDifferences, r.FirstMachine, r.EndMachine, ReplayPrinter.DivergenceJson(r.Divergence));
}
