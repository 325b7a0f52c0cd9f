namespace Mca.Systems.Model;

/// <summary>
/// A domain of a machine shape. Its memory is one contiguous run of machine frames starting at
/// <see cref="MfnBase"/>, mapped to guest frames 0..<see cref="FrameCount"/>-1, so gfn = mfn - MfnBase.
/// </summary>
public sealed record DomainSpec(
    int DomId,
    DomainKind Kind,
    int VcpuCount,
    long MfnBase,
    long FrameCount,
    bool VirqMcaBound,
    bool TrapCallbackRegistered,
    bool Shadow = false)
{
    public long MfnEnd => MfnBase + FrameCount;
}
