using Mca.Systems.Engine;

namespace Mca.Workloads.Campaign;

/// <summary>
/// A recording of one batch, as the campaign reads it at each epoch's end: the inputs taken since the last
/// <see cref="EpochDone"/> and the machines' state hashes. Replay's recorder implements it; it is attached to a
/// batch only when the campaign records (<see cref="CampaignOptions.Recorder"/>).
/// </summary>
public interface IBatchRecorder
{
    /// <summary>Every error taken from the source since the last <see cref="EpochDone"/>, in order (fleet machine ids).</summary>
    ReadOnlySpan<RecordedInput> Inputs { get; }

    /// <summary>A hash of machine <paramref name="machine"/>'s (index within the batch) whole simulation state.</summary>
    ulong StateHash(int machine);

    /// <summary>The epoch's inputs were consumed: the next epoch's start empty.</summary>
    void EpochDone();
}
