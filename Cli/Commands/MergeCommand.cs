using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Mca.Cli.Output;
using Mca.Replay.Shards;
using Mca.Workloads.Campaign;

namespace Mca.Cli.Commands;

/// <summary>
/// <c>mca merge FILE...</c>: combines the shard files of one campaign (<c>mca campaign --shard I/N --shard-out</c>)
/// into what the unsharded run gives: the same table, JSON (digest included) and plot. The shards must come from one
/// spec and one build and cover the fleet exactly once.
/// </summary>
internal static class MergeCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var files = new Argument<string[]>("FILE") { Description = "The shard files (FILE.mcashard), all N of them, in any order", Arity = ArgumentArity.OneOrMore };
        var json = new Option<string?>("--json")
        {
            Description = "Also write the results as JSON to FILE; without FILE (or with -) the JSON goes to stdout and the table to stderr",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var plot = new Option<string?>("--plot") { Description = "Also plot cumulative outcomes per 1,000 machines over simulated time to FILE (.png or .svg)" };
        var perMachine = new Option<string?>("--per-machine") { Description = "Also write one row per machine (every outcome count) to FILE.parquet" };
        var command = new Command("merge", "Combine the shard files of a campaign into its table, JSON and plot") { files, json, plot, perMachine };
        command.SetAction(parse =>
        {
            var paths = parse.GetValue(files)!;
            var wall = Stopwatch.StartNew();
            var readers = new List<ShardReader>();
            try
            {
                foreach (string path in paths)
                {
                    readers.Add(Open(path));
                }

                readers = Check(readers);
                var first = readers[0].Header;
                CampaignSpec spec;
                try
                {
                    spec = CampaignSpecYaml.Parse(first.Spec, readers[0].Path);
                }
                catch (CampaignSpecException e)
                {
                    throw new UsageException($"{readers[0].Path}: expected a shard whose spec this build reads, found: {e.Message}");
                }

                using var outputs = new OutputSet();
                foreach (var r in readers)
                {
                    outputs.AddInput("FILE", r.Path);
                }

                var jsonOut = outputs.Add("--json", parse.GetResult(json) is not { } given ? null : given.Tokens.Count == 0 ? "-" : parse.GetValue(json), allowStdout: true);
                string? plotPath = parse.GetValue(plot);
                if (plotPath is { Length: > 0 } && Path.GetExtension(plotPath).ToLowerInvariant() is not (".png" or ".svg"))
                {
                    throw new UsageException($"--plot: expected a FILE.png or FILE.svg, found '{plotPath}'");
                }

                var plotOut = outputs.Add("--plot", plotPath);
                var perMachineOut = outputs.Add("--per-machine", CampaignCommand.PerMachinePath(parse.GetValue(perMachine)));
                outputs.Open();
                var policy = spec.ResolvedPolicy();
                var machineTable = perMachineOut is null ? null : new PerMachineTable(perMachineOut.Stream, spec.Seed, policy.Name, policy.Dom0Daemon.Name);

                ImportanceBias? bias;
                try
                {
                    bias = ShardFile.ParseBias(first.Bias, readers[0].Path);
                }
                catch (ShardFormatException e)
                {
                    throw new UsageException(e.Message);
                }

                var builder = new CampaignResultBuilder(first.FleetMachines, first.DurationNs, first.EpochNs, first.EpochCount, bias);
                foreach (var r in readers)
                {
                    foreach (var batch in Read(r))
                    {
                        builder.Add(batch);
                        machineTable?.Done(batch, resumed: false);
                    }
                }

                machineTable?.Complete();

                var result = builder.Build();
                var options = spec.ToOptions(threads: 1) with { Bias = bias };
                wall.Stop();
                var summary = new CampaignSummary(spec, options, result, wall.Elapsed.TotalSeconds);
                string? jsonText = jsonOut is null ? null : JsonOut.Build(summary.ToJson(), JsonOut.Contracts.CampaignJson);
                if (jsonOut is { IsStdout: false })
                {
                    jsonOut.WriteAllText(jsonText!);
                }

                if (plotOut is not null)
                {
                    CampaignPlot.Save(plotOut.Stream, plotOut.Path, CampaignCommand.Title(spec, options), spec.Machines, CampaignPlot.Series(result));
                }

                outputs.Commit();
                var table = jsonOut is { IsStdout: true } ? parse.InvocationConfiguration.Error : parse.InvocationConfiguration.Output;
                summary.WriteTable(table);
                if (jsonOut is { IsStdout: true })
                {
                    parse.InvocationConfiguration.Output.Write(jsonText);
                }
            }
            finally
            {
                foreach (var r in readers)
                {
                    r.Dispose();
                }
            }

            return Program.ExitOk;
        });
        return command;
    }

    private static ShardReader Open(string path)
    {
        try
        {
            return ShardReader.Open(path);
        }
        catch (ShardFormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static IEnumerable<BatchResult> Read(ShardReader reader)
    {
        using var batches = reader.Batches().GetEnumerator();
        while (true)
        {
            try
            {
                if (!batches.MoveNext())
                {
                    yield break;
                }
            }
            catch (ShardFormatException e)
            {
                throw new UsageException(e.Message);
            }

            yield return batches.Current;
        }
    }

    /// <summary>Two shard specs of one campaign: equal but for the batch size, which never changes results.</summary>
    private static bool SameCampaign(string a, string b)
    {
        if (a == b)
        {
            return true;
        }

        try
        {
            int batch = new CampaignSpec().BatchSize;
            return CampaignSpecYaml.Write(CampaignSpecYaml.Parse(a, "shard") with { BatchSize = batch }) == CampaignSpecYaml.Write(CampaignSpecYaml.Parse(b, "shard") with { BatchSize = batch });
        }
        catch (CampaignSpecException)
        {
            return false;
        }
    }

    /// <summary>
    /// The shards in index order, once each checked to be one campaign's (same build, spec and shard count) and to
    /// cover its fleet exactly once; a foreign, repeated or missing shard is one line naming it.
    /// </summary>
    private static List<ShardReader> Check(List<ShardReader> readers)
    {
        var a = readers[0];
        var h = a.Header;
        var byIndex = new ShardReader?[h.ShardCount];
        foreach (var r in readers)
        {
            var g = r.Header;
            if (g.Build != h.Build)
            {
                throw new UsageException($"{r.Path}: expected a shard written by the same build as {a.Path} ({h.Build}), found one of {g.Build}");
            }

            if (!SameCampaign(g.Spec, h.Spec) || g.Bias != h.Bias || g.FleetMachines != h.FleetMachines || g.EpochNs != h.EpochNs || g.DurationNs != h.DurationNs || g.EpochCount != h.EpochCount)
            {
                throw new UsageException($"{r.Path}: expected a shard of the same campaign as {a.Path}, found one of another spec");
            }

            if (g.ShardCount != h.ShardCount)
            {
                throw new UsageException(string.Create(Inv, $"{r.Path}: expected shard I/{h.ShardCount} like {a.Path}, found shard {g.ShardIndex}/{g.ShardCount}"));
            }

            if (byIndex[g.ShardIndex] is { } twice)
            {
                throw new UsageException(string.Create(Inv, $"{r.Path}: expected each shard once, found shard {g.ShardIndex}/{g.ShardCount} again (also {twice.Path})"));
            }

            var (first, machines) = ShardSlice.Of(g.ShardIndex, g.ShardCount, g.FleetMachines);
            if (g.FirstMachineId != first || g.Machines != machines)
            {
                throw new UsageException(string.Create(Inv, $"{r.Path}: expected shard {g.ShardIndex}/{g.ShardCount} to hold machines {first} to {first + machines - 1}, found {g.FirstMachineId} to {g.FirstMachineId + g.Machines - 1}"));
            }

            byIndex[g.ShardIndex] = r;
        }

        var missing = Enumerable.Range(0, h.ShardCount).Where(i => byIndex[i] is null).ToList();
        if (missing.Count > 0)
        {
            string list = string.Join(", ", missing.Take(10).Select(i => i.ToString(Inv))) + (missing.Count > 10 ? string.Create(Inv, $" and {missing.Count - 10} more") : "");
            throw new UsageException(string.Create(Inv, $"merge: expected all {h.ShardCount} shards of the campaign, found {readers.Count}: missing shard {list}"));
        }

        return [.. byIndex.Select(r => r!)];
    }
}
