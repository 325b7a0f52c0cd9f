using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using Mca.Cli.Input;
using Mca.Cli.Output;
using Mca.Cli.Output.Replay;
using Mca.Replay;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Commands;

/// <summary>
/// <c>mca replay verify|show|extract|run|diff</c>: work with <c>.mcar</c> replays (docs/replay-format.md).
/// A malformed, truncated or foreign file is one line and exit 2; a divergence is exit 1.
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Exit code of a divergence (verify, diff, extract).</summary>
    public const int ExitDiverged = 1;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <param name="catalog">Workloads a replay's spec may name (tests add their own).</param>
    public static Command Create(WorkloadCatalog? catalog = null)
    {
        var command = new Command("replay", "Verify, show, extract, re-run under another policy, diff or shrink recorded campaigns (.mcar)")
        {
            Verify(catalog), Show(catalog), Extract(catalog), Run(catalog), Diff(catalog), Shrink(catalog),
        };
        return command;
    }

    private static Argument<string> FileArgument(string name = "FILE") => new(name) { Description = "A replay file (.mcar)" };

    private static Option<int> Threads() => new("--threads") { Description = "Worker threads for re-simulation (default: all cores); results do not depend on it" };

    private static Option<bool> Quiet() => new("--quiet") { Description = "No progress output on stderr" };

    private static Option<int?> Machine(string description) => new("--machine") { Description = description };

    private static Command Verify(WorkloadCatalog? catalog)
    {
        var file = FileArgument();
        var threads = Threads();
        var quiet = Quiet();
        var json = Common.Json();
        var command = new Command("verify", "Re-simulate a replay from its header and compare every frame and state hash: exit 0 if identical, 1 at the first divergence")
        {
            file, threads, quiet, json,
        };
        command.SetAction(parse =>
        {
            string path = InputFile.RequireSeekable(parse.GetValue(file)!, "replay");
            int threadCount = ThreadCount(parse, threads);
            var reached = new StrongBox<long>();
            var report = Interruptible("replay verify", reached, () => ReplayVerifier.Verify(path, threadCount, catalog, Progress(parse, quiet, "verify", reached), Interrupt.Token));
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(VerifyPrinter.ToJson(path, report), JsonOut.Contracts.VerifyJson));
            }
            else
            {
                VerifyPrinter.Write(o, path, report);
            }

            return report.Identical ? Program.ExitOk : ExitDiverged;
        });
        return command;
    }

    private static Command Show(WorkloadCatalog? catalog)
    {
        var file = FileArgument();
        var machine = Machine("Show this machine's timeline (default: the campaign's totals)");
        var from = new Option<string?>("--from") { Description = "From this simulated time: a number with a unit (ns, us, ms, s, m, h, d), e.g. 36h; a bare number is nanoseconds" };
        var to = new Option<string?>("--to") { Description = "Up to this simulated time (inclusive), same units" };
        var with = new Option<string?>("--with")
        {
            Description = $"List the machines with at least one of this outcome, with all their outcomes: {ReplayShow.AnyOutcome} (all but routine log deliveries) or one of {string.Join(", ", MachineTally.Names)}",
        };
        var kind = new Option<string?>("--kind")
        {
            Description = $"With --machine: show only these entries, comma-separated: input, state-hash, or event kinds ({string.Join(", ", Enum.GetNames<HandlerEventKind>().Where(n => n != nameof(HandlerEventKind.None)))})",
        };
        var json = Common.Json();
        var command = new Command("show", "Print a machine's timeline (inputs, handling decisions, state hashes), the campaign's totals, or the machines with an outcome")
        {
            file, machine, from, to, with, kind, json,
        };
        command.SetAction(parse =>
        {
            string path = InputFile.RequireSeekable(parse.GetValue(file)!, "replay");
            long fromNs = ParseTime(parse.GetValue(from), "--from") ?? 0;
            long toNs = ParseTime(parse.GetValue(to), "--to") ?? long.MaxValue;
            if (toNs < fromNs)
            {
                throw new UsageException(string.Create(Inv, $"--to: expected a time at or after --from ({ReplayText.Time(fromNs)}), found {ReplayText.Time(toNs)}"));
            }

            var o = parse.InvocationConfiguration.Output;
            bool asJson = parse.GetValue(json);
            var keep = ParseKinds(parse.GetValue(kind));
            if (keep is not null && parse.GetValue(machine) is null)
            {
                throw new UsageException("--kind: expected --machine beside it (it filters one machine's timeline)");
            }

            if (parse.GetValue(with) is string outcome)
            {
                if (parse.GetValue(machine) is not null)
                {
                    throw new UsageException("--with: expected no --machine beside it (it lists machines; show one with --machine alone)");
                }

                outcome = outcome.Replace('-', '_').ToLowerInvariant();
                if (!ReplayShow.IsOutcome(outcome))
                {
                    throw new UsageException($"--with: expected {ReplayShow.AnyOutcome} or one of {string.Join(", ", MachineTally.Names)}, found '{parse.GetValue(with)}'");
                }

                var list = Guard(() => ReplayShow.With(path, outcome, fromNs, toNs, catalog));
                if (asJson)
                {
                    o.Write(JsonOut.Build(ShowPrinter.ToJson(path, list), JsonOut.Contracts.OutcomesJson));
                }
                else
                {
                    ShowPrinter.WriteOutcomes(o, path, list);
                }
            }
            else if (parse.GetValue(machine) is int m)
            {
                var timeline = Guard(() => ReplayShow.Machine(path, m, fromNs, toNs, catalog));
                if (keep is not null)
                {
                    timeline = timeline with { Entries = [.. timeline.Entries.Where(keep)] };
                }

                if (asJson)
                {
                    o.Write(JsonOut.Build(ShowPrinter.ToJson(path, timeline), JsonOut.Contracts.TimelineJson));
                }
                else
                {
                    ShowPrinter.WriteTimeline(o, timeline);
                }
            }
            else
            {
                var summary = Guard(() => ReplayShow.Totals(path, fromNs, toNs, catalog));
                if (asJson)
                {
                    o.Write(JsonOut.Build(ShowPrinter.ToJson(path, summary), JsonOut.Contracts.TotalsJson));
                }
                else
                {
                    ShowPrinter.WriteTotals(o, path, summary);
                }
            }

            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>
    /// <c>--kind</c>'s list as a filter on timeline entries: <c>input</c>, <c>state-hash</c> and event kind names,
    /// case-insensitive; null when not given.
    /// </summary>
    internal static Func<TimelineEntry, bool>? ParseKinds(string? text)
    {
        if (text is null)
        {
            return null;
        }

        bool inputs = false, hashes = false;
        var kinds = new HashSet<HandlerEventKind>();
        foreach (string part in text.Split(',', StringSplitOptions.TrimEntries))
        {
            string name = part.Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            if (name.Equals("input", StringComparison.OrdinalIgnoreCase) || name.Equals("inputs", StringComparison.OrdinalIgnoreCase))
            {
                inputs = true;
            }
            else if (name.Equals("statehash", StringComparison.OrdinalIgnoreCase))
            {
                hashes = true;
            }
            else if (Enum.GetNames<HandlerEventKind>().FirstOrDefault(n => n != nameof(HandlerEventKind.None) && n.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } kindName)
            {
                kinds.Add(Enum.Parse<HandlerEventKind>(kindName));
            }
            else
            {
                throw new UsageException($"--kind: expected input, state-hash or an event kind such as Reset or VmceInjected, found '{part}'");
            }
        }

        return e => e.Input is not null ? inputs : e.StateHash is not null ? hashes : e.Event is { } ev && kinds.Contains(ev.Kind);
    }

    private static Command Extract(WorkloadCatalog? catalog)
    {
        var file = FileArgument();
        var machine = Machine("The machine to extract (required)");
        machine.Required = true;
        var output = new Option<string>("--output", "-o") { Description = "The one-machine replay to write (OUT.mcar)", Required = true };
        var json = Common.Json();
        var command = new Command("extract", "Write one machine's replay; it verifies on its own (its recorded inputs are fed to the handler)")
        {
            file, machine, output, json,
        };
        command.SetAction(parse =>
        {
            string path = InputFile.RequireSeekable(parse.GetValue(file)!, "replay");
            string outPath = parse.GetValue(output)!;
            // The output is checked and opened before the work, and renamed into place only once it verified.
            using var outputs = new OutputSet();
            outputs.AddInput("FILE", path);
            var outFile = outputs.Add("--output", outPath)!;
            outputs.Open();
            var report = Interruptible("replay extract", new StrongBox<long>(), () => ReplayExtractor.Extract(path, parse.GetValue(machine)!.Value, outFile.Stream, outPath, catalog, Interrupt.Token));
            if (report.Divergence is null)
            {
                if (Interrupt.Token.IsCancellationRequested)
                {
                    throw new CommandInterruptedException("replay extract interrupted; nothing written");
                }

                outputs.Commit();
            }

            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(ExtractPrinter.ToJson(path, report), JsonOut.Contracts.ExtractJson));
            }
            else
            {
                ExtractPrinter.Write(o, path, report);
            }

            return report.Divergence is null ? Program.ExitOk : ExitDiverged;
        });
        return command;
    }

    private static Command Shrink(WorkloadCatalog? catalog)
    {
        var file = FileArgument();
        var machine = Machine("The machine to shrink (replay show --with OUTCOME lists the candidates)");
        machine.Required = true;
        var until = new Option<string>("--until") { Description = "The outcome to keep: " + string.Join(", ", MachineTally.Names), Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Write the minimal scenario to MIN.mce (default: print it)" };
        var bound = new Option<int>("--max-resimulations") { Description = $"Stop after this many one-machine re-simulations (default {ReplayShrink.DefaultMaxResimulations:N0}); the result then reproduces the outcome but may not be minimal", DefaultValueFactory = _ => ReplayShrink.DefaultMaxResimulations };
        var json = Common.Json();
        var command = new Command("shrink", "Delta-debug one machine's recorded inputs down to a minimal mce-inject scenario that still shows an outcome under mca run")
        {
            file, machine, until, output, bound, json,
        };
        command.SetAction(parse =>
        {
            string path = InputFile.RequireSeekable(parse.GetValue(file)!, "replay");
            string outcome = parse.GetValue(until)!.Replace('-', '_').ToLowerInvariant();
            if (!MachineTally.Names.Contains(outcome))
            {
                throw new UsageException($"--until: expected one of {string.Join(", ", MachineTally.Names)}, found '{parse.GetValue(until)}'");
            }

            int max = parse.GetValue(bound);
            if (max < 1)
            {
                throw new UsageException(string.Create(Inv, $"--max-resimulations: expected at least 1, found {max}"));
            }

            int m = parse.GetValue(machine)!.Value;
            using var outputs = new OutputSet();
            outputs.AddInput("FILE", path);
            var outFile = outputs.Add("--output", parse.GetValue(output));
            outputs.Open();
            var recorded = Guard(() => ReplayShow.Machine(path, m, catalog: catalog).Tally);
            if (recorded.Get(outcome) == 0)
            {
                throw new UsageException(string.Create(Inv, $"--machine: expected a machine with {outcome} in the recording (mca replay show {path} --with {outcome} lists them), found machine {m} without"));
            }

            var report = Interruptible("replay shrink", new StrongBox<long>(), () => Guard(() => ReplayShrink.Shrink(path, m, outcome, max, catalog, Interrupt.Token)));
            var o = parse.InvocationConfiguration.Output;
            var err = parse.InvocationConfiguration.Error;
            if (!report.Reproduced)
            {
                err.WriteLine(string.Create(Inv, $"mca: replay shrink: machine {m}'s {report.InputsBefore:N0} recorded inputs, run as a scenario (a second apart, each corrected-error run as one error), show no {outcome}: the outcome needs the recorded timing"));
                return ExitDiverged;
            }

            string scenario = report.ScenarioText(path);
            if (outFile is not null)
            {
                outFile.WriteAllText(scenario);
                outputs.Commit();
            }

            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(new ShrinkJson(m, outcome, report.Policy, report.InputsBefore, report.Records.Count, report.Resimulations, report.BoundHit, outFile?.Path, outFile is null ? scenario : null), JsonOut.Contracts.ShrinkJson));
                return Program.ExitOk;
            }

            var summary = outFile is null ? o : err;
            if (outFile is null)
            {
                o.Write(scenario);
            }

            summary.WriteLine(string.Create(Inv, $"shrink: machine {m}, {outcome}: {report.InputsBefore:N0} recorded inputs -> {report.Records.Count:N0} in {report.Resimulations:N0} re-simulations{(report.BoundHit ? " (bound reached: may not be minimal)" : "")}{(outFile is null ? "" : "; written to " + outFile.Path)}; reproduce with mca run {(outFile?.Path ?? "FILE")} --policy {report.Policy}"));
            if (!report.DefaultMachine)
            {
                summary.WriteLine("shrink: note: the recording's machine is not the default machine mca run simulates; the scenario was checked on the recording's machine");
            }

            return Program.ExitOk;
        });
        return command;
    }

    private static Command Run(WorkloadCatalog? catalog)
    {
        var file = FileArgument();
        var policy = new Option<string>("--policy") { Description = "The policy to replay the recorded inputs under: rfc2009, rfc2009-impacted or xen", Required = true };
        var machine = Machine("Replay only this machine (default: every machine)");
        var threads = Threads();
        var quiet = Quiet();
        var json = Common.Json();
        var command = new Command("run", "Replay the recorded inputs under another policy and print what changed (resets, vMCEs, guest outcomes, losses)")
        {
            file, policy, machine, threads, quiet, json,
        };
        command.SetAction(parse =>
        {
            string path = InputFile.RequireSeekable(parse.GetValue(file)!, "replay");
            string policyName = Common.ParsePolicy(parse.GetValue(policy)!).Name;
            int threadCount = ThreadCount(parse, threads);
            var reached = new StrongBox<long>();
            var report = Interruptible("replay run", reached, () => ReplayRerun.Run(path, policyName, parse.GetValue(machine), threadCount, catalog, Progress(parse, quiet, "run", reached), Interrupt.Token));
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(RunPrinter.ToJson(path, report), JsonOut.Contracts.RerunJson));
            }
            else
            {
                RunPrinter.Write(o, path, report);
            }

            return Program.ExitOk;
        });
        return command;
    }

    private static Command Diff(WorkloadCatalog? catalog)
    {
        var a = FileArgument("A");
        var b = FileArgument("B");
        var json = Common.Json();
        var command = new Command("diff", "The first divergence between two replays (over the machines both hold): exit 0 if none, 1 otherwise")
        {
            a, b, json,
        };
        command.SetAction(parse =>
        {
            string pathA = InputFile.RequireSeekable(parse.GetValue(a)!, "replay");
            string pathB = InputFile.RequireSeekable(parse.GetValue(b)!, "replay");
            var report = Guard(() => ReplayDiff.Compare(pathA, pathB, catalog));
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(DiffPrinter.ToJson(pathA, pathB, report), JsonOut.Contracts.DiffJson));
            }
            else
            {
                DiffPrinter.Write(o, pathA, pathB, report);
            }

            return report.Identical ? Program.ExitOk : ExitDiverged;
        });
        return command;
    }

    /// <summary>Runs a replay operation, turning bad files and bad machine ids into one-line usage errors.</summary>
    private static T Guard<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (ReplayFormatException e)
        {
            throw new UsageException(e.Message);
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName == "machine")
        {
            throw new UsageException(string.Create(Inv, $"--machine: expected a machine the replay holds ({e.Message.Split(" (Parameter")[0]}), found {e.ActualValue}"));
        }
        catch (ArgumentException e) when (e.ParamName is null)
        {
            throw new UsageException(e.Message);
        }
        catch (IOException e)
        {
            throw new UsageException(e.Message.TrimEnd('.'));
        }
    }

    /// <summary>
    /// Runs a long replay operation that SIGINT or SIGTERM may stop (<see cref="Interrupt"/>): an interruption is
    /// one line saying how far it got (<paramref name="reached"/>, the last simulated time seen).
    /// </summary>
    private static T Interruptible<T>(string what, StrongBox<long> reached, Func<T> run)
    {
        using (Interrupt.Begin())
        {
            try
            {
                return Guard(run);
            }
            catch (OperationCanceledException) when (Interrupt.Token.IsCancellationRequested)
            {
                // Only extract writes a file; verify and run have nothing to leave behind.
                string tail = what == "replay extract" ? "; nothing written" : string.Empty;
                throw new CommandInterruptedException(string.Create(Inv, $"{what} interrupted at simulated day {reached.Value / CampaignOptions.DayNs:N0}{tail}"));
            }
        }
    }

    private static int ThreadCount(ParseResult parse, Option<int> threads)
    {
        if (parse.GetResult(threads) is null)
        {
            return Environment.ProcessorCount;
        }

        int n = parse.GetValue(threads);
        return n is >= 1 and <= 1024 ? n : throw new UsageException(string.Create(Inv, $"--threads: expected a thread count from 1 to 1024, found {n}"));
    }

    /// <summary>A progress line on stderr every 2 s of a long re-simulation (nothing for short ones, or with --quiet); notes how far it got.</summary>
    private static Action<CampaignProgress> Progress(ParseResult parse, Option<bool> quiet, string what, StrongBox<long> reached)
    {
        bool silent = parse.GetValue(quiet);
        var err = parse.InvocationConfiguration.Error;
        var wall = Stopwatch.StartNew();
        double next = 2;
        return p =>
        {
            reached.Value = p.SimulatedNs;
            if (!silent && wall.Elapsed.TotalSeconds >= next)
            {
                err.WriteLine(string.Create(Inv, $"replay {what}: day {p.SimulatedNs / CampaignOptions.DayNs:N0}, {p.Fraction:P0} done, {p.HandlerEvents:N0} events"));
                next = wall.Elapsed.TotalSeconds + 2;
            }
        };
    }

    /// <summary>A simulated time: a number (decimals allowed) and a unit (ns, us, ms, s, m, h, d); a bare number is nanoseconds.</summary>
    internal static long? ParseTime(string? text, string flag)
    {
        if (text is null)
        {
            return null;
        }

        string t = text.Trim();
        (string Suffix, long Ns)[] units = [("ns", 1), ("us", 1_000), ("ms", 1_000_000), ("s", 1_000_000_000), ("m", 60_000_000_000), ("h", 3_600_000_000_000), ("d", CampaignOptions.DayNs)];
        long scale = 1;
        foreach (var (suffix, ns) in units)
        {
            // In this order "ms" is seen before "s" and "m".
            if (t.EndsWith(suffix, StringComparison.Ordinal))
            {
                t = t[..^suffix.Length];
                scale = ns;
                break;
            }
        }

        if (!decimal.TryParse(t, NumberStyles.AllowDecimalPoint, Inv, out decimal value) || value > long.MaxValue / scale)
        {
            throw new UsageException($"{flag}: expected a time such as 36h, 2.5d or 90s (units ns, us, ms, s, m, h, d), found '{text}'");
        }

        return (long)(value * scale);
    }
}
