using System.Globalization;
using Mca.Systems.Model;

namespace Mca.Workloads.Campaign;

/// <summary>
/// The memory a campaign needs, from the fleet size and the machine shape, so a fleet that cannot fit is
/// refused before it runs instead of failing hours in. Every batch lives for the whole run today, so memory
/// grows with the fleet: about 16 KB per default machine (peak RSS 224 MB at 10,000 machines, 1.66 GB at
/// 100,000, measured with /usr/bin/time on the 2-core machine). When batches stream, <see cref="Require"/>
/// is the one place to relax.
/// </summary>
public static class MemoryEstimate
{
    /// <summary>The process before any batch: runtime, JIT, workload tables (fitted to the two measurements above).</summary>
    public const long BaseBytes = 64L << 20;

    /// <summary>Live bytes per entity (CPU, bank instance, domain, vCPU) with their share of the machine's scheduling, fault and event state.</summary>
    public const long BytesPerEntity = 194;

    /// <summary>CPUs, bank instances, domains and vCPUs of one machine: the rows a batch holds for it.</summary>
    public static int EntitiesPerMachine(MachineSpec machine)
    {
        ArgumentNullException.ThrowIfNull(machine);
        int banks = 0;
        foreach (var bank in machine.Banks)
        {
            banks += machine.InstancesOf(bank.Scope);
        }

        return machine.CpuCount + banks + machine.Domains.Count + machine.TotalVcpuCount;
    }

    /// <summary>Estimated peak bytes of a campaign over this spec's fleet.</summary>
    public static long BytesFor(CampaignSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return BaseBytes + ((long)spec.Machines * EntitiesPerMachine(spec.MachineSpec()) * BytesPerEntity);
    }

    /// <summary>Throws a <see cref="CampaignSpecException"/> on <c>machines</c> when the estimate exceeds <paramref name="availableBytes"/>.</summary>
    public static void Require(CampaignSpec spec, long availableBytes)
    {
        long need = BytesFor(spec);
        if (need <= availableBytes)
        {
            return;
        }

        long perMachine = EntitiesPerMachine(spec.MachineSpec()) * BytesPerEntity;
        long fits = Math.Max(0, (availableBytes - BaseBytes) / perMachine);
        var inv = CultureInfo.InvariantCulture;
        throw new CampaignSpecException(
            "machines",
            string.Create(inv, $"a fleet that fits in memory (about {perMachine / 1024.0:F1} KB per machine of this shape: at most {fits:N0} machines here)"),
            string.Create(inv, $"{spec.Machines:N0} machines needing about {Gb(need)} with {Gb(availableBytes)} available"));
    }

    /// <summary>The memory this process may use: the GC's view, which honours container (cgroup) limits.</summary>
    public static long AvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    private static string Gb(long bytes) => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB";
}
