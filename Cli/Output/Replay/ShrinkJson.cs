namespace Mca.Cli.Output.Replay;

/// <summary><c>mca replay shrink --json</c>: what was shrunk, how far, and where the scenario is (or the scenario itself).</summary>
internal sealed record ShrinkJson(int Machine, string Outcome, string Policy, int InputsBefore, int InputsAfter, int Resimulations, bool BoundReached, string? Output, string? Scenario);
