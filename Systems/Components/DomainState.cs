using Mca.Systems.Model;

namespace Mca.Systems.Components;

/// <summary>Whether a domain runs.</summary>
public enum DomainRunState : byte
{
    Running,
    Crashed,
    Restarting,
}

/// <summary>A domain entity (dom0 = 0).</summary>
public struct DomainState
{
    public short DomId;
    public DomainKind Kind;
    public byte VcpuCount;
    public bool VirqMcaBound;
    public bool TrapCallbackRegistered;
    public bool Shadow;
    public DomainRunState RunState;
    public long RestartAtNs;
    /// <summary>March 2009 per-domain vMCE: entries still to deliver (Xen f74394f46c).</summary>
    public int NrInjection;
}
