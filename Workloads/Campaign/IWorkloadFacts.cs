namespace Mca.Workloads.Campaign;

/// <summary>Workload-level facts a campaign reports beside the handler's (DIMMs with errors).</summary>
internal interface IWorkloadFacts
{
    int DimmsPerMachine { get; }

    /// <summary>DIMMs of a machine (batch index) that had at least one corrected error so far.</summary>
    int DimmsWithCe(int machineIndex);

    /// <summary>Fresh fatal CPU errors drawn for a machine (recurrences aside): the count behind an importance-sampling weight.</summary>
    int FatalCpuPrimaries(int machineIndex) => 0;
}
