namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay diff --json</c> document; keys in this order; <c>end_machine</c> is exclusive.</summary>
internal sealed record DiffJson(string A, string B, bool Identical, IReadOnlyList<string> HeaderDifferences, int FirstMachine, int EndMachine, DivergenceJson? Divergence);
