namespace Mca.Workloads.Field;

/// <summary>
/// One fault or pending error of a machine: a fixed-size row of the source's slot table (no allocation
/// per fault). <see cref="NextNs"/> is its next arrival, <see cref="long.MaxValue"/> when it has none
/// left (a permanent fault past the horizon still occupies its slot: later faults can overlap it).
/// </summary>
internal struct FaultSlot
{
    public long NextNs;
    /// <summary>CE stream: the fault's CEs in time (its demand or its scrub CEs), read at random.</summary>
    public CeTimeline Timeline;
    /// <summary>CE stream: the index in <see cref="Timeline"/> of the CE after the one last handed out.</summary>
    public long NextIndex;
    /// <summary>CE stream: the CEs before the horizon (the timeline's span is rounded up to a power of two).</summary>
    public long Limit;
    /// <summary>CE stream: the key of this stream of this fault; with the CE's index it draws the CE's address.</summary>
    public ulong StreamKey;
    /// <summary>CE stream: the patrol scrubber's CEs (MCACOD 0x00C0) rather than demand reads' (0x0090).</summary>
    public bool Scrub;
    /// <summary>The lines the fault covers (CE stream) or the bad lines (UE).</summary>
    public Footprint Region;
    public SlotKind Kind;
    public FaultMode Mode;
    /// <summary>DIMM of a DRAM slot.</summary>
    public byte Dimm;
    /// <summary>DRAM device of a fault, or the variant of a CPU error (bank, or internal timer).</summary>
    public byte Variant;
    /// <summary>CPU slot: the class; <see cref="CpuErrorClass"/>.</summary>
    public CpuErrorClass CpuClass;
    /// <summary>CPU slot: the global core (socket x cores per socket + core).</summary>
    public byte Core;
    /// <summary>UE: further UEs to come; CPU: recurrences still allowed.</summary>
    public short Remaining;
}
