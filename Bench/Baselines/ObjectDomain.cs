using Mca.Systems.Components;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Bench.Baselines;

/// <summary>One domain as an object, with its vCPUs' guest-visible MCA registers.</summary>
internal sealed class ObjectDomain
{
    public ObjectDomain(DomainSpec spec)
    {
        Spec = spec;
        Vcpus = new VcpuMca[spec.VcpuCount];
    }

    public DomainSpec Spec { get; }
    public int DomId => Spec.DomId;
    public DomainKind Kind => Spec.Kind;
    public DomainRunState RunState { get; set; } = DomainRunState.Running;
    public long RestartAtNs { get; set; }
    public int NrInjection { get; set; }
    /// <summary>The vCPUs' vMCA registers (the array the Xen vMCE kernels work on).</summary>
    public VcpuMca[] Vcpus { get; }
}
