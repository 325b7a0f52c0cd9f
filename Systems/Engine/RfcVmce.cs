namespace Mca.Systems.Engine;

/// <summary>
/// One RFC vmce_data item delivered to a domain's vCPU 0: what the guest reads through its
/// virtual MSRs (the list head, Xen f74394f46c) until it IRETs out of its handler.
/// </summary>
internal readonly record struct RfcVmce(int Machine, int TargetIndex, int ImpactedIndex, int Cpu, int BankIndex, ulong McgStatus, ulong Status, ulong Addr, ulong Misc);
