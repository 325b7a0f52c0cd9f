namespace Mca.Systems.Model;

/// <summary>One MCA bank of a machine shape: its index, scope, whether it supports CMCI, and what it reports.</summary>
public readonly record struct BankSpec(int BankIndex, BankScope Scope, bool CmciCapable, string Unit);
