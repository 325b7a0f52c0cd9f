using BenchmarkDotNet.Running;

namespace Mca.Bench;

public static class Program
{
    /// <summary>Runs the suites picked by the BenchmarkDotNet switcher; exits 1 if any benchmark failed.</summary>
    public static int Main(string[] args)
    {
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        foreach (var summary in summaries)
        {
            if (summary.HasCriticalValidationErrors || summary.Reports.Any(r => !r.Success))
            {
                return 1;
            }
        }

        return 0;
    }
}
