using System.Text.Json.Serialization;

namespace Mca.Cli.Output.Replay;

/// <summary>One machine's row: <c>machine</c>, then one key per outcome in <see cref="Mca.Replay.MachineTally"/>'s order (a count, or a [recorded, replayed] pair).</summary>
internal sealed record MachineRowJson(int Machine)
{
    /// <summary>Written after <c>machine</c>, in insertion order.</summary>
    [JsonExtensionData]
    public OrderedDictionary<string, object> Outcomes { get; } = [];
}
