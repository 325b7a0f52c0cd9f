namespace Mca.Systems.Xen;

/// <summary>
/// <c>enum mce_result</c> (Xen mce.h). The numeric order is the severity order:
/// the worst result over the banks wins, so compare with <c>&gt;</c> or use <see cref="McerResults.Worst"/>.
/// </summary>
public enum McerResult : byte
{
    /// <summary>MCER_NOERROR: nothing to do; the deferred telemetry is dismissed.</summary>
    NoError = 0,
    /// <summary>MCER_RECOVERED: "MCE: Error is successfully recovered"; committed.</summary>
    Recovered = 1,
    /// <summary>MCER_CONTINUE: "Error can't be recovered, system is tainted", dump; committed.</summary>
    Continue = 2,
    /// <summary>MCER_RESET: the machine panics ("MCE: Software recovery failed for the UCR").</summary>
    Reset = 3,
}

/// <summary>Helpers over <see cref="McerResult"/>.</summary>
internal static class McerResults
{
    /// <summary>The more severe of two results (Xen mce.c mce_action: NOERROR &lt; RECOVERED &lt; CONTINUE &lt; RESET).</summary>
    public static McerResult Worst(McerResult a, McerResult b) => a >= b ? a : b;
}
