using Mca.Systems.Model;

namespace Mca.Bench.Workloads;

/// <summary>Machine shapes for benchmarks: the default host scaled to more sockets and cores.</summary>
internal static class BenchMachines
{
    /// <summary>
    /// The default machine (10 banks, 16 GiB, dom0 + one HVM domU) with <paramref name="cpuCount"/> CPUs:
    /// 16 = 2 sockets x 4 cores x 2 threads (the default itself), 64 = 4 x 8 x 2, 256 = 8 x 16 x 2.
    /// </summary>
    public static MachineSpec WithCpus(int cpuCount)
    {
        var d = MachineSpec.Default;
        (int sockets, int cores) = cpuCount switch
        {
            16 => (2, 4),
            64 => (4, 8),
            256 => (8, 16),
            _ => throw new ArgumentOutOfRangeException(nameof(cpuCount), cpuCount, "expected 16, 64 or 256 CPUs"),
        };
        if (cpuCount == 16)
        {
            return d;
        }

        return new MachineSpec
        {
            Name = $"default-{cpuCount}cpu",
            Family = d.Family,
            Model = d.Model,
            SocketCount = sockets,
            CoresPerSocket = cores,
            ThreadsPerCore = 2,
            McgCap = d.McgCap,
            Banks = d.Banks,
            Memory = d.Memory,
            Domains = d.Domains,
        };
    }
}
