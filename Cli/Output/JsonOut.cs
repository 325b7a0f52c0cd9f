using System.Text;
using System.Text.Json;

namespace Mca.Cli.Output;

/// <summary>Writes JSON documents with a fixed key order (so outputs are byte-stable) to stdout or a file.</summary>
internal static class JsonOut
{
    private static readonly JsonWriterOptions Options = new() { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Build(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, Options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
