using System.Globalization;
using Mca.Replay;

namespace Mca.Cli.Output.Replay;

/// <summary>Text and JSON for <c>mca replay extract</c>.</summary>
internal static class ExtractPrinter
{
    public static void Write(TextWriter o, string path, ExtractReport r)
    {
        var inv = CultureInfo.InvariantCulture;
        if (r.Divergence is { } d)
        {
            ReplayPrinter.WriteDivergence(o, string.Create(inv, $"{path}: machine {r.Machine} does not re-simulate from its recorded inputs; nothing written; diverges"), d, "recorded", "actual  ");
            return;
        }

        o.WriteLine(string.Create(inv, $"{r.Output}: machine {r.Machine} of {path}: {r.Frames:N0} frames, {r.Events:N0} events, {r.Inputs:N0} inputs, {r.Bytes:N0} bytes; verified against its recorded frames"));
    }

    public static ExtractJson ToJson(string path, ExtractReport r) =>
        new(path, r.Machine, r.Output, r.Frames, r.Events, r.Inputs, r.Bytes, ReplayPrinter.DivergenceJson(r.Divergence));
}
