using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Mca.Workloads.Campaign;
using YamlDotNet.RepresentationModel;

namespace Mca.Cli.Output;

/// <summary>
/// What a result came from (every <c>--json</c> of campaign, merge, compare and sweep carries it): the tool's version and
/// commit, the command line, the full spec (every parameter, as <c>mca campaign --print-spec</c> has it), the simulated
/// machine's shape, and the host that ran it.
/// </summary>
internal sealed record ProvenanceJson(string Tool, string Version, string Commit, IReadOnlyList<string> CommandLine, JsonObject Spec, ProvenanceJson.MachineJson Machine, ProvenanceJson.HostJson Host)
{
    /// <summary>The simulated machine: its CPUs, MCA banks, memory, domains and vCPUs, and MCG_CAP.</summary>
    internal sealed record MachineJson(int Cpus, int Banks, long MemoryBytes, int Domains, int Vcpus, string McgCap, bool Ser);

    /// <summary>The host: its processors, the memory the process may use, the OS and the .NET runtime.</summary>
    internal sealed record HostJson(int Processors, long MemoryBytes, string Os, string Runtime);

    /// <summary>The command line <see cref="Program.Run"/> was given (the words after <c>mca</c>).</summary>
    internal static IReadOnlyList<string> Args { get; set; } = [];

    public static ProvenanceJson Of(CampaignSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        string info = typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";
        int plus = info.IndexOf('+', StringComparison.Ordinal);
        string version = plus < 0 ? info : info[..plus];
        string commit = plus < 0 ? "unknown" : info[(plus + 1)..];
        var m = spec.MachineSpec();
        return new ProvenanceJson(
            "mca",
            version,
            commit,
            ["mca", .. Args],
            Provenance.SpecObject(CampaignSpecYaml.Write(spec, everyWorkload: false)),
            new MachineJson(m.CpuCount, m.BankCount, m.Memory.TotalBytes, m.Domains.Count, m.TotalVcpuCount, "0x" + m.McgCap.ToString("x", CultureInfo.InvariantCulture), m.Ser),
            new HostJson(Environment.ProcessorCount, Workloads.Campaign.MemoryEstimate.AvailableBytes(), System.Runtime.InteropServices.RuntimeInformation.OSDescription, System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription));
    }
}

/// <summary>The spec's YAML as a JSON object: mappings as objects, scalars as numbers, booleans or strings.</summary>
internal static class Provenance
{
    public static JsonObject SpecObject(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        return stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root ? [] : (JsonObject)Convert(root)!;
    }

    private static JsonNode? Convert(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value ?? "", Convert(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(Convert)]),
        YamlScalarNode s => Scalar(s.Value),
        _ => null,
    };

    private static JsonValue? Scalar(string? text)
    {
        if (text is null or "null" or "~")
        {
            return null;
        }

        if (text is "true" or "false")
        {
            return JsonValue.Create(text == "true");
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            return JsonValue.Create(l);
        }

        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong u))
        {
            return JsonValue.Create(u);
        }

        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? JsonValue.Create(d) : JsonValue.Create(text);
    }
}
