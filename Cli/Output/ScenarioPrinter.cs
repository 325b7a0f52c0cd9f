using System.Globalization;
using Mca.Systems.Scenario;

namespace Mca.Cli.Output;

/// <summary>Prints a <see cref="ScenarioReport"/> as text sections or as the JSON contract of the README.</summary>
internal static class ScenarioPrinter
{
    /// <summary>The <c>--json</c> document.</summary>
    public static ScenarioJson ToJson(ScenarioReport r) => new(
        r.Console,
        r.Dom0Mcelog,
        [.. r.Vmce.Select(v => new ScenarioJson.VmceJson(v.Domain, v.Vcpu, Hex.Of(v.McgStatus), v.Bank, Hex.Of(v.Status), Hex.Of(v.Addr), Hex.Of(v.Misc)))],
        [.. r.Guests.Select(g => new ScenarioJson.GuestJson(g.Domain, ScenarioReport.OutcomeName(g.Outcome), g.Message))],
        r.Reset,
        r.Panic,
        r.Hung);

    public static void WriteText(TextWriter o, ScenarioReport r)
    {
        Section(o, r.ConsoleTitle, r.Console);
        Section(o, r.McelogTitle, r.Dom0Mcelog);
        o.WriteLine("== vMCE delivered");
        if (r.Vmce.Count == 0)
        {
            o.WriteLine("  (none)");
        }

        foreach (var v in r.Vmce)
        {
            o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  d{v.Domain}v{v.Vcpu}: MCG_STATUS {Hex.Of(v.McgStatus)}  MC{v.Bank}_STATUS {Hex.Of16(v.Status)}  ADDR {Hex.Of(v.Addr)}  MISC {Hex.Of(v.Misc)}"));
        }

        o.WriteLine("== guests");
        foreach (var g in r.Guests)
        {
            string message = g.Message.Length > 0 ? ": " + g.Message : "";
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  dom{g.Domain}: {ScenarioReport.OutcomeName(g.Outcome)}{message}"));
        }

        o.WriteLine(r.Reset ? "== machine reset: yes" : "== machine reset: no");
        if (r.Panic is not null)
        {
            o.WriteLine("== panic: " + r.Panic);
        }

        if (r.Hung)
        {
            o.WriteLine("== machine hung: the #MC handler waits for CPUs that never enter it; nothing runs after it");
        }
    }

    private static void Section(TextWriter o, string title, IReadOnlyList<string> lines)
    {
        o.WriteLine("== " + title);
        if (lines.Count == 0)
        {
            o.WriteLine("  (none)");
        }

        foreach (string line in lines)
        {
            o.WriteLine("  " + line);
        }
    }
}
