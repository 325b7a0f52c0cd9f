namespace Mca.Systems.Model;

/// <summary>Paravirtualized or hardware-virtualized guest (xen-mca.md §3.3 delivery paths).</summary>
public enum DomainKind : byte
{
    Pv,
    Hvm,
}
