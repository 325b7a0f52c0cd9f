using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Mca.Cli.Output;

/// <summary>Serializes the JSON documents of <see cref="McaJsonContext"/> for stdout or a file.</summary>
internal static class JsonOut
{
    /// <summary>
    /// The generated contracts with relaxed escaping (file names and kernel messages print as they are, e.g. <c>&lt;</c> and
    /// <c>é</c> unescaped); <see cref="System.Text.Json.Serialization.JsonSourceGenerationOptionsAttribute"/> cannot name an encoder.
    /// </summary>
    public static McaJsonContext Contracts { get; } = new(new JsonSerializerOptions(McaJsonContext.Default.Options) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });

    /// <summary>The document as indented JSON with a trailing newline.</summary>
    public static string Build<T>(T document, JsonTypeInfo<T> contract) => JsonSerializer.Serialize(document, contract) + "\n";
}
