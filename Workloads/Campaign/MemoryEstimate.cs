using System.Globalization;
using Mca.Systems.Model;

namespace Mca.Workloads.Campaign;

/// <summary>
/// The memory a campaign needs, so a run that cannot fit is refused before it starts instead of failing hours in.
/// Batches stream (<see cref="CampaignRunner"/>): at most one live batch per thread, and finished batches wait in a
/// window of four per thread, so memory depends on the threads and the batch size, never on the fleet (a recording
/// spools its frames). A lockstep run (the re-simulations of <c>replay verify</c>) keeps every batch for the run, and
/// there memory grows with the fleet: about 16 KB per default machine (peak RSS 224 MB at 10,000 machines, 1.66 GB at
/// 100,000, /usr/bin/time on the 2-core machine).
/// </summary>
public static class MemoryEstimate
{
    /// <summary>The process before any batch: runtime, JIT, workload tables (fitted to the two measurements above).</summary>
    public const long BaseBytes = 64L << 20;

    /// <summary>Live bytes per entity (CPU, bank instance, domain, vCPU) with their share of the machine's scheduling, fault and event state.</summary>
    public const long BytesPerEntity = 194;

    /// <summary>A finished machine's outcome waiting in the window (its counts, hashed facts and share of the batch's epoch counts).</summary>
    public const long OutcomeBytes = 512;

    /// <summary>Finished batches that may wait per thread (the streaming window).</summary>
    public const int WindowPerThread = 4;

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

    /// <summary>Estimated peak bytes of a lockstep run (every batch alive): grows with the fleet.</summary>
    public static long BytesFor(CampaignSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return BaseBytes + ((long)spec.Machines * EntitiesPerMachine(spec.MachineSpec()) * BytesPerEntity);
    }

    /// <summary>Estimated peak bytes of a streaming campaign on <paramref name="threads"/> threads: independent of the fleet.</summary>
    public static long BytesFor(CampaignSpec spec, int threads)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long batch = Math.Min(spec.BatchSize, spec.Machines);
        long perMachine = EntitiesPerMachine(spec.MachineSpec()) * BytesPerEntity;
        return BaseBytes + (threads * batch * perMachine) + (WindowPerThread * (long)threads * batch * OutcomeBytes);
    }

    /// <summary>
    /// Throws a <see cref="CampaignSpecException"/> when the estimate exceeds <paramref name="availableBytes"/>: on
    /// <c>machines</c> for a lockstep run (which holds the fleet), on <c>batch_size</c> for a streaming run (which holds
    /// a batch per thread).
    /// </summary>
    public static void Require(CampaignSpec spec, long availableBytes, int threads = 1, bool lockstep = true)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long need = lockstep ? BytesFor(spec) : BytesFor(spec, threads);
        if (need <= availableBytes)
        {
            return;
        }

        long perMachine = EntitiesPerMachine(spec.MachineSpec()) * BytesPerEntity;
        var inv = CultureInfo.InvariantCulture;
        if (lockstep)
        {
            long fits = Math.Max(0, (availableBytes - BaseBytes) / perMachine);
            throw new CampaignSpecException(
                "machines",
                string.Create(inv, $"a fleet that fits in memory with every batch kept (about {perMachine / 1024.0:F1} KB per machine of this shape: at most {fits:N0} machines here)"),
                string.Create(inv, $"{spec.Machines:N0} machines needing about {Gb(need)} with {Gb(availableBytes)} available"));
        }

        long batchFits = Math.Max(0, (availableBytes - BaseBytes) / ((perMachine + (WindowPerThread * OutcomeBytes)) * threads));
        throw new CampaignSpecException(
            "batch_size",
            string.Create(inv, $"batches that fit in memory on {threads} threads (about {perMachine / 1024.0:F1} KB per machine of this shape: at most {batchFits:N0} machines per batch here)"),
            string.Create(inv, $"{spec.BatchSize:N0} needing about {Gb(need)} with {Gb(availableBytes)} available"));
    }

    /// <summary>The memory this process may use: the GC's view, which honours container (cgroup) limits.</summary>
    public static long AvailableBytes() => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    private static string Gb(long bytes) => (bytes / 1e9).ToString("0.0", CultureInfo.InvariantCulture) + " GB";
}
