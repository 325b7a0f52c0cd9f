using System.CommandLine;
using Mca.Cli.Commands;
using Mca.Cli.Output;

namespace Mca.Cli;

/// <summary>
/// The <c>mca</c> command line. Bad input of any kind prints one line on stderr and exits 2;
/// success exits 0; a replay divergence exits 1; SIGINT and SIGTERM exit 130 and 143.
/// </summary>
internal static class Program
{
    public const int ExitOk = 0;
    public const int ExitUsage = 2;

    public static int Main(string[] args)
    {
        // SIGINT and SIGTERM stop a campaign or replay cleanly (Interrupt); the handlers live as long as the process.
        var signals = Interrupt.Install();
        try
        {
            return Run(args, Console.Out, Console.Error);
        }
        finally
        {
            foreach (var s in signals)
            {
                s.Dispose();
            }
        }
    }

    /// <summary>The command tree.</summary>
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("mca: a fleet-scale simulator of x86 machine-check handling in Xen");
        root.Subcommands.Add(CampaignCommand.Create());
        root.Subcommands.Add(MergeCommand.Create());
        root.Subcommands.Add(CompareCommand.Create());
        root.Subcommands.Add(SweepCommand.Create());
        root.Subcommands.Add(XenMceInjCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(DecodeCommand.Create());
        root.Subcommands.Add(GradeCommand.Create());
        root.Subcommands.Add(ReplayCommand.Create());
        root.Subcommands.Add(QueryCommand.Create());
        return root;
    }

    /// <summary>Runs the CLI in-process with the given writers (tests use this).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        Output.ProvenanceJson.Args = [.. args ?? []];
        return Invoke(BuildRoot(), args!, stdout, stderr);
    }

    /// <summary>Parses and runs, mapping parse errors and <see cref="UsageException"/> to one line and exit 2.</summary>
    public static int Invoke(RootCommand root, string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(stderr);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // An unknown word is the most useful thing to name; otherwise the first error.
            var error = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            stderr.WriteLine("mca: " + ParseErrorText.OneLine(error) + " (see mca --help)");
            return ExitUsage;
        }

        // System.CommandLine answers --version whatever follows it; anything more is a mistake.
        if (args.Length > 1 && Array.IndexOf(args, "--version") is >= 0 and var at)
        {
            string other = args[at == 0 ? 1 : 0];
            stderr.WriteLine($"mca: --version: expected no other arguments, found '{other}' (see mca --help)");
            return ExitUsage;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is UsageException or OutputException)
        {
            stderr.WriteLine("mca: " + e.Message);
            return ExitUsage;
        }
        catch (Mca.Replay.ReplayMismatchException e)
        {
            // A hash-only replay this build does not re-simulate: a divergence, not bad input.
            stderr.WriteLine("mca: " + e.Message);
            return Commands.ReplayCommand.ExitDiverged;
        }
        catch (CommandInterruptedException e)
        {
            stderr.WriteLine("mca: " + e.Message);
            return Interrupt.ExitCode == 0 ? Interrupt.ExitSigint : Interrupt.ExitCode;
        }
    }
}
