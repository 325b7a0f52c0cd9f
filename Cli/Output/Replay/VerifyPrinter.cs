using System.Globalization;
using Mca.Replay;

namespace Mca.Cli.Output.Replay;

/// <summary>Text and JSON for <c>mca replay verify</c>.</summary>
internal static class VerifyPrinter
{
    public static void Write(TextWriter o, string path, VerifyReport r)
    {
        var h = r.Header;
        if (!r.SameEngine)
        {
            o.WriteLine($"{path}: recorded by engine {h.EngineVersion}, verified with {ReplayFormat.EngineVersion}");
        }

        if (r.Divergence is { } d)
        {
            ReplayPrinter.WriteDivergence(o, $"{path}: diverges", d, "expected", "actual  ");
            return;
        }

        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: identical: {r.Frames:N0} frames, {r.Events:N0} events, {r.Inputs:N0} inputs re-simulated ({ReplayPrinter.Describe(h)})"));
    }

    public static VerifyJson ToJson(string path, VerifyReport r)
    {
        var h = r.Header;
        return new(
            path,
            r.Identical,
            ReplayPrinter.KindName(h), h.EngineVersion, h.Seed, h.Policy, h.Workload, h.FirstMachineId, h.MachineCount, h.DurationNs,
            r.Frames,
            r.Events,
            r.Inputs,
            ReplayPrinter.DivergenceJson(r.Divergence));
    }
}
