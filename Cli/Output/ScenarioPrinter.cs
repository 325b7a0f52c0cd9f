using System.Globalization;
using System.Text.Json;
using Mca.Systems.Scenario;

namespace Mca.Cli.Output;

/// <summary>Prints a <see cref="ScenarioReport"/> as text sections or as the JSON contract of the README.</summary>
internal static class ScenarioPrinter
{
    public static void WriteJson(Utf8JsonWriter w, ScenarioReport r)
    {
        w.WriteStartObject();
        w.WriteStartArray("console");
        foreach (string line in r.Console)
        {
            w.WriteStringValue(line);
        }

        w.WriteEndArray();
        w.WriteStartArray("dom0_mcelog");
        foreach (string line in r.Dom0Mcelog)
        {
            w.WriteStringValue(line);
        }

        w.WriteEndArray();
        w.WriteStartArray("vmce");
        foreach (var v in r.Vmce)
        {
            w.WriteStartObject();
            w.WriteNumber("domain", v.Domain);
            w.WriteNumber("vcpu", v.Vcpu);
            w.WriteString("mcg_status", Hex.Of(v.McgStatus));
            w.WriteNumber("bank", v.Bank);
            w.WriteString("status", Hex.Of(v.Status));
            w.WriteString("addr", Hex.Of(v.Addr));
            w.WriteString("misc", Hex.Of(v.Misc));
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("guests");
        foreach (var g in r.Guests)
        {
            w.WriteStartObject();
            w.WriteNumber("domain", g.Domain);
            w.WriteString("outcome", ScenarioReport.OutcomeName(g.Outcome));
            w.WriteString("message", g.Message);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("reset", r.Reset);
        if (r.Panic is null)
        {
            w.WriteNull("panic");
        }
        else
        {
            w.WriteString("panic", r.Panic);
        }

        w.WriteEndObject();
    }

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
