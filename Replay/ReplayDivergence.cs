namespace Mca.Replay;

/// <summary>
/// The first place two runs differ: the machine, the simulated time, what differs there (an input, an
/// event, a machine's end-of-epoch state hash, or the totals), and the expected and actual values.
/// </summary>
/// <param name="Machine">Fleet machine id (-1 for the totals).</param>
/// <param name="TimeNs">Simulated time of the first differing item.</param>
/// <param name="Epoch">Epoch it belongs to (-1 for the totals).</param>
/// <param name="What"><c>input</c>, <c>event</c>, <c>state hash</c> or <c>totals</c>.</param>
/// <param name="Index">Position of the item among the machine's inputs or events of that epoch (-1 otherwise).</param>
/// <param name="Expected">The recorded value (or <c>(nothing)</c>).</param>
/// <param name="Actual">The value the other run has (or <c>(nothing)</c>).</param>
public sealed record ReplayDivergence(int Machine, long TimeNs, int Epoch, string What, int Index, string Expected, string Actual)
{
    public const string Nothing = "(nothing)";

    /// <summary>
    /// When the expected side holds only the hash of what differs (a format 4 file without inputs or events): the
    /// other run's inputs or events of that machine and epoch, one line each, as <c>replay show</c> prints them.
    /// </summary>
    public IReadOnlyList<string> ActualItems { get; init; } = [];
}
