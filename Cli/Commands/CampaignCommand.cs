using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mca.Cli.Input;
using Mca.Cli.Output;
using Mca.Replay;
using Mca.Replay.Shards;
using Mca.Workloads.Campaign;
using Spectre.Console;

namespace Mca.Cli.Commands;

/// <summary><c>mca campaign</c>: a Monte Carlo error campaign over a fleet (the main job).</summary>
internal static class CampaignCommand
{
    public static Command Create()
    {
        var machines = new Option<int>("--machines") { Description = "Machines in the fleet (default 10,000)" };
        var days = new Option<int>("--days") { Description = "Simulated days (default 365)" };
        var seed = new Option<ulong>("--seed") { Description = "Campaign seed (default 1)" };
        var policy = new Option<string>("--policy") { Description = "Handler policy: rfc2009 (default), rfc2009-impacted or xen" };
        var workload = new Option<string>("--workload")
        {
            Description = "Workload: " + string.Join(", ", WorkloadCatalog.Default.Names) + ", or a campaign spec FILE.yaml (default field)",
        };
        var threads = new Option<int>("--threads") { Description = "Worker threads (default: all cores); results do not depend on it" };
        var batchSize = new Option<int>("--batch-size") { Description = "Machines per batch (default 512); results do not depend on it" };
        var epochDays = new Option<int>("--epoch-days") { Description = "Simulated days per epoch: progress, plot points, replay frames and state hashes (default 7); results do not depend on it" };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the results as JSON to FILE; without FILE (or with -) the JSON goes to stdout and the table to stderr",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var quiet = new Option<bool>("--quiet") { Description = "No progress output" };
        var literal = new Option<bool>("--literal") { Description = "Reference mode: step every poll tick and write folded corrected errors one by one (slow; same results)" };
        var plot = new Option<string?>("--plot") { Description = "Also plot cumulative outcomes per 1,000 machines over simulated time to FILE (.png or .svg)" };
        var record = new Option<string?>("--record") { Description = "Record the run as a replay FILE.mcar (per machine and epoch: the counts and hashes of its inputs and events, and its state hash; the rest re-simulates on demand); see mca replay" };
        var recordInputs = new Option<bool>("--record-inputs") { Description = "With --record: store every input as injected too (for readers without mca)" };
        var recordEvents = new Option<bool>("--record-events") { Description = "With --record: store every handling decision too (an archive of what this engine version did)" };
        var pageOffline = new Option<string>("--page-offline")
        {
            Description = "dom0's predictive page offlining: off, mcelog (2 CEs per page per 24 h, soft, via xen-hptool) or rasdaemon (50 per 24 h); default: off under rfc2009, mcelog under xen",
        };
        var report = new Option<string?>("--report") { Description = "Also write a self-contained HTML report (outcome table with intervals, plots inline as SVG, spec, provenance) to FILE.html" };
        var bias = new Option<string?>("--bias") { Description = "Importance sampling: run field CPU error classes at K times their rate (CLASS=K[,CLASS=K]; fatal, llc_srao, llc_ucna, cpu_corrected) and report likelihood-weighted estimates with their standard and relative errors" };
        var targetRelError = new Option<double?>("--target-rel-error") { Description = "Run rounds of --machines machines until every --target outcome's relative error (standard error over estimate) is below R, or --max-machines" };
        var maxMachines = new Option<int?>("--max-machines") { Description = "With --target-rel-error: the most machines to run (default 100 rounds)" };
        var targets = new Option<string>("--target") { Description = "With --target-rel-error: the outcomes whose relative error must fall below R, comma-separated (default resets)", DefaultValueFactory = _ => "resets" };
        var perMachine = new Option<string?>("--per-machine") { Description = "Also write one row per machine (every outcome count) to FILE.parquet, for mca query or any Parquet reader" };
        var shard = new Option<string?>("--shard") { Description = "Run shard I of N (0-based): machines I*M/N to (I+1)*M/N-1 of the fleet; needs --shard-out; mca merge combines the shards" };
        var shardOut = new Option<string?>("--shard-out") { Description = "With --shard: write the shard to FILE.mcashard (spec, per-machine rows, per-epoch sums; checksummed)" };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Journal finished batches in DIR; run the same command again after an interruption and it resumes from there" };
        var printSpec = new Option<bool>("--print-spec") { Description = "Print the campaign spec (YAML, every parameter) and exit: a starting point for a spec file" };
        var command = new Command("campaign", "Run a fleet Monte Carlo campaign and summarize errors, resets, vMCEs, guest outcomes and lost logs")
        {
            machines, days, seed, policy, workload, threads, batchSize, epochDays, json, plot, record, recordInputs, recordEvents, quiet, literal, pageOffline, perMachine, report, bias, targetRelError, maxMachines, targets, shard, shardOut, checkpoint, printSpec,
        };
        command.SetAction(parse =>
        {
            int threadCount = ThreadCount(parse, threads);

            var spec = ReadSpec(parse, workload, machines, days, seed, policy, batchSize, epochDays, pageOffline, threadCount, lockstep: false);
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(printSpec))
            {
                o.Write(CampaignSpecYaml.Write(spec));
                return Program.ExitOk;
            }

            ImportanceBias? importance = null;
            if (parse.GetValue(bias) is { } biasText)
            {
                (spec, importance) = Bias(spec, biasText);
            }

            double? target = parse.GetValue(targetRelError);
            var targetOutcomes = new List<CampaignOutcome>();
            if (target is { } r)
            {
                if (!(r > 0 && r < 1))
                {
                    throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--target-rel-error: expected a relative error between 0 and 1 (e.g. 0.1), found {r}"));
                }

                foreach (string name in parse.GetValue(targets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    targetOutcomes.Add(OutcomeNames.CountKeys.Contains(name) && OutcomeNames.TryFind(name, out var picked)
                        ? picked.Outcome
                        : throw new UsageException($"--target: expected outcomes among {string.Join(", ", OutcomeNames.CountKeys)}, found '{name}'"));
                }

                if (parse.GetValue(shard) is not null || parse.GetValue(record) is not null || parse.GetValue(checkpoint) is not null)
                {
                    throw new UsageException("--target-rel-error: not with --shard, --record or --checkpoint: it decides the fleet as it runs");
                }
            }
            else if (parse.GetValue(maxMachines) is not null)
            {
                throw new UsageException("--max-machines: expected --target-rel-error with it");
            }

            foreach (var (given, name) in new[] { (parse.GetValue(recordInputs), "--record-inputs"), (parse.GetValue(recordEvents), "--record-events") })
            {
                if (given && parse.GetValue(record) is null)
                {
                    throw new UsageException($"{name}: expected --record FILE.mcar with it");
                }
            }

            int roundMachines = spec.Machines;
            int maxFleet = parse.GetValue(maxMachines) ?? (int)Math.Min(CampaignSpec.MachinesMax, 100L * roundMachines);
            if (target is not null && (maxFleet < roundMachines || maxFleet > CampaignSpec.MachinesMax))
            {
                throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--max-machines: expected from --machines ({roundMachines:N0}) to {CampaignSpec.MachinesMax:N0}, found {maxFleet:N0}"));
            }

            var slice = ShardSlice.Parse(parse.GetValue(shard), parse.GetValue(shardOut), spec.Machines);
            if (slice is not null)
            {
                foreach (var (given, name) in new[] { (parse.GetResult(json) is not null, "--json"), (parse.GetValue(plot) is not null, "--plot"), (parse.GetValue(record) is not null, "--record"), (parse.GetValue(report) is not null, "--report") })
                {
                    if (given)
                    {
                        throw new UsageException($"{name}: not with --shard: expected mca merge to write it from the shard files");
                    }
                }
            }

            string? checkpointDir = parse.GetValue(checkpoint);
            if (checkpointDir is { Length: 0 })
            {
                throw new UsageException("--checkpoint: expected a directory, found an empty string");
            }

            if (checkpointDir is not null && File.Exists(checkpointDir))
            {
                throw new UsageException($"--checkpoint: expected a directory, found a file '{checkpointDir}'");
            }

            // Every output is checked and opened before the run; they appear all at once at the end, or not at all.
            using var outputs = new OutputSet();
            if (parse.GetValue(workload) is { } workloadText && IsSpecFile(workloadText))
            {
                outputs.AddInput("--workload", workloadText);
            }

            var jsonOut = outputs.Add("--json", JsonPath(parse, json), allowStdout: true);
            var recordOut = outputs.Add("--record", parse.GetValue(record));
            string? plotPath = parse.GetValue(plot);
            if (plotPath is { Length: > 0 } && Path.GetExtension(plotPath).ToLowerInvariant() is not (".png" or ".svg"))
            {
                throw new UsageException($"--plot: expected a FILE.png or FILE.svg, found '{plotPath}'");
            }

            var plotOut = outputs.Add("--plot", plotPath);
            string? reportPath = parse.GetValue(report);
            if (reportPath is { Length: > 0 } && !reportPath.StartsWith("/dev/", StringComparison.Ordinal) && !reportPath.EndsWith(".html", StringComparison.OrdinalIgnoreCase))
            {
                throw new UsageException($"--report: expected a FILE.html, found '{reportPath}'");
            }

            var reportOut = outputs.Add("--report", reportPath);
            var shardFile = slice is null ? null : outputs.Add("--shard-out", slice.Value.Path);
            var perMachineOut = outputs.Add("--per-machine", PerMachinePath(parse.GetValue(perMachine)));
            outputs.Open();

            // With the JSON on standard output, the table goes to stderr so the JSON can be piped.
            var table = jsonOut is { IsStdout: true } ? parse.InvocationConfiguration.Error : o;
            // The recorder takes the engine's ordered output: the workers wait for it, so memory stays bounded.
            var contents = (parse.GetValue(recordInputs) ? ReplayContents.Inputs : ReplayContents.Hashes) | (parse.GetValue(recordEvents) ? ReplayContents.Events : ReplayContents.Hashes);
            using var recorder = recordOut is null ? null : ReplayWriter.Create(recordOut.Stream, recordOut.Path, spec, contents: contents, literal: parse.GetValue(literal));
            // Recorded epochs are encoded on the workers; the consumer only writes their bytes.
            var options = spec.ToOptions(threadCount, literalPolling: parse.GetValue(literal)) with { Recorder = recorder?.Recorder, Encoder = recorder?.Encoder, Bias = importance };
            if (slice is { } sl)
            {
                options = options with { FirstMachineId = sl.First, Machines = sl.Machines };
            }

            var header = new ShardHeader(ShardFile.BuildId, CampaignSpecYaml.Write(spec), slice?.Index ?? 0, slice?.Shards ?? 1, options.FirstMachineId, options.Machines, spec.Machines, options.EpochCount, options.EpochNs, options.DurationNs, options.BatchSize, Frames: recorder is not null, Bias: ShardFile.FormatBias(importance));
            var shardWriter = shardFile is null ? null : new ShardWriter(shardFile.Stream, header);
            using var journal = checkpointDir is null ? null : OpenJournal(checkpointDir, header);
            if (journal is not null && Environment.GetEnvironmentVariable("MCA_TEST_KILL_AFTER_BATCH") is { } killAt && int.TryParse(killAt, CultureInfo.InvariantCulture, out int kill))
            {
                // Test seam (CheckpointTests): kill -9 this process right after journaling batch number `kill`.
                journal.AfterBatchForTests = n =>
                {
                    if (n == kill)
                    {
                        using var self = Process.GetCurrentProcess();
                        self.Kill();
                    }
                };
            }

            var machineTable = perMachineOut is null ? null : new PerMachineTable(perMachineOut.Stream, spec.Seed, options.Policy.Name, options.Policy.Dom0Daemon.Name);
            var sink = BatchSinks.Of(shardWriter, journal, machineTable);
            var err = parse.InvocationConfiguration.Error;
            var wall = Stopwatch.StartNew();
            double doneFraction = 0;
            CampaignResult result;
            using (Interrupt.Begin())
            {
                try
                {
                    if (target is { } goal)
                    {
                        result = RunToTarget(options, goal, targetOutcomes, roundMachines, maxFleet, sink, parse.GetValue(quiet) ? null : err, Interrupt.Token);
                        spec = spec with { Machines = result.Machines };
                        options = options with { Machines = result.Machines };
                    }
                    else
                    {
                        result = RunWithProgress(options, quiet: parse.GetValue(quiet), err, recorder is null ? null : recorder.Append, observe: p => doneFraction = p.Fraction, sink: sink, ct: Interrupt.Token);
                    }
                    recorder?.Complete(result);
                    shardWriter?.Complete();
                    machineTable?.Complete();
                    wall.Stop();
                }
                catch (OperationCanceledException) when (Interrupt.Token.IsCancellationRequested)
                {
                    throw Interrupted(spec, doneFraction);
                }

                RecordingSummary? recorded = recorder is null ? null : new(recorder.Path, recorder.BytesWritten, recorder.FrameCount, recorder.EventCount, recorder.InputCount);
                var summary = new CampaignSummary(spec, options, result, wall.Elapsed.TotalSeconds, recorded);
                string? jsonText = jsonOut is null ? null : JsonOut.Build(summary.ToJson(), JsonOut.Contracts.CampaignJson);
                if (jsonOut is { IsStdout: false })
                {
                    jsonOut.WriteAllText(jsonText!);
                }

                string title = Title(spec, options);
                if (plotOut is not null)
                {
                    CampaignPlot.Save(plotOut.Stream, plotOut.Path, title, spec.Machines, CampaignPlot.Series(result));
                }

                reportOut?.WriteAllText(HtmlReport.Campaign(spec, summary.ToJson(), result, title));

                if (Interrupt.Token.IsCancellationRequested)
                {
                    throw Interrupted(spec, doneFraction);
                }

                outputs.Commit();
                if (slice is { } done)
                {
                    table.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"shard {done.Index}/{done.Shards}: machines {done.First:N0} to {done.First + done.Machines - 1:N0} ({done.Machines:N0} of {spec.Machines:N0}), {result.Counts.HandlerEvents:N0} handler events in {wall.Elapsed.TotalSeconds:F1} s; written to {done.Path} ({shardWriter!.BytesWritten:N0} bytes); combine the shards with mca merge"));
                    return Program.ExitOk;
                }

                summary.WriteTable(table);
                if (jsonOut is { IsStdout: true })
                {
                    o.Write(jsonText);
                }

                if (recorded is { } rec && !parse.GetValue(quiet))
                {
                    err.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"recorded {rec.Path}: {rec.Bytes:N0} bytes, {rec.Frames:N0} frames, {rec.Events:N0} events, {rec.Inputs:N0} inputs ({rec.BytesPerRecordedEvent:F1} bytes per recorded event)"));
                }
            }

            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// <c>--bias fatal=K</c>: the field workload's fresh fatal CPU errors at K times their rate (a Poisson class, so each
    /// machine's likelihood ratio is K^-n e^((K-1) L) with L its unbiased expected count, field-calibration.md §B).
    /// </summary>
    internal static (CampaignSpec Spec, ImportanceBias Bias) Bias(CampaignSpec spec, string text)
    {
        string classes = string.Join(", ", ImportanceBias.ClassNames);
        var biases = new List<(string, double)>();
        foreach (string item in text.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            string cls = eq < 0 ? item : item[..eq].Trim();
            if (eq < 0 || !ImportanceBias.ClassNames.Contains(cls) || !double.TryParse(item[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out double k) || !double.IsFinite(k) || k <= 0 || k > 1e6
                || biases.Any(b => b.Item1 == cls))
            {
                throw new UsageException($"--bias: expected CLASS=K[,CLASS=K] (a class among {classes}, each once, at K times its rate, K from 0 to 1,000,000), found '{text}'");
            }

            biases.Add((cls, k));
        }

        if (spec.Workload != "field")
        {
            throw new UsageException($"--bias: expected the field workload (its CPU error classes are Poisson streams), found workload {spec.Workload}");
        }

        return ImportanceBias.Cpu(spec, biases);
    }

    /// <summary>
    /// <c>--target-rel-error R</c>: rounds of <paramref name="round"/> machines (ids continuing from the last round, so the
    /// machines run are exactly those of a plain campaign of that size) until every target outcome's relative error is
    /// below R (importance-weighted when biased), or <paramref name="max"/> machines have run.
    /// </summary>
    private static CampaignResult RunToTarget(CampaignOptions options, double goal, List<CampaignOutcome> targets, int round, int max, IBatchSink? sink, TextWriter? err, CancellationToken ct)
    {
        var builder = new CampaignResultBuilder(options with { Machines = max });
        var fold = new FoldingSink(builder, sink);
        int done = 0;
        var inv = CultureInfo.InvariantCulture;
        while (done < max)
        {
            int n = Math.Min(round, max - done);
            CampaignRunner.Run(options with { FirstMachineId = options.FirstMachineId + done, Machines = n }, sink: fold, ct: ct);
            done += n;
            var partial = builder.Build(done);
            double worst = targets.Max(o => RelativeError(partial, o));
            err?.WriteLine(string.Create(inv, $"campaign: {done:N0} machines, worst relative error {worst:P1} (target {goal:P1})"));
            if (worst < goal)
            {
                break;
            }
        }

        return builder.Build(done);
    }

    /// <summary>Standard error over estimate of an outcome's total: importance-weighted when biased, else from the per-machine sums.</summary>
    internal static double RelativeError(CampaignResult result, CampaignOutcome outcome)
    {
        if (result.Weighted is { } w)
        {
            return w.Of(outcome).RelativeError;
        }

        var s = result.Sums(outcome);
        if (s.Total <= 0 || s.Machines < 2)
        {
            return double.PositiveInfinity;
        }

        double n = s.Machines, mean = s.Total / n;
        double variance = Math.Max(0, ((double)s.SumSquares - (n * mean * mean)) / (n - 1));
        return Math.Sqrt(n * variance) / s.Total;
    }

    /// <summary>Folds every round's batches into one builder, and passes them on to the run's other sinks.</summary>
    private sealed class FoldingSink(CampaignResultBuilder builder, IBatchSink? next) : IBatchSink
    {
        public void Done(BatchResult result, bool resumed)
        {
            builder.Add(result);
            next?.Done(result, resumed);
        }
    }

    /// <summary><c>--threads</c>: all cores when absent, else 1 to 1,024.</summary>
    internal static int ThreadCount(ParseResult parse, Option<int> threads)
    {
        if (parse.GetResult(threads) is null)
        {
            return Environment.ProcessorCount;
        }

        int n = parse.GetValue(threads);
        return n is < 1 or > 1024
            ? throw new UsageException(string.Create(CultureInfo.InvariantCulture, $"--threads: expected a thread count from 1 to 1024, found {n}"))
            : n;
    }

    /// <summary>The title of a campaign's plot and report (merge gives the same).</summary>
    internal static string Title(CampaignSpec spec, CampaignOptions options) =>
        string.Create(CultureInfo.InvariantCulture, $"{spec.Machines:N0} machines x {spec.Days:N0} days, {spec.Workload}, {options.Policy.Name}, page offline {options.Policy.Dom0Daemon.Name}, seed {spec.Seed}");

    /// <summary><c>--per-machine</c>'s file: a .parquet name (or a device), null when absent.</summary>
    internal static string? PerMachinePath(string? path)
    {
        if (path is { Length: > 0 } && !path.StartsWith("/dev/", StringComparison.Ordinal) && !path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            throw new UsageException($"--per-machine: expected a FILE.parquet, found '{path}'");
        }

        return path;
    }

    private static CheckpointJournal OpenJournal(string directory, ShardHeader header)
    {
        try
        {
            return CheckpointJournal.Open(directory, header);
        }
        catch (ShardFormatException e)
        {
            throw new UsageException("--checkpoint: " + e.Message);
        }
    }

    /// <summary>The spec: a spec file or a built-in workload, then flags over it; validated, errors named by flag or file place.</summary>
    internal static CampaignSpec ReadSpec(ParseResult parse, Option<string> workload, Option<int> machines, Option<int> days, Option<ulong> seed, Option<string> policy, Option<int> batchSize, Option<int> epochDays, Option<string>? pageOffline = null, int threads = 1, bool lockstep = true)
    {
        string workloadText = parse.GetValue(workload) ?? "field";
        CampaignSpec spec;
        string? file = null;
        try
        {
            if (IsSpecFile(workloadText))
            {
                file = workloadText;
                spec = CampaignSpecYaml.Parse(InputFile.ReadText(workloadText, "campaign spec", InputFile.SpecLimitBytes), workloadText);
            }
            else
            {
                spec = new CampaignSpec { Workload = workloadText };
            }
        }
        catch (CampaignSpecException e)
        {
            throw new UsageException(e.Message);
        }

        var flags = new Dictionary<string, string>(StringComparer.Ordinal) { ["workload"] = "--workload" };
        if (parse.GetResult(machines) is not null)
        {
            spec = spec with { Machines = parse.GetValue(machines) };
            flags["machines"] = "--machines";
        }

        if (parse.GetResult(days) is not null)
        {
            spec = spec with { Days = parse.GetValue(days) };
            flags["days"] = "--days";
        }

        if (parse.GetResult(seed) is not null)
        {
            spec = spec with { Seed = parse.GetValue(seed) };
            flags["seed"] = "--seed";
        }

        if (parse.GetResult(policy) is not null)
        {
            spec = spec with { Policy = parse.GetValue(policy)! };
            flags["policy"] = "--policy";
        }

        if (parse.GetResult(batchSize) is not null)
        {
            spec = spec with { BatchSize = parse.GetValue(batchSize) };
            flags["batch_size"] = "--batch-size";
        }

        if (parse.GetResult(epochDays) is not null)
        {
            spec = spec with { EpochDays = parse.GetValue(epochDays) };
            flags["epoch_days"] = "--epoch-days";
        }

        if (pageOffline is not null && parse.GetResult(pageOffline) is not null)
        {
            spec = spec with { PageOffline = spec.PageOffline with { Preset = parse.GetValue(pageOffline)! } };
            flags["page_offline.preset"] = "--page-offline";
        }

        try
        {
            spec.Validate();
            MemoryEstimate.Require(spec, MemoryEstimate.AvailableBytes(), threads, lockstep);
        }
        catch (CampaignSpecException e)
        {
            // A flag's value is named by the flag; anything else came from the spec file (which validated on its own).
            string where = flags.TryGetValue(e.Key, out string? flag) && (file is null || flag != "--workload") ? flag : (file ?? "spec") + ": " + e.Key;
            throw new UsageException($"{where}: expected {e.Expected}, found {e.Found}");
        }

        return spec;
    }

    private static bool IsSpecFile(string workload) =>
        workload.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || workload.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) ||
        (WorkloadCatalog.Default.Find(workload) is null && File.Exists(workload));

    /// <summary><c>--json</c>'s file: null when absent, <c>-</c> (standard output) when given without a value.</summary>
    private static string? JsonPath(ParseResult parse, Option<string?> json) =>
        parse.GetResult(json) is not { } given ? null : given.Tokens.Count == 0 ? "-" : parse.GetValue(json);

    private static CommandInterruptedException Interrupted(CampaignSpec spec, double doneFraction) =>
        new(string.Create(CultureInfo.InvariantCulture,
            $"campaign interrupted at {doneFraction:P0} of {spec.Machines * (spec.Days / 365.0):N0} machine-years ({spec.Machines:N0} machines, {spec.Days:N0} days); nothing written"));

    /// <summary>
    /// Runs the campaign with a progress bar on an interactive terminal (machine-years done, machine-years/s,
    /// ETA from the start), periodic plain lines when stderr is redirected, or nothing when quiet.
    /// </summary>
    internal static CampaignResult RunWithProgress(CampaignOptions options, bool quiet, TextWriter err, Action<EpochOutput>? record = null, Action<CampaignProgress>? observe = null, IBatchSink? sink = null, CancellationToken ct = default)
    {
        if (quiet)
        {
            return CampaignRunner.Run(options, observe, record, sink, ct);
        }

        var wall = Stopwatch.StartNew();
        double totalYears = options.Machines * (options.DurationNs / (365.0 * CampaignOptions.DayNs));
        // Streaming runs finish machines a batch at a time; a lockstep run steps every batch an epoch at a time.
        string Unit(in CampaignProgress p) => options.Lockstep
            ? string.Create(CultureInfo.InvariantCulture, $"day {p.SimulatedNs / CampaignOptions.DayNs:N0}/{options.DurationNs / CampaignOptions.DayNs:N0}")
            : string.Create(CultureInfo.InvariantCulture, $"{p.MachinesDone:N0}/{options.Machines:N0} machines");
        string Describe(in CampaignProgress p)
        {
            double done = p.Fraction;
            double seconds = Math.Max(1e-3, wall.Elapsed.TotalSeconds);
            double rate = totalYears * done / seconds;
            double eta = done > 0 ? seconds * (1 - done) / done : 0;
            string years = totalYears >= 100 ? "N0" : "N2";
            return string.Create(CultureInfo.InvariantCulture,
                $"{done,5:P0}  {(totalYears * done).ToString(years, CultureInfo.InvariantCulture)}/{totalYears.ToString(years, CultureInfo.InvariantCulture)} machine-years, {Unit(in p)}  {rate,10:N0} machine-years/s  {p.HandlerEvents,14:N0} events  ETA {eta,6:F1}s");
        }

        bool interactive = ReferenceEquals(err, Console.Error) && !Console.IsErrorRedirected;
        if (!interactive)
        {
            double nextLine = 0;
            return CampaignRunner.Run(options, p =>
            {
                observe?.Invoke(p);
                double now = wall.Elapsed.TotalSeconds;
                if (now >= nextLine || p.MachineEpochsDone == p.MachineEpochs)
                {
                    err.WriteLine("campaign: " + Describe(in p));
                    nextLine = now + 2;
                }
            }, record, sink, ct);
        }

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        CampaignResult? result = null;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("campaign", maxValue: 1.0);
                result = CampaignRunner.Run(options, p =>
                {
                    observe?.Invoke(p);
                    task.Value = p.Fraction;
                    task.Description = Markup.Escape(Describe(in p));
                }, record, sink, ct);
            });
        return result!;
    }
}
