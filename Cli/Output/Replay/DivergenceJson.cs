namespace Mca.Cli.Output.Replay;

/// <summary>
/// The first place two runs differ, as the replay documents write it (<c>time</c> is <c>time_ns</c> for people).
/// <c>actual_items</c>: where the file keeps only hashes, the other run's inputs or events of that machine and epoch.
/// </summary>
internal sealed record DivergenceJson(int Machine, long TimeNs, string Time, int Epoch, string What, int Index, string Expected, string Actual, IReadOnlyList<string> ActualItems);
