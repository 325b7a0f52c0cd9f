namespace Mca.Workloads.Field;

/// <summary>The CPU error classes of the field workload (model choice: a small CPU stream beside memory; Nightingale 2011 for recurrence).</summary>
internal enum CpuErrorClass : byte
{
    /// <summary>Corrected L1 data, instruction, TLB or L2 error (banks 0-3).</summary>
    Corrected,
    /// <summary>LLC uncorrected, no action (bank 7, 0x0136).</summary>
    LlcUcna,
    /// <summary>LLC explicit-writeback SRAO (bank 7, 0x017A).</summary>
    LlcSrao,
    /// <summary>Processor context corrupt: PCU internal timer (bank 4) or MLC (bank 3).</summary>
    Fatal,
}
