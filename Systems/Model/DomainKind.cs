namespace Mca.Systems.Model;

/// <summary>Paravirtualized or hardware-virtualized guest (Xen hvm/irq.c, x86_64/entry.S).</summary>
public enum DomainKind : byte
{
    Pv,
    Hvm,
}
