namespace Mca.Cli.Output.Replay;

/// <summary>The first place two runs differ, as the replay documents write it (<c>time</c> is <c>time_ns</c> for people).</summary>
internal sealed record DivergenceJson(int Machine, long TimeNs, string Time, int Epoch, string What, int Index, string Expected, string Actual);
