using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mca.Cli.Output;
using Mca.Workloads.Campaign;
using Mca.Workloads.Statistics;
using ScottPlot;
using Spectre.Console;

namespace Mca.Cli.Commands;

/// <summary>
/// <c>mca sweep KEY=V1,V2,...</c>: one arm per value of a spec setting, all in one paired pass (<see cref="CompareRunner"/>):
/// per value the totals of the chosen outcomes with their rate intervals, and the paired difference against the first value.
/// </summary>
internal static class SweepCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The outcomes a sweep may report: every count but the handler's own events.</summary>
    private static IEnumerable<string> Outcomes => OutcomeNames.CountKeys.Where(k => k != "handler_events");

    public static Command Create()
    {
        var setting = new Argument<string>("KEY=V1,V2,...") { Description = "The spec setting to sweep and its values, e.g. page_offline.threshold=1,2,5,10 or storm.fatal_per_machine_year=0.5,2,8" };
        var machines = new Option<int>("--machines") { Description = "Machines in the fleet (default 10,000)" };
        var days = new Option<int>("--days") { Description = "Simulated days (default 365)" };
        var seed = new Option<ulong>("--seed") { Description = "Campaign seed (default 1)" };
        var policy = new Option<string>("--policy") { Description = "Handler policy of every value: rfc2009 (default), rfc2009-impacted or xen" };
        var workload = new Option<string>("--workload") { Description = "Workload: " + string.Join(", ", WorkloadCatalog.Default.Names) + ", or a campaign spec FILE.yaml (default field)" };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores); results do not depend on it" };
        var batchSize = new Option<int>("--batch-size") { Description = "Machines per batch (default 512); results do not depend on it" };
        var epochDays = new Option<int>("--epoch-days") { Description = "Simulated days per epoch (default 7)" };
        var pageOffline = new Option<string>("--page-offline") { Description = "dom0's page offlining: off, mcelog or rasdaemon" };
        var outcomes = new Option<string>("--outcome") { Description = "The outcomes to report and plot, comma-separated (default resets,srar,domains_crashed,logs_lost): " + string.Join(", ", Outcomes), DefaultValueFactory = _ => "resets,srar,domains_crashed,logs_lost" };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the sweep as JSON to FILE; without FILE (or with -) the JSON goes to stdout and the table to stderr",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var plot = new Option<string?>("--plot") { Description = "Also plot the chosen outcomes per 1,000 machines against the value, with their 95% intervals, to FILE (.png or .svg)" };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output" };
        var report = new Option<string?>("--report") { Description = "Also write a self-contained HTML report (the table, the plot inline as SVG, the spec, provenance) to FILE.html" };
        var command = new Command("sweep", "Run one paired arm per value of a spec setting and report the chosen outcomes against it")
        {
            setting, machines, days, seed, policy, workload, threads, batchSize, epochDays, pageOffline, outcomes, json, plot, quiet, report,
        };
        command.SetAction(parse =>
        {
            int threadCount = CampaignCommand.ThreadCount(parse, threads);

            string text = parse.GetValue(setting)!;
            int eq = text.IndexOf('=', StringComparison.Ordinal);
            string[] values = eq <= 0 ? [] : [.. text[(eq + 1)..].Split(',').Select(v => v.Trim())];
            if (eq <= 0 || values.Length < 2 || values.Any(v => v.Length == 0))
            {
                throw new UsageException($"sweep: expected KEY=V1,V2,... (a spec setting and at least two values), found '{text}'");
            }

            string key = text[..eq].Trim();
            var chosen = new List<(string Key, CampaignOutcome Outcome)>();
            foreach (string o in parse.GetValue(outcomes)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                chosen.Add(Outcomes.Contains(o) && OutcomeNames.TryFind(o, out var entry) ? (o, entry.Outcome) : throw new UsageException($"--outcome: expected outcomes among {string.Join(", ", Outcomes)}, found '{o}'"));
            }

            var spec = CampaignCommand.ReadSpec(parse, workload, machines, days, seed, policy, batchSize, epochDays, pageOffline, threadCount, lockstep: false);
            var arms = values.Select(v => (Name: $"{key}={v}", Spec: CompareCommand.Override(spec, $"{key}={v}", "sweep"))).ToList();
            CompareCommand.RequirePaired(spec, arms, "sweep '{0}'", "value", "sweep");

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
            outputs.Open();
            var options = arms.Select(a => a.Spec.ToOptions(threadCount)).ToList();
            var wall = Stopwatch.StartNew();
            CompareResult result;
            using (Interrupt.Begin())
            {
                try
                {
                    result = CompareRunner.Run(options, null, ct: Interrupt.Token);
                }
                catch (OperationCanceledException) when (Interrupt.Token.IsCancellationRequested)
                {
                    throw new CommandInterruptedException("sweep interrupted; nothing written");
                }
            }

            wall.Stop();
            var rows = new List<SweepJson.RowJson>();
            for (int a = 0; a < arms.Count; a++)
            {
                rows.Add(Row(values[a], result, a, chosen));
            }

            var doc = new SweepJson(spec.Machines, spec.Days, spec.Seed, spec.Workload, key, rows, wall.Elapsed.TotalSeconds, ProvenanceJson.Of(spec));
            string? jsonText = jsonOut is null ? null : JsonOut.Build(doc, JsonOut.Contracts.SweepJson);
            if (jsonOut is { IsStdout: false })
            {
                jsonOut.WriteAllText(jsonText!);
            }

            if (plotOut is not null)
            {
                SavePlot(plotOut.Stream, plotOut.Path, spec, key, values, chosen, rows);
            }

            if (reportOut is not null)
            {
                using var tableText = new StringWriter(Inv);
                WriteTable(tableText, spec, key, chosen, rows, wall.Elapsed.TotalSeconds, plain: true);
                reportOut.WriteAllText(HtmlReport.Page(
                    string.Create(Inv, $"{spec.Machines:N0} machines x {spec.Days:N0} days, {spec.Workload}, seed {spec.Seed}: sweep of {key}"),
                    [("Values, paired against the first", "sweep-table", HtmlReport.Pre(tableText.ToString())), ("Against the value", "sweep-plot", SmallMultiples.Svg(Panels(spec, key, values, chosen, rows)))],
                    spec, doc.Provenance));
            }

            outputs.Commit();
            var table = jsonOut is { IsStdout: true } ? parse.InvocationConfiguration.Error : parse.InvocationConfiguration.Output;
            WriteTable(table, spec, key, chosen, rows, wall.Elapsed.TotalSeconds);
            if (jsonOut is { IsStdout: true })
            {
                parse.InvocationConfiguration.Output.Write(jsonText);
            }

            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>Arm <paramref name="a"/>'s row: each chosen outcome's total and rate interval, and after the first arm the paired difference.</summary>
    internal static SweepJson.RowJson Row(string value, CompareResult result, int a, IEnumerable<(string Key, CampaignOutcome Outcome)> chosen)
    {
        var r = result.Arms[a];
        var cells = new OrderedDictionary<string, SweepJson.CellJson>();
        foreach (var (name, outcome) in chosen)
        {
            var sums = r.Sums(outcome);
            var (rate, low, high, _) = RateInterval.Interval(sums, Math.Max(r.MachineYears, 1e-9));
            SweepJson.DifferenceJson? diff = null;
            if (a > 0)
            {
                var p = result.Paired[a - 1][(int)outcome];
                var (dl, dh) = p.Interval();
                diff = new SweepJson.DifferenceJson(p.Difference, dl, dh, p.SignP);
            }

            cells[name] = new SweepJson.CellJson(sums.Total, rate, low, high, diff);
        }

        return new SweepJson.RowJson(value, r.Digest, cells);
    }

    private static void WriteTable(TextWriter output, CampaignSpec spec, string key, List<(string Key, CampaignOutcome Outcome)> chosen, List<SweepJson.RowJson> rows, double wallSeconds, bool plain = false)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = plain ? AnsiSupport.No : AnsiSupport.Detect, ColorSystem = plain ? ColorSystemSupport.NoColors : ColorSystemSupport.Detect });
        console.Profile.Width = Math.Max(console.Profile.Width, 150);
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(string.Create(Inv,
            $"{spec.Machines:N0} machines x {spec.Days:N0} days, workload {spec.Workload}, seed {spec.Seed}: {key}, paired against {key}={rows[0].Value}")));
        table.AddColumn(Markup.Escape(key));
        foreach (var (name, _) in chosen)
        {
            table.AddColumn(new TableColumn(Markup.Escape(name + " (difference, 95%)")).RightAligned());
        }

        foreach (var row in rows)
        {
            var cells = new List<string> { Markup.Escape(row.Value) };
            foreach (var (name, _) in chosen)
            {
                var c = row.Outcomes[name];
                string text = c.Total.ToString("N0", Inv);
                if (c.AgainstFirst is { } d)
                {
                    text += string.Create(Inv, $" ({(d.Difference >= 0 ? "+" : "")}{d.Difference:N0}, {Math.Round(d.Low) + 0.0:N0}..{Math.Round(d.High) + 0.0:N0})");
                }

                cells.Add(Markup.Escape(text));
            }

            table.AddRow([.. cells]);
        }

        console.Write(table);
        output.WriteLine(string.Create(Inv, $"wall {wallSeconds:F2} s, {rows.Count} values in one paired pass"));
    }

    /// <summary>
    /// Small multiples: one panel per chosen outcome (their counts differ by orders of magnitude), each per 1,000
    /// machine-years against the value (numeric values on their axis, others in order) with its 95% band, y from zero.
    /// </summary>
    private static void SavePlot(Stream stream, string path, CampaignSpec spec, string key, string[] values, List<(string Key, CampaignOutcome Outcome)> chosen, List<SweepJson.RowJson> rows) =>
        SmallMultiples.Save(stream, path, Panels(spec, key, values, chosen, rows));

    /// <summary>The sweep's panels (also the report's figure).</summary>
    internal static List<Plot> Panels(CampaignSpec spec, string key, string[] values, List<(string Key, CampaignOutcome Outcome)> chosen, List<SweepJson.RowJson> rows)
    {
        bool numeric = values.All(v => double.TryParse(v, NumberStyles.Float, Inv, out _));
        double[] xs = numeric ? [.. values.Select(v => double.Parse(v, NumberStyles.Float, Inv))] : [.. Enumerable.Range(0, values.Length).Select(i => (double)i)];
        var panels = new List<Plot>();
        for (int i = 0; i < chosen.Count; i++)
        {
            string name = chosen[i].Key;
            var plot = new Plot();
            plot.Title(i == 0
                ? string.Create(Inv, $"{spec.Machines:N0} machines x {spec.Days:N0} days, {spec.Workload}, seed {spec.Seed}: {key}\n{name}")
                : name);
            plot.XLabel(key);
            plot.YLabel("per 1,000 machine-years");
            double[] ys = [.. rows.Select(r => r.Outcomes[name].RatePerMachineYear * 1000)];
            double[] lows = [.. rows.Select(r => r.Outcomes[name].Low * 1000)];
            double[] highs = [.. rows.Select(r => r.Outcomes[name].High * 1000)];
            var band = plot.Add.FillY(xs, lows, highs);
            band.FillStyle.Color = Colors.SteelBlue.WithAlpha(0.2);
            band.LineStyle.Width = 0;
            var line = plot.Add.ScatterLine(xs, ys);
            line.Color = Colors.SteelBlue;
            line.LineWidth = 2;
            line.MarkerSize = 7;
            if (!numeric)
            {
                plot.Axes.Bottom.SetTicks(xs, values);
            }

            plot.Axes.SetLimitsY(0, Math.Max(1e-9, highs.Max() * 1.1));
            panels.Add(plot);
        }

        return panels;
    }
}
