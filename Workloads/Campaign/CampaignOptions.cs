using Mca.Systems.Engine;
using Mca.Systems.Model;

namespace Mca.Workloads.Campaign;

/// <summary>Creates the error source of one batch: (first fleet machine id, machine count, horizon) to source.</summary>
public delegate IErrorSource ErrorSourceFactory(int firstMachineId, int machineCount, long horizonNs);

/// <summary>Everything the engine needs to run a campaign; the CLI builds it from a spec and flags.</summary>
public sealed record CampaignOptions
{
    public const long DayNs = 86_400L * MachineSpec.NsPerSecond;

    public required MachineSpec Machine { get; init; }
    public required HandlerPolicy Policy { get; init; }
    public required int Machines { get; init; }
    public required long DurationNs { get; init; }
    public required ulong Seed { get; init; }
    public required ErrorSourceFactory Source { get; init; }
    /// <summary>Worker threads (>= 1).</summary>
    public int Threads { get; init; } = 1;
    /// <summary>Fleet id of the first machine (replays re-run one machine of a fleet under its own id).</summary>
    public int FirstMachineId { get; init; }
    /// <summary>Machines per batch: fixed, independent of the thread count.</summary>
    public int BatchSize { get; init; } = 512;
    /// <summary>Simulated time per epoch (the unit of progress and of ordered output): a day unless set; campaigns built from a spec use its <see cref="CampaignSpec.EpochDays"/> (a week by default).</summary>
    public long EpochNs { get; init; } = DayNs;
    /// <summary>The reference mode: step every poll tick and write folded corrected errors one by one; results must equal the fast mode.</summary>
    public bool LiteralPolling { get; init; }
    /// <summary>
    /// Records the campaign: attaches a recorder to each batch as it is built (Replay's <c>BatchRecorder.Attach</c>),
    /// and each epoch's output keeps its handler events, inputs and state hashes. Null: nothing is recorded.
    /// </summary>
    public Func<MachineBatch, IBatchRecorder>? Recorder { get; init; }
    /// <summary>Whether the campaign records (a <see cref="Recorder"/> is set).</summary>
    public bool KeepEvents => Recorder is not null;
    /// <summary>
    /// Step every batch epoch by epoch with every batch alive (the consumer then sees (epoch, batch) order), instead of
    /// streaming batches: what a re-simulation that compares a replay frame by frame needs. Memory grows with the fleet.
    /// </summary>
    public bool Lockstep { get; init; }
    /// <summary>Importance sampling: the classes whose rates the source was run at their factor times (null: plain Monte Carlo).</summary>
    public ImportanceBias? Bias { get; init; }
    /// <summary>With <see cref="Recorder"/>: encode each epoch on its worker into <see cref="EpochOutput.Record"/> (a replay writer's).</summary>
    public IEpochEncoder? Encoder { get; init; }

    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Machines);
        ArgumentOutOfRangeException.ThrowIfNegative(FirstMachineId);
        ArgumentOutOfRangeException.ThrowIfNegative(DurationNs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(Threads);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(BatchSize);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(EpochNs);
        if (Encoder is not null && Recorder is null)
        {
            throw new ArgumentException("an encoder encodes a recording: expected a Recorder too");
        }
    }

    public int EpochCount => (int)((DurationNs + EpochNs - 1) / EpochNs);
}
