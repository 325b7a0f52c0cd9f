namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay extract --json</c> document; keys in this order; <c>output</c> is null when nothing was written.</summary>
internal sealed record ExtractJson(string File, int Machine, string? Output, long Frames, long Events, long Inputs, long Bytes, DivergenceJson? Divergence);
