using BenchmarkDotNet.Running;

namespace Mca.Bench;

internal static class Program
{
    private static readonly string[] ShortJob = ["--job", "short"];

    /// <summary>
    /// Runs the suites picked by the BenchmarkDotNet switcher; exits 1 if any benchmark failed (a critical
    /// validation error, a build failure or a run that threw). <c>--quick</c> is short for <c>--job short</c>.
    /// </summary>
    public static int Main(string[] args)
    {
        args = [.. args.SelectMany(a => a == "--quick" ? ShortJob : [a])];
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success) || summary.Reports.Length < summary.BenchmarksCases.Length)
            {
                return 1;
            }
        }

        return 0;
    }
}
