using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mca.Cli.Output;
using Mca.Workloads.Campaign;
using Spectre.Console;
using YamlDotNet.RepresentationModel;

namespace Mca.Cli.Commands;

/// <summary>
/// <c>mca compare</c>: a paired comparison of handler policies or spec knobs in one run. Every machine runs its one error
/// stream under each arm (common random numbers); per outcome the totals, their difference with a paired 95 % interval
/// over machines, and the exact sign test (docs/statistics.md "Paired comparisons").
/// </summary>
internal static class CompareCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The outcomes compared, in table order, with their JSON key, label and the factor to the reported unit.</summary>
    private static readonly (CampaignOutcome Outcome, string Key, string Label, double Scale)[] Rows =
        [.. OutcomeNames.All.Where(e => e.Outcome is not (CampaignOutcome.UncorrectedArrivals or CampaignOutcome.HandlerEvents))];

    public static Command Create()
    {
        var machines = new Option<int>("--machines") { Description = "Machines in the fleet (default 10,000)" };
        var days = new Option<int>("--days") { Description = "Simulated days (default 365)" };
        var seed = new Option<ulong>("--seed") { Description = "Campaign seed (default 1)" };
        var policies = new Option<string[]>("--policy") { Description = "An arm: a handler policy (rfc2009, rfc2009-impacted, xen); repeat for each arm", Arity = ArgumentArity.ZeroOrMore, AllowMultipleArgumentsPerToken = false };
        var arms = new Option<string[]>("--arm") { Description = "An arm: a spec setting KEY=VALUE over the campaign (e.g. page_offline=mcelog, policy=xen, storm.fatal_per_machine_year=2); repeat for each arm", Arity = ArgumentArity.ZeroOrMore };
        var workload = new Option<string>("--workload") { Description = "Workload: " + string.Join(", ", WorkloadCatalog.Default.Names) + ", or a campaign spec FILE.yaml (default field)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores); results do not depend on it" };
        var batchSize = new Option<int>("--batch-size") { Description = "Machines per batch (default 512); results do not depend on it" };
        var epochDays = new Option<int>("--epoch-days") { Description = "Simulated days per epoch (default 7); results do not depend on it" };
        var pageOffline = new Option<string>("--page-offline") { Description = "dom0's page offlining of every arm that does not set its own: off, mcelog or rasdaemon" };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the comparison as JSON to FILE; without FILE (or with -) the JSON goes to stdout and the table to stderr",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output" };
        var plot = new Option<string?>("--plot") { Description = "Also plot each arm's resets, SRARs, crashed domains, vMCEs, pages offlined and lost logs per 1,000 machine-years with 95% intervals, one panel per outcome, to FILE (.png or .svg)" };
        var report = new Option<string?>("--report") { Description = "Also write a self-contained HTML report (the paired tables, the plot inline as SVG, the spec, provenance) to FILE.html" };
        var perMachine = new Option<string?>("--per-machine") { Description = "Also write one row per machine with a column set per arm (arm0_resets, arm1_resets, ...) to FILE.parquet" };
        var command = new Command("compare", "Compare handler policies or spec settings in one paired run: the same machines and error draws under each arm")
        {
            machines, days, seed, policies, arms, workload, threads, batchSize, epochDays, pageOffline, json, quiet, plot, report, perMachine,
        };
        command.SetAction(parse =>
        {
            int threadCount = CampaignCommand.ThreadCount(parse, threads);

            // The common spec: everything but the arms (no single --policy here: the arms carry it).
            var none = new Option<string>("--policy-of-the-spec");
            var spec = CampaignCommand.ReadSpec(parse, workload, machines, days, seed, none, batchSize, epochDays, pageOffline, threadCount, lockstep: false);
            var armSpecs = new List<(string Name, CampaignSpec Spec)>();
            foreach (string p in parse.GetValue(policies) ?? [])
            {
                armSpecs.Add(("policy=" + p, Override(spec, "policy=" + p, "--policy")));
            }

            foreach (string a in parse.GetValue(arms) ?? [])
            {
                armSpecs.Add((a, Override(spec, a, "--arm")));
            }

            if (armSpecs.Count < 2)
            {
                throw new UsageException(string.Create(Inv, $"compare: expected at least two arms (--policy P or --arm KEY=VALUE, repeated), found {armSpecs.Count}"));
            }

            RequirePaired(spec, armSpecs, "--arm '{0}'", "arm", "comparison");

            using var outputs = new OutputSet();
            string? jsonPath = parse.GetResult(json) is not { } given ? null : given.Tokens.Count == 0 ? "-" : parse.GetValue(json);
            var jsonOut = outputs.Add("--json", jsonPath, allowStdout: true);
            string? plotPath = parse.GetValue(plot);
            if (plotPath is { Length: > 0 } && Path.GetExtension(plotPath).ToLowerInvariant() is not (".png" or ".svg"))
            {
                throw new UsageException($"--plot: expected a FILE.png or FILE.svg, found '{plotPath}'");
            }

            var plotOut = outputs.Add("--plot", plotPath);
            var reportOut = outputs.Add("--report", HtmlReport.RequireHtml(parse.GetValue(report)));
            var perMachineOut = outputs.Add("--per-machine", CampaignCommand.PerMachinePath(parse.GetValue(perMachine)));
            outputs.Open();
            var options = armSpecs.Select(a => a.Spec.ToOptions(threadCount)).ToList();
            var wall = Stopwatch.StartNew();
            CompareResult result;
            using (Interrupt.Begin())
            {
                try
                {
                    var machineTable = perMachineOut is null ? null : new PerMachineTable(perMachineOut.Stream, spec.Seed, [.. options.Select((o, a) => (string.Create(Inv, $"arm{a}_"), o.Policy.Name, o.Policy.Dom0Daemon.Name))]);
                    result = CompareRunner.Run(options, parse.GetValue(quiet) ? null : Progress(parse.InvocationConfiguration.Error, options[0], armSpecs.Count), machineTable is null ? null : machineTable.DoneArms, Interrupt.Token);
                    machineTable?.Complete();
                }
                catch (OperationCanceledException) when (Interrupt.Token.IsCancellationRequested)
                {
                    throw new CommandInterruptedException("compare interrupted; nothing written");
                }
            }

            wall.Stop();
            var doc = ToJson(spec, armSpecs, options, result, wall.Elapsed.TotalSeconds);
            string? jsonText = jsonOut is null ? null : JsonOut.Build(doc, JsonOut.Contracts.CompareJson);
            if (jsonOut is { IsStdout: false })
            {
                jsonOut.WriteAllText(jsonText!);
            }

            if (plotOut is not null || reportOut is not null)
            {
                string[] names = [.. armSpecs.Select(a => a.Name)];
                var rows = Enumerable.Range(0, armSpecs.Count).Select(a => SweepCommand.Row(names[a], result, a, PlotOutcomes)).ToList();
                var panels = SweepCommand.Panels(spec, "arm", names, PlotOutcomes, rows);
                if (plotOut is not null)
                {
                    SmallMultiples.Save(plotOut.Stream, plotOut.Path, panels);
                }

                if (reportOut is not null)
                {
                    using var tables = new StringWriter(Inv);
                    WriteTables(tables, spec, armSpecs, options, result, wall.Elapsed.TotalSeconds, plain: true);
                    reportOut.WriteAllText(HtmlReport.Page(
                        string.Create(Inv, $"{spec.Machines:N0} machines x {spec.Days:N0} days, {spec.Workload}, seed {spec.Seed}: {string.Join(" vs ", names)}"),
                        [("Paired differences against " + names[0], "compare-tables", HtmlReport.Pre(tables.ToString())), ("Each arm", "compare-plot", SmallMultiples.Svg(panels))],
                        spec, doc.Provenance));
                }
            }

            outputs.Commit();
            var table = jsonOut is { IsStdout: true } ? parse.InvocationConfiguration.Error : parse.InvocationConfiguration.Output;
            WriteTables(table, spec, armSpecs, options, result, wall.Elapsed.TotalSeconds);
            if (jsonOut is { IsStdout: true })
            {
                parse.InvocationConfiguration.Output.Write(jsonText);
            }

            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// Every arm keeps the machines, days, seed, batch size and epochs of <paramref name="spec"/>: a paired run needs the
    /// same machines over the same time. <paramref name="where"/> names an arm in the message (<c>{0}</c> is its setting).
    /// </summary>
    internal static void RequirePaired(CampaignSpec spec, IEnumerable<(string Name, CampaignSpec Spec)> arms, string where, string arm, string run)
    {
        foreach (var (name, s) in arms)
        {
            if (s.Machines != spec.Machines || s.Days != spec.Days || s.Seed != spec.Seed || s.BatchSize != spec.BatchSize || s.EpochDays != spec.EpochDays)
            {
                throw new UsageException(string.Format(Inv, where, name) + $": expected a setting that keeps the machines, days, seed, batch size and epochs common to every {arm} (a paired {run})");
            }
        }
    }

    /// <summary>
    /// The spec with one setting changed: KEY is a top-level key or a section.key path of the spec YAML
    /// (<c>mca campaign --print-spec</c>), <c>page_offline=P</c> sets the preset; the result is validated as a spec file is.
    /// </summary>
    internal static CampaignSpec Override(CampaignSpec spec, string setting, string option)
    {
        int eq = setting.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0 || eq == setting.Length - 1)
        {
            throw new UsageException($"{option}: expected KEY=VALUE (a spec setting, e.g. page_offline=mcelog), found '{setting}'");
        }

        string key = setting[..eq].Trim();
        string value = setting[(eq + 1)..].Trim();
        var stream = new YamlStream();
        stream.Load(new StringReader(CampaignSpecYaml.Write(spec)));
        var node = (YamlMappingNode)stream.Documents[0].RootNode;
        string[] path = key.Split('.');
        if (path is ["page_offline"])
        {
            path = ["page_offline", "preset"];
        }

        for (int i = 0; i < path.Length - 1; i++)
        {
            if (!node.Children.TryGetValue(new YamlScalarNode(path[i]), out var child) || child is not YamlMappingNode mapping)
            {
                throw new UsageException($"{option} '{setting}': expected a spec key (a top-level key or section.key of mca campaign --print-spec), found no section '{path[i]}'");
            }

            node = mapping;
        }

        // A key the section leaves unset (page_offline.threshold) is added; the spec parser refuses keys it does not know.
        var leaf = new YamlScalarNode(path[^1]);
        if (node.Children.TryGetValue(leaf, out var current) && current is not YamlScalarNode)
        {
            throw new UsageException($"{option} '{setting}': expected a key with a single value, found the section '{key}'");
        }

        node.Children[leaf] = new YamlScalarNode(value);
        using var text = new StringWriter(Inv);
        stream.Save(text, assignAnchors: false);
        try
        {
            return CampaignSpecYaml.Parse(text.ToString().Replace("\n...\n", "\n", StringComparison.Ordinal), $"{option} '{setting}'");
        }
        catch (CampaignSpecException e)
        {
            // Named by the setting, not by a place in the generated YAML.
            throw new UsageException($"{option} '{setting}': {e.Key}: expected {e.Expected}, found {e.Found}");
        }
    }

    private static Action<CampaignProgress> Progress(TextWriter err, CampaignOptions options, int arms)
    {
        var wall = Stopwatch.StartNew();
        double next = 2;
        return p =>
        {
            double now = wall.Elapsed.TotalSeconds;
            if (now >= next || p.MachinesDone == options.Machines)
            {
                double eta = p.Fraction > 0 ? now * (1 - p.Fraction) / p.Fraction : 0;
                err.WriteLine(string.Create(Inv, $"compare: {p.Fraction,5:P0}  {p.MachinesDone:N0}/{options.Machines:N0} machines x {arms} arms  ETA {eta,6:F1}s"));
                next = now + 2;
            }
        };
    }

    private static CompareJson ToJson(CampaignSpec spec, List<(string Name, CampaignSpec Spec)> arms, List<CampaignOptions> options, CompareResult result, double wallSeconds)
    {
        var armJson = new List<CompareJson.ArmJson>();
        for (int a = 0; a < arms.Count; a++)
        {
            var r = result.Arms[a];
            var totals = new OrderedDictionary<string, double>();
            foreach (var row in Rows)
            {
                totals[row.Key] = r.Sums(row.Outcome).Total * row.Scale;
            }

            armJson.Add(new CompareJson.ArmJson(arms[a].Name, options[a].Policy.Name, options[a].Policy.Dom0Daemon.Name, r.Digest, totals));
        }

        var comparisons = new List<CompareJson.ComparisonJson>();
        for (int a = 1; a < arms.Count; a++)
        {
            var outcomes = new OrderedDictionary<string, CompareJson.ArmPairJson>();
            foreach (var row in Rows)
            {
                var p = result.Paired[a - 1][(int)row.Outcome];
                var (low, high) = p.Interval();
                outcomes[row.Key] = new CompareJson.ArmPairJson(p.Baseline * row.Scale, p.Arm * row.Scale, p.Difference * row.Scale, low * row.Scale, high * row.Scale, p.More, p.Fewer, p.SignP);
            }

            comparisons.Add(new CompareJson.ComparisonJson(arms[0].Name, arms[a].Name, "paired t over machines (difference of totals); exact two-sided sign test", outcomes));
        }

        return new CompareJson(spec.Machines, spec.Days, spec.Seed, spec.Workload, result.Arms[0].MachineYears, armJson, comparisons, wallSeconds, ProvenanceJson.Of(spec));
    }

    /// <summary>The outcomes the plot and the report's figure show, one panel each.</summary>
    private static readonly List<(string Key, CampaignOutcome Outcome)> PlotOutcomes =
    [
        ("resets", CampaignOutcome.Resets),
        ("srar", CampaignOutcome.Srar),
        ("domains_crashed", CampaignOutcome.DomainsCrashed),
        ("vmce_injected", CampaignOutcome.VmceInjected),
        ("pages_offlined", CampaignOutcome.PagesOfflined),
        ("logs_lost", CampaignOutcome.LogsLost),
    ];

    private static void WriteTables(TextWriter output, CampaignSpec spec, List<(string Name, CampaignSpec Spec)> arms, List<CampaignOptions> options, CompareResult result, double wallSeconds, bool plain = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect, ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect });
        console.Profile.Width = Math.Max(console.Profile.Width, 150);
        for (int a = 1; a < arms.Count; a++)
        {
            var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(Inv,
                $"{spec.Machines:N0} machines x {spec.Days:N0} days, workload {spec.Workload}, seed {spec.Seed}: {arms[a].Name} against {arms[0].Name}, paired")));
            table.AddColumn("what");
            table.AddColumn(new TableColumn(Markup.Escape(arms[0].Name)).RightAligned());
            table.AddColumn(new TableColumn(Markup.Escape(arms[a].Name)).RightAligned());
            table.AddColumn(new TableColumn("difference (95%)").RightAligned());
            table.AddColumn(new TableColumn("machines more / fewer").RightAligned());
            table.AddColumn(new TableColumn("sign test p").RightAligned());
            foreach (var row in Rows)
            {
                var p = result.Paired[a - 1][(int)row.Outcome];
                var (low, high) = p.Interval();
                // Rounded first, so a bound of -0.3 prints as 0, not "-0".
                string Num(double v) => row.Scale == 1 ? (Math.Round(v) + 0.0).ToString("N0", Inv) : (Math.Round(v, 1) + 0.0).ToString("N1", Inv);
                table.AddRow(
                    Markup.Escape(row.Label),
                    Num(p.Baseline * row.Scale),
                    Num(p.Arm * row.Scale),
                    Markup.Escape(string.Create(Inv, $"{(p.Difference >= 0 ? "+" : "")}{Num(p.Difference * row.Scale)} ({Num(low * row.Scale)}..{Num(high * row.Scale)})")),
                    string.Create(Inv, $"{p.More:N0} / {p.Fewer:N0}"),
                    p.More + p.Fewer == 0 ? "-" : p.SignP.ToString(p.SignP < 0.001 ? "0.0E+0" : "0.000", Inv));
            }

            console.Write(table);
        }

        for (int a = 0; a < arms.Count; a++)
        {
            output.WriteLine(string.Create(Inv, $"arm {a}: {arms[a].Name} (policy {options[a].Policy.Name}, page offline {options[a].Policy.Dom0Daemon.Name}): digest {result.Arms[a].Digest}"));
        }

        output.WriteLine(string.Create(Inv, $"wall {wallSeconds:F2} s, {result.Arms[0].MachineYears * arms.Count / Math.Max(wallSeconds, 1e-9):N0} machine-years/s over {arms.Count} arms"));
    }
}
