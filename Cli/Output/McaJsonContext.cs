using System.Text.Json.Serialization;

namespace Mca.Cli.Output;

/// <summary>
/// The JSON contract of the <c>--json</c> documents (campaign, run, xen-mceinj, decode, grade), generated at build time. Keys are snake_case and in declaration
/// order; a null is written as null unless its property says otherwise. Serialize through <see cref="JsonOut.Contracts"/>.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(CampaignJson))]
[JsonSerializable(typeof(ScenarioJson))]
[JsonSerializable(typeof(DecodeJson))]
[JsonSerializable(typeof(GradeJson))]
internal sealed partial class McaJsonContext : JsonSerializerContext;
