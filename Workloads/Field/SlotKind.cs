namespace Mca.Workloads.Field;

/// <summary>What a <see cref="FaultSlot"/> holds.</summary>
internal enum SlotKind : byte
{
    Free,
    /// <summary>A permanent DRAM fault: one folded CE arrival per non-empty window, for as long as the DIMM stays.</summary>
    CeStream,
    /// <summary>A transient DRAM fault: one CE, then the slot is free.</summary>
    TransientCe,
    /// <summary>An uncorrectable region: its first UE when detected, then <see cref="FaultSlot.Remaining"/> more.</summary>
    Ue,
    /// <summary>A CPU error on a core, then up to <see cref="FaultSlot.Remaining"/> recurrences on the same core.</summary>
    Cpu,
}
