using MessagePack;
using MessagePack.Formatters;

namespace Mca.Replay.Wire;

/// <summary>
/// The only formatters replay I/O uses: hand-written, integer keys, no type names and no dynamic code.
/// Any other type is refused, so a stream can never name a type to instantiate.
/// </summary>
internal sealed class ReplayResolver : IFormatterResolver
{
    public static readonly ReplayResolver Instance = new();

    /// <summary>
    /// Options for frames and the index: this resolver, LZ4 block compression (MessagePack-CSharp's ext 99),
    /// and the untrusted-data security settings with the format's limits on decompressed size and depth.
    /// Built on this resolver alone: <c>MessagePackSerializerOptions.Standard</c> would start the standard
    /// resolver, whose dynamic resolvers emit code (compiled while a recording campaign runs).
    /// </summary>
    public static readonly MessagePackSerializerOptions Options = new MessagePackSerializerOptions(Instance)
        .WithCompression(MessagePackCompression.Lz4Block)
        .WithSecurity(MessagePackSecurity.UntrustedData
            .WithMaximumDecompressedSize(ReplayFormat.MaxPayloadBytes)
            .WithMaximumObjectGraphDepth(ReplayFormat.MaxDepth));

    public IMessagePackFormatter<T>? GetFormatter<T>() => Cache<T>.Formatter;

    private static class Cache<T>
    {
        public static readonly IMessagePackFormatter<T>? Formatter = (IMessagePackFormatter<T>?)Create();

        private static object? Create()
        {
            if (typeof(T) == typeof(ReplayFrame))
            {
                return FrameFormatter.Instance;
            }

            if (typeof(T) == typeof(ReplayIndex))
            {
                return IndexFormatter.Instance;
            }

            return typeof(T) == typeof(ReplayHeader) ? HeaderFormatter.Instance : null;
        }
    }
}
