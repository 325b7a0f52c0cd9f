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
    /// Options the formatters are handed: this resolver and the untrusted-data security settings with the format's
    /// limit on depth. LZ4 is not among them: payloads are compressed and decompressed by <see cref="Lz4Block"/>
    /// around the formatters. Built on this resolver alone: <c>MessagePackSerializerOptions.Standard</c> would start
    /// the standard resolver, whose dynamic resolvers emit code (compiled while a recording campaign runs).
    /// </summary>
    public static readonly MessagePackSerializerOptions Options = new MessagePackSerializerOptions(Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData.WithMaximumObjectGraphDepth(ReplayFormat.DepthMax));

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
