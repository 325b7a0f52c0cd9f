namespace Mca.Systems.Xen;

/// <summary>What <c>mce_delayed_action</c> does with one deferred record (Xen mce.c).</summary>
internal enum DelayedDisposition : byte
{
    /// <summary>MCER_NOERROR: the telemetry is dismissed, nothing printed.</summary>
    Dismiss,
    /// <summary>MCER_RECOVERED: "MCE: Error is successfully recovered"; committed to the URGENT queue.</summary>
    CommitRecovered,
    /// <summary>MCER_CONTINUE: "MCE: Error can't be recovered, system is tainted", a console dump; committed.</summary>
    CommitTainted,
    /// <summary>MCER_RESET: "MCE delayed action failed", a dump, then <c>panic("MCE: Software recovery failed for the UCR")</c>.</summary>
    Panic,
}

/// <summary><c>mce_delayed_action</c>: maps the deferred table's result to the softirq's action.</summary>
internal static class DelayedAction
{
    /// <summary>The disposition of a deferred record whose <see cref="DeferredTable.Run{THandler}(McInfo, bool, ref THandler)"/> result is <paramref name="result"/>.</summary>
    public static DelayedDisposition Decide(McerResult result) => result switch
    {
        // Xen mce.c mce_delayed_action: RESET panic, RECOVERED commit, CONTINUE dump + commit, NOERROR dismiss
        McerResult.Reset => DelayedDisposition.Panic,
        McerResult.Recovered => DelayedDisposition.CommitRecovered,
        McerResult.Continue => DelayedDisposition.CommitTainted,
        McerResult.NoError => DelayedDisposition.Dismiss,
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "expected an McerResult value"),
    };

    /// <summary>Whether the record is committed (the <c>mctelem_process_deferred</c> callback's return value).</summary>
    public static bool Commits(DelayedDisposition disposition) =>
        disposition is DelayedDisposition.CommitRecovered or DelayedDisposition.CommitTainted;
}
