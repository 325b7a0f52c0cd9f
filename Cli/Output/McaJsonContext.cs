using System.Text.Json.Serialization;
using Mca.Cli.Output.Replay;

namespace Mca.Cli.Output;

/// <summary>
/// The JSON contract of every <c>--json</c> document, generated at build time. Keys are snake_case and in declaration
/// order; a null is written as null unless its property says otherwise. Serialize through <see cref="JsonOut.Contracts"/>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CampaignJson))]
[JsonSerializable(typeof(ScenarioJson))]
[JsonSerializable(typeof(DecodeJson))]
[JsonSerializable(typeof(GradeJson))]
[JsonSerializable(typeof(VerifyJson))]
[JsonSerializable(typeof(TimelineJson))]
[JsonSerializable(typeof(TotalsJson))]
[JsonSerializable(typeof(OutcomesJson))]
[JsonSerializable(typeof(ExtractJson))]
[JsonSerializable(typeof(RerunJson))]
[JsonSerializable(typeof(DiffJson))]
[JsonSerializable(typeof(ShrinkJson))]
[JsonSerializable(typeof(CompareJson))]
[JsonSerializable(typeof(SweepJson))]
[JsonSerializable(typeof(ProvenanceJson))]
[JsonSerializable(typeof(long[]))] // The [recorded, replayed] pairs of RerunJson's changes, boxed in its extension data.
internal sealed partial class McaJsonContext : JsonSerializerContext;
