namespace Mca.Systems.Linux;

/// <summary>What a <c>--handler linux</c> run produced.</summary>
/// <param name="Console">Kernel log lines: print_mce "[Hardware Error]: ..." lines, panic lines, timeout lines.</param>
/// <param name="Logged">Records that reached /dev/mcelog, in order, with their grade.</param>
/// <param name="Actions">memory_failure calls, SIGBUS, fixups, in order.</param>
/// <param name="Panic">The first panic message, or null.</param>
/// <param name="Panics">Every mce_panic call, printed or not.</param>
/// <param name="InjectionCount">Injections performed (a HOLD record alone is not one).</param>
/// <param name="Halted">True when a real (not fake) panic stopped the run.</param>
public sealed record LinuxRunResult(
    IReadOnlyList<string> Console,
    IReadOnlyList<LoggedMce> Logged,
    IReadOnlyList<LinuxAction> Actions,
    string? Panic,
    IReadOnlyList<LinuxPanic> Panics,
    int InjectionCount,
    bool Halted);
