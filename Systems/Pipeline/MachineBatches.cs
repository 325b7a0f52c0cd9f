using Mca.Systems.Engine;
using Mca.Systems.Model;

namespace Mca.Systems.Pipeline;

/// <summary>Creates machine batches run by this pipeline (the engine does not name its systems; see <see cref="IBatchPipeline"/>).</summary>
public static class MachineBatches
{
    /// <summary>
    /// A booted batch of <paramref name="machineCount"/> machines of shape <paramref name="spec"/>, fleet ids from
    /// <paramref name="firstMachineId"/>, under <paramref name="policy"/>, taking errors from <paramref name="source"/>.
    /// <paramref name="literalPolling"/> steps every poll tick and every corrected error (the reference mode);
    /// <paramref name="foldCorrectedRuns"/> folds routine CE handling into <see cref="Events.HandlerEventKind.CorrectedRun"/>
    /// events, which lets the engine take a stream's CEs in closed form (campaigns).
    /// </summary>
    public static MachineBatch Create(MachineSpec spec, HandlerPolicy policy, int firstMachineId, int machineCount, ulong seed, IErrorSource source, bool literalPolling = false, bool foldCorrectedRuns = false) =>
        new(spec, policy, firstMachineId, machineCount, seed, source, static batch => new Pipeline(batch), trace: null, literalPolling, foldCorrectedRuns);

    /// <summary>As above; <paramref name="trace"/> collects the human-readable console and mcelog text of scenarios.</summary>
    internal static MachineBatch Create(MachineSpec spec, HandlerPolicy policy, int firstMachineId, int machineCount, ulong seed, IErrorSource source, HandlerTrace? trace, bool literalPolling = false) =>
        new(spec, policy, firstMachineId, machineCount, seed, source, static batch => new Pipeline(batch), trace, literalPolling);
}
