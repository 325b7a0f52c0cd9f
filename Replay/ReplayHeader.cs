namespace Mca.Replay;

/// <summary>What a replay holds.</summary>
public enum ReplayKind
{
    /// <summary>A whole campaign: verified by re-running the campaign spec (workload included).</summary>
    Campaign = 0,

    /// <summary>
    /// Machines taken out of a campaign replay (<c>mca replay extract</c>): verified by feeding the recorded
    /// inputs to the handler, so it needs no workload and the rest of the fleet.
    /// </summary>
    Extract = 1,
}

/// <summary>What a replay's frames store besides the counts and hashes of every machine's inputs and events (header key 13, format 4).</summary>
[Flags]
public enum ReplayContents
{
    /// <summary>Counts and hashes only: inputs and events are derived by re-simulating from the spec.</summary>
    Hashes = 0,

    /// <summary>The inputs as injected (<c>--record-inputs</c>).</summary>
    Inputs = 1,

    /// <summary>The events the engine produced (<c>--record-events</c>).</summary>
    Events = 2,

    /// <summary>Both; every file of format 1 to 3.</summary>
    All = Inputs | Events,
}

/// <summary>
/// The first record of a replay: which engine wrote it and everything needed to re-simulate it. Nothing
/// here depends on threads or wall time, so the same campaign gives the same bytes.
/// </summary>
/// <param name="FormatVersion">Key 0: <see cref="ReplayFormat.Version"/>.</param>
/// <param name="EngineVersion">Key 1: <see cref="ReplayFormat.EngineVersion"/> of the writer.</param>
/// <param name="Kind">Key 2.</param>
/// <param name="SpecYaml">Key 3: the campaign spec, canonical YAML (<c>CampaignSpecYaml.Write</c>: every setting and the parameters of the spec's workload).</param>
/// <param name="Seed">Key 4: the campaign seed (also in the spec).</param>
/// <param name="Policy">Key 5: the handler policy (also in the spec).</param>
/// <param name="Workload">Key 6: the workload name (also in the spec).</param>
/// <param name="FirstMachineId">Key 7: the fleet id of the first machine held.</param>
/// <param name="MachineCount">Key 8: machines held: ids FirstMachineId .. FirstMachineId + MachineCount - 1.</param>
/// <param name="BatchSize">Key 9: machines per frame (batch b holds FirstMachineId + b * BatchSize ..).</param>
/// <param name="EpochNs">Key 10: simulated nanoseconds per epoch.</param>
/// <param name="EpochCount">Key 11: epochs in the run.</param>
/// <param name="DurationNs">Key 12: simulated nanoseconds in the run.</param>
public sealed record ReplayHeader(
    int FormatVersion,
    string EngineVersion,
    ReplayKind Kind,
    string SpecYaml,
    ulong Seed,
    string Policy,
    string Workload,
    int FirstMachineId,
    int MachineCount,
    int BatchSize,
    long EpochNs,
    int EpochCount,
    long DurationNs)
{
    /// <summary>Key 13 (format 4; older files store everything).</summary>
    public ReplayContents Contents { get; init; } = ReplayContents.All;

    /// <summary>Key 14 (format 4): the campaign stepped every corrected error and poll tick (<c>--literal</c>), which re-simulations must do too.</summary>
    public bool Literal { get; init; }

    /// <summary>Whether the frames store the inputs and the events (nothing needs re-simulating to show them).</summary>
    public bool StoresAll => Contents == ReplayContents.All;

    /// <summary>Batches (frames per epoch at most).</summary>
    public int BatchCount => (int)((MachineCount + (long)BatchSize - 1) / BatchSize);

    /// <summary>Whether the replay holds fleet machine <paramref name="machine"/>.</summary>
    public bool Holds(int machine) => machine >= FirstMachineId && machine - (long)FirstMachineId < MachineCount;

    /// <summary>The batch that holds machine <paramref name="machine"/>.</summary>
    public int BatchOf(int machine) => (machine - FirstMachineId) / BatchSize;

    /// <summary>Simulated time at which epoch <paramref name="epoch"/> starts (the base of its time deltas).</summary>
    public long EpochStartNs(int epoch) => epoch * EpochNs;

    /// <summary>Simulated time at which epoch <paramref name="epoch"/> ends (its state hashes are taken here).</summary>
    public long EpochEndNs(int epoch) => Math.Min((epoch + 1L) * EpochNs, DurationNs);
}
