namespace Mca.Workloads.Campaign;

/// <summary>A machine's state hash at the end of an epoch in which it had handler events.</summary>
public readonly record struct MachineStateHash(int Machine, ulong Hash);
