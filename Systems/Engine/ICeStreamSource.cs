namespace Mca.Systems.Engine;

/// <summary>
/// A source whose corrected errors come from random-access streams (a permanent fault's CEs, a CE storm):
/// when a machine's pending arrival is the next CE of a stream, the engine may take a whole run of that
/// stream's CEs at once, in closed form, instead of one per round (docs/design.md, "Corrected errors at
/// their own instants"). Every method describes the same CEs that <see cref="IErrorSource.Take"/> would
/// hand out one by one, so a closed-form run and the literal mode see identical errors.
/// </summary>
public interface ICeStreamSource : IErrorSource
{
    /// <summary>
    /// Whether the machine's pending arrival is a stream CE; if so <paramref name="otherNs"/> is the earliest
    /// instant at which anything else of the source can happen on the machine (another arrival, a new fault,
    /// a repair): a run ends before it.
    /// </summary>
    bool PendingStream(int machineIndex, out long otherNs);

    /// <summary>How many CEs of the pending stream fall before <paramref name="untilNs"/>, the pending one included.</summary>
    long StreamCount(int machineIndex, long untilNs);

    /// <summary>The instant of CE <paramref name="k"/> of the pending stream (0 is the pending one).</summary>
    long StreamTime(int machineIndex, long k);

    /// <summary>CE <paramref name="k"/> of the pending stream, as <see cref="IErrorSource.Take"/> would return it.</summary>
    ErrorInjection StreamError(int machineIndex, long k);

    /// <summary>
    /// The first instant at which <paramref name="k"/> CEs of the pending stream might fall within
    /// <paramref name="windowNs"/> before <paramref name="untilNs"/>, or <see cref="long.MaxValue"/> if none can:
    /// a conservative search (an instant it names may be a false alarm; a crossing it does not name cannot happen).
    /// </summary>
    long StreamDenseAt(int machineIndex, long untilNs, long windowNs, long k);

    /// <summary>The frame every CE of the pending stream lands on, or -1 when they spread over several (then each CE's address tells).</summary>
    long StreamPage(int machineIndex) => -1;

    /// <summary>Removes the first <paramref name="n"/> CEs of the pending stream, as <paramref name="n"/> calls of Take would.</summary>
    void SkipStream(int machineIndex, long n);
}
