namespace Mca.Workloads.Campaign;

/// <summary>Workload-level facts a campaign reports beside the handler's (DIMMs with errors).</summary>
internal interface IWorkloadFacts
{
    int DimmsPerMachine { get; }

    /// <summary>DIMMs of a machine (batch index) that had at least one corrected error so far.</summary>
    int DimmsWithCe(int machineIndex);

    /// <summary>Fresh CPU errors of a class (0 corrected, 1 LLC UCNA, 2 LLC SRAO, 3 fatal) drawn for a machine, recurrences aside: the counts behind an importance-sampling weight.</summary>
    int CpuPrimaries(int machineIndex, int cpuClass) => 0;
}
