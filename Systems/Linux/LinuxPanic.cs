namespace Mca.Systems.Linux;

/// <summary>
/// One mce_panic call: its message, the "Machine check: &lt;reason&gt;" grade message if any, and
/// whether it was printed (with fake_panic only the first one is).
/// </summary>
public readonly record struct LinuxPanic(string Message, string? Reason, int Cpu, int InjectionIndex, bool Printed);
