namespace Mca.Systems.Engine;

/// <summary>
/// The systems a batch runs, as the batch sees them: boot one machine, and run one round over the machines due.
/// The engine depends on this and the pipeline (Mca.Systems.Pipeline) implements it, so the systems can take the
/// batch without the two namespaces depending on each other; <c>Pipeline.MachineBatches.Create</c> wires them.
/// </summary>
internal interface IBatchPipeline
{
    /// <summary>Brings machine <paramref name="machine"/> up (at construction, and after each reboot).</summary>
    void Boot(int machine, bool isReboot);

    /// <summary>One round of every system over <paramref name="machines"/> (each at its own due instant).</summary>
    void Run(ReadOnlySpan<int> machines);
}
