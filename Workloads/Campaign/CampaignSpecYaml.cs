using System.Globalization;
using System.Reflection;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Mca.Workloads.Campaign;

/// <summary>
/// Campaign spec files: YAML with snake_case keys, one per <see cref="CampaignSpec"/> setting, and a
/// section per workload (<c>field:</c>, <c>storm:</c>) whose keys are that workload's parameters.
/// Every mistake is reported as <c>FILE:LINE:COL: KEY: expected ..., found ...</c>. <see cref="Write"/>
/// gives the canonical text (every setting and every workload parameter, in a fixed order) that
/// replay headers store; reading it back gives an equal spec.
/// </summary>
public static class CampaignSpecYaml
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private static readonly string[] TopKeys = ["machines", "days", "seed", "policy", "workload", "machine", "batch_size", "epoch_days", "page_offline"];

    /// <summary>Parses spec text; <paramref name="fileName"/> names it in errors. The result is validated.</summary>
    public static CampaignSpec Parse(string text, string fileName, WorkloadCatalog? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        catalog ??= WorkloadCatalog.Default;
        var stream = new YamlStream();
        try
        {
            stream.Load(new DepthLimitedParser(new Parser(new StringReader(text)), fileName));
        }
        catch (YamlException e)
        {
            string what = e.InnerException?.Message ?? e.Message;
            throw new CampaignSpecException(fileName, (int)e.Start.Line, (int)e.Start.Column, string.Empty, "well-formed YAML", Describe(what));
        }

        if (stream.Documents.Count == 0)
        {
            return new CampaignSpec();
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode;
            throw Error(fileName, second, string.Empty, "one YAML document", "a second document");
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return new CampaignSpec();
        }

        if (root is not YamlMappingNode map)
        {
            throw Error(fileName, root, string.Empty, "a mapping of settings (machines: 10000, days: 365, ...)", NodeKind(root));
        }

        var spec = new CampaignSpec();
        var marks = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        var sections = new List<(string Key, YamlNode Node)>();
        foreach (var (keyNode, value) in map.Children)
        {
            string key = ((keyNode as YamlScalarNode)?.Value) ?? throw Error(fileName, keyNode, string.Empty, "a setting name", NodeKind(keyNode));
            marks[key] = value;
            var workload = catalog.Find(key);
            if (workload is not null && workload.ParametersType is not null)
            {
                spec = spec.WithParameters(key, ReadParameters(fileName, key, value, workload));
                sections.Add((key, keyNode));
                continue;
            }

            spec = key switch
            {
                "machines" => spec with { Machines = ReadInt(fileName, key, value, "a number of machines") },
                "days" => spec with { Days = ReadInt(fileName, key, value, "a number of days") },
                "seed" => spec with { Seed = ReadSeed(fileName, key, value) },
                "policy" => spec with { Policy = ReadString(fileName, key, value, "a policy name") },
                "workload" => spec with { Workload = ReadString(fileName, key, value, "a workload name") },
                "machine" => spec with { Machine = ReadString(fileName, key, value, "a machine name") },
                "batch_size" => spec with { BatchSize = ReadInt(fileName, key, value, "machines per batch") },
                "epoch_days" => spec with { EpochDays = ReadInt(fileName, key, value, "days per epoch") },
                "page_offline" => spec with { PageOffline = ReadPageOffline(fileName, value) },
                _ => throw Error(fileName, keyNode, key, "one of " + string.Join(", ", TopKeys.Concat(catalog.Entries.Where(e => e.ParametersType is not null).Select(e => e.Name))), $"unknown setting '{key}'"),
            };
        }

        // A section for a workload that is not run would be silently ignored: a mistake (a spec edited for another workload).
        foreach (var (key, node) in sections)
        {
            if (key != spec.Workload)
            {
                throw Error(fileName, node, key, $"no section for a workload that is not run (workload: {spec.Workload})", $"a '{key}' section");
            }
        }

        try
        {
            spec.Validate(catalog);
        }
        catch (CampaignSpecException e)
        {
            string top = e.Key.Split('.')[0];
            var node = marks.GetValueOrDefault(top) ?? root;
            throw new CampaignSpecException(fileName, (int)node.Start.Line, (int)node.Start.Column, e.Key, e.Expected, e.Found);
        }

        return spec;
    }

    /// <summary>
    /// The canonical spec text: every setting, then the spec's own workload's full parameter set (all that a run
    /// depends on; a section of another workload is an error when read). <paramref name="everyWorkload"/> adds every
    /// workload's defaults, for reference only: such a text reads back only after the other sections are removed.
    /// </summary>
    public static string Write(CampaignSpec spec, WorkloadCatalog? catalog = null, bool everyWorkload = false)
    {
        ArgumentNullException.ThrowIfNull(spec);
        catalog ??= WorkloadCatalog.Default;
        var sb = new StringBuilder();
        sb.Append("# mca campaign spec\n");
        sb.Append(Inv, $"machines: {spec.Machines}\n");
        sb.Append(Inv, $"days: {spec.Days}\n");
        sb.Append(Inv, $"seed: {spec.Seed}\n");
        sb.Append(Inv, $"policy: {spec.Policy}\n");
        sb.Append(Inv, $"workload: {spec.Workload}\n");
        sb.Append(Inv, $"machine: {spec.Machine}\n");
        sb.Append(Inv, $"batch_size: {spec.BatchSize}\n");
        sb.Append(Inv, $"epoch_days: {spec.EpochDays}\n");
        WritePageOffline(sb, spec);
        foreach (var entry in catalog.Entries)
        {
            if (entry.ParametersType is null || (!everyWorkload && entry.Name != spec.Workload))
            {
                continue;
            }

            object parameters = spec.Parameters.TryGetValue(entry.Name, out object? p) ? p : entry.Defaults!();
            sb.Append(entry.Name).Append(":\n");
            foreach (var prop in SettableProperties(entry.ParametersType))
            {
                sb.Append("  ").Append(SnakeCase(prop.Name)).Append(": ").Append(FormatValue(prop.GetValue(parameters))).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>The <c>page_offline:</c> section: the preset and what the spec overrides, and the daemon they give as a comment.</summary>
    private static void WritePageOffline(StringBuilder sb, CampaignSpec spec)
    {
        var p = spec.PageOffline;
        sb.Append("page_offline:\n");
        sb.Append("  # ").Append(PageOfflineSpec.Describe(p.Resolve(spec.Policy))).Append('\n');
        sb.Append("  preset: ").Append(p.Preset).Append('\n');
        Opt("threshold", p.Threshold);
        Opt("window_hours", p.WindowHours);
        if (p.Action is not null)
        {
            sb.Append("  action: ").Append(p.Action).Append('\n');
        }

        Opt("dimm_ce_threshold", p.DimmCeThreshold);
        Opt("dimm_uc_threshold", p.DimmUcThreshold);
        Opt("socket_threshold", p.SocketThreshold);
        Opt("trigger_window_hours", p.TriggerWindowHours);
        Opt("release_hours", p.ReleaseHours);
        if (p.PersistAcrossReboot is { } persist)
        {
            sb.Append("  persist_across_reboot: ").Append(persist ? "true" : "false").Append('\n');
        }

        void Opt(string key, object? value)
        {
            if (value is not null)
            {
                sb.Append("  ").Append(key).Append(": ").Append(FormatValue(value)).Append('\n');
            }
        }
    }

    private static PageOfflineSpec ReadPageOffline(string fileName, YamlNode node)
    {
        const string Section = "page_offline";
        var p = new PageOfflineSpec();
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return p;
        }

        if (node is YamlScalarNode)
        {
            // page_offline: mcelog, the preset alone.
            return p with { Preset = ReadString(fileName, Section, node, "a preset name") };
        }

        if (node is not YamlMappingNode map)
        {
            throw Error(fileName, node, Section, "a mapping of page_offline settings or a preset name", NodeKind(node));
        }

        foreach (var (keyNode, value) in map.Children)
        {
            string key = ((keyNode as YamlScalarNode)?.Value) ?? throw Error(fileName, keyNode, Section, "a setting name", NodeKind(keyNode));
            string full = Section + "." + key;
            p = key switch
            {
                "preset" => p with { Preset = ReadString(fileName, full, value, "a preset name") },
                "threshold" => p with { Threshold = ReadInt(fileName, full, value, "a whole number") },
                "window_hours" => p with { WindowHours = ReadDouble(fileName, full, value) },
                "action" => p with { Action = ReadString(fileName, full, value, "an action") },
                "dimm_ce_threshold" => p with { DimmCeThreshold = ReadInt(fileName, full, value, "a whole number") },
                "dimm_uc_threshold" => p with { DimmUcThreshold = ReadInt(fileName, full, value, "a whole number") },
                "socket_threshold" => p with { SocketThreshold = ReadInt(fileName, full, value, "a whole number") },
                "trigger_window_hours" => p with { TriggerWindowHours = ReadDouble(fileName, full, value) },
                "release_hours" => p with { ReleaseHours = ReadDouble(fileName, full, value) },
                "persist_across_reboot" => p with { PersistAcrossReboot = ReadBool(fileName, full, value) },
                _ => throw Error(fileName, keyNode, full, "a page_offline setting (" + string.Join(", ", PageOfflineSpec.Keys) + ")", $"unknown setting '{key}'"),
            };
        }

        try
        {
            p.Validate();
        }
        catch (CampaignSpecException e)
        {
            string sub = e.Key.Split('.')[^1];
            var set = map.Children.FirstOrDefault(kv => (kv.Key as YamlScalarNode)?.Value == sub);
            throw Error(fileName, set.Value ?? node, e.Key, e.Expected, e.Found);
        }

        return p;
    }

    /// <summary><c>CeRateMedianPerDay</c> to <c>ce_rate_median_per_day</c>.</summary>
    public static string SnakeCase(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 8);
        for (int i = 0; i < name.Length; i++)
        {
            char c = name[i];
            if (char.IsUpper(c))
            {
                bool boundary = i > 0 && (char.IsLower(name[i - 1]) || char.IsDigit(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1])));
                if (boundary)
                {
                    sb.Append('_');
                }

                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>The public settable properties of a parameter record, in declaration order.</summary>
    public static IEnumerable<PropertyInfo> SettableProperties(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.SetMethod is { IsPublic: true } && p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract")
            .OrderBy(p => p.MetadataToken);
    }

    private static object ReadParameters(string fileName, string section, YamlNode node, WorkloadEntry workload)
    {
        object parameters = workload.Defaults!();
        if (node is YamlScalarNode { Value: null or "" or "~" or "null" })
        {
            return parameters;
        }

        if (node is not YamlMappingNode map)
        {
            throw Error(fileName, node, section, $"a mapping of {section} parameters", NodeKind(node));
        }

        var props = SettableProperties(workload.ParametersType!).ToDictionary(p => SnakeCase(p.Name), StringComparer.Ordinal);
        foreach (var (keyNode, value) in map.Children)
        {
            string key = ((keyNode as YamlScalarNode)?.Value) ?? throw Error(fileName, keyNode, section, "a parameter name", NodeKind(keyNode));
            string full = section + "." + key;
            if (!props.TryGetValue(key, out var prop))
            {
                throw Error(fileName, keyNode, full, $"a {section} parameter ({string.Join(", ", props.Keys)})", $"unknown parameter '{key}'");
            }

            object converted = prop.PropertyType switch
            {
                var t when t == typeof(int) => ReadInt(fileName, full, value, "a whole number"),
                var t when t == typeof(long) => ReadLong(fileName, full, value, "a whole number"),
                var t when t == typeof(double) => ReadDouble(fileName, full, value),
                var t when t == typeof(bool) => ReadBool(fileName, full, value),
                var t when t == typeof(string) => ReadString(fileName, full, value, "text"),
                _ => throw new InvalidOperationException($"parameter {full} has unsupported type {prop.PropertyType.Name}"),
            };
            prop.SetValue(parameters, converted);
        }

        try
        {
            workload.Validate!(parameters);
        }
        catch (ParameterException e)
        {
            // Point at the parameter's own line when the file sets it (a default out of range names the section).
            var set = map.Children.FirstOrDefault(kv => (kv.Key as YamlScalarNode)?.Value == e.Name);
            string found = set.Value is YamlScalarNode { Value: { } text } ? text : e.Found;
            throw Error(fileName, set.Value ?? node, section + "." + e.Name, e.Expected, found);
        }
        catch (ArgumentException e)
        {
            throw Error(fileName, node, section, e.Message, "other values");
        }

        return parameters;
    }

    private static string Scalar(string fileName, string key, YamlNode node, string expected) =>
        node is YamlScalarNode { Value: { Length: > 0 } v } ? v : throw Error(fileName, node, key, expected, NodeKind(node));

    private static string ReadString(string fileName, string key, YamlNode node, string expected) => Scalar(fileName, key, node, expected);

    private static int ReadInt(string fileName, string key, YamlNode node, string expected)
    {
        long v = ReadLong(fileName, key, node, expected);
        return v is >= int.MinValue and <= int.MaxValue ? (int)v : throw Error(fileName, node, key, expected + " that fits in 32 bits", Quote(node));
    }

    private static long ReadLong(string fileName, string key, YamlNode node, string expected)
    {
        string s = Scalar(fileName, key, node, expected).Replace("_", string.Empty, StringComparison.Ordinal);
        return long.TryParse(s, NumberStyles.AllowLeadingSign, Inv, out long v) ? v : throw Error(fileName, node, key, expected, Quote(node));
    }

    private static ulong ReadSeed(string fileName, string key, YamlNode node)
    {
        string s = Scalar(fileName, key, node, "a seed").Replace("_", string.Empty, StringComparison.Ordinal);
        bool ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(s.AsSpan(2), NumberStyles.AllowHexSpecifier, Inv, out ulong v)
            : ulong.TryParse(s, NumberStyles.None, Inv, out v);
        return ok ? v : throw Error(fileName, node, key, "a seed (a whole number from 0 to 2^64-1, decimal or 0x hex)", Quote(node));
    }

    private static double ReadDouble(string fileName, string key, YamlNode node)
    {
        string s = Scalar(fileName, key, node, "a number").Replace("_", string.Empty, StringComparison.Ordinal);
        return double.TryParse(s, NumberStyles.Float, Inv, out double v) && double.IsFinite(v) ? v : throw Error(fileName, node, key, "a number", Quote(node));
    }

    private static bool ReadBool(string fileName, string key, YamlNode node)
    {
        string s = Scalar(fileName, key, node, "true or false");
        return s switch
        {
            "true" or "True" or "TRUE" => true,
            "false" or "False" or "FALSE" => false,
            _ => throw Error(fileName, node, key, "true or false", Quote(node)),
        };
    }

    private static string FormatValue(object? value) => value switch
    {
        null => "~",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "~",
    };

    private static CampaignSpecException Error(string fileName, YamlNode node, string key, string expected, string found) =>
        new(fileName, (int)node.Start.Line, (int)node.Start.Column, key, expected, found);

    private static string Quote(YamlNode node) => node is YamlScalarNode s ? $"'{s.Value}'" : NodeKind(node);

    private static string NodeKind(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "nothing",
        YamlScalarNode s => $"'{s.Value}'",
        _ => "something else",
    };

    /// <summary>YamlDotNet's message without its own "(Line: .., Col: ..)" prefix, as one line.</summary>
    private static string Describe(string message)
    {
        int close = message.IndexOf("): ", StringComparison.Ordinal);
        string text = message.StartsWith('(') && close > 0 ? message[(close + 3)..] : message;
        return text.ReplaceLineEndings(" ").TrimEnd('.');
    }

    /// <summary>The deepest nesting a spec may have; real specs nest two levels (a workload section's keys).</summary>
    public const int DepthMax = 32;

    /// <summary>
    /// Refuses nesting deeper than <see cref="DepthMax"/> as the events stream past, before YamlDotNet's
    /// recursive node builder sees them (a document nested 50,000 deep overflows its stack).
    /// </summary>
    private sealed class DepthLimitedParser(IParser inner, string fileName) : IParser
    {
        private int _depth;
        private YamlDotNet.Core.Mark _last = YamlDotNet.Core.Mark.Empty;

        public YamlDotNet.Core.Events.ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            bool more;
            try
            {
                more = inner.MoveNext();
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet's scanner fails some malformed input with an internal state error, not a YamlException
                // (fuzz seed 2XkDPyz13g32, a damaged replay header): the same one-line error, at the last good place.
                throw new CampaignSpecException(fileName, Math.Max(1, (int)_last.Line), Math.Max(1, (int)_last.Column), string.Empty, "well-formed YAML", "text the YAML scanner cannot read");
            }

            if (!more)
            {
                return false;
            }

            _last = inner.Current!.End;

            switch (inner.Current)
            {
                case YamlDotNet.Core.Events.MappingStart or YamlDotNet.Core.Events.SequenceStart:
                    if (++_depth > DepthMax)
                    {
                        var at = inner.Current.Start;
                        throw new CampaignSpecException(fileName, (int)at.Line, (int)at.Column, string.Empty, $"a spec nested at most {DepthMax} levels deep", "deeper nesting");
                    }

                    break;
                case YamlDotNet.Core.Events.MappingEnd or YamlDotNet.Core.Events.SequenceEnd:
                    _depth--;
                    break;
            }

            return true;
        }
    }
}
