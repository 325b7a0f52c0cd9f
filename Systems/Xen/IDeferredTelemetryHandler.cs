namespace Mca.Systems.Xen;

/// <summary>
/// The callback of <see cref="McTelemetry.ProcessDeferred{THandler}"/> (<c>fn</c> of
/// <c>mctelem_process_deferred</c>): return true to commit the entry, false to dismiss it. It
/// may edit the payload, and may reserve, commit or defer other entries, but must not commit,
/// dismiss or defer the entry it is given.
/// </summary>
internal interface IDeferredTelemetryHandler
{
    bool Process(int cookie, McInfo info);
}
