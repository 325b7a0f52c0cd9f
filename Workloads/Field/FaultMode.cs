namespace Mca.Workloads.Field;

/// <summary>DRAM fault modes of the Jaguar table (Sridharan 2012, via FaultSim), each with the footprint it covers in one device.</summary>
internal enum FaultMode : byte
{
    /// <summary>One bit: one 64-byte line.</summary>
    SingleBit,
    /// <summary>One word: one line.</summary>
    SingleWord,
    /// <summary>One column of one bank: one line per row.</summary>
    SingleColumn,
    /// <summary>One row of one bank: 256 lines (16 KiB).</summary>
    SingleRow,
    /// <summary>One bank: every row and column of it.</summary>
    SingleBank,
    /// <summary>Several banks: modelled as every bank of the device.</summary>
    MultiBank,
    /// <summary>Several ranks: on a single-rank DIMM, every bank of the device.</summary>
    MultiRank,
}
