using System.Globalization;
using System.Text;
using MessagePack;

namespace Mca.Replay.Wire;

/// <summary>
/// Reading untrusted MessagePack by hand: every value's type is checked before it is read, every declared
/// length is bounded by the bytes left before anything is allocated, and nesting is bounded. Mistakes are
/// <see cref="WireException"/>s that name the field.
/// </summary>
internal static class WireReader
{
    /// <summary>Reads an array header of at least <paramref name="minFields"/> elements (more are allowed: keys are append-only).</summary>
    public static int ReadFields(ref MessagePackReader reader, int minFields, string what)
    {
        int count = ReadArray(ref reader, what);
        if (count < minFields)
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"{what} of at least {minFields} fields"), string.Create(CultureInfo.InvariantCulture, $"{count}"));
        }

        return count;
    }

    /// <summary>Reads an array header whose element count fits in the bytes left (each element takes at least one byte).</summary>
    public static int ReadArray(ref MessagePackReader reader, string what)
    {
        Expect(ref reader, MessagePackType.Array, what, "an array");
        int count = reader.ReadArrayHeader();
        if (count < 0 || count > Remaining(ref reader))
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"{what} with at most as many elements as bytes left ({Remaining(ref reader)})"), string.Create(CultureInfo.InvariantCulture, $"{count} elements"));
        }

        return count;
    }

    public static long ReadInt64(ref MessagePackReader reader, string what)
    {
        Expect(ref reader, MessagePackType.Integer, what, "an integer");
        try
        {
            return reader.ReadInt64();
        }
        catch (OverflowException)
        {
            throw new WireException(what + " within the signed 64-bit range", "a larger integer");
        }
    }

    public static ulong ReadUInt64(ref MessagePackReader reader, string what)
    {
        Expect(ref reader, MessagePackType.Integer, what, "an unsigned integer");
        try
        {
            return reader.ReadUInt64();
        }
        catch (OverflowException)
        {
            throw new WireException(what + " as an unsigned integer", "a negative integer");
        }
    }

    public static uint ReadUInt32(ref MessagePackReader reader, string what)
    {
        ulong v = ReadUInt64(ref reader, what);
        if (v > uint.MaxValue)
        {
            throw new WireException(what + " within 32 bits", v.ToString(CultureInfo.InvariantCulture));
        }

        return (uint)v;
    }

    public static int ReadInt32(ref MessagePackReader reader, string what, long min, long max)
    {
        long v = ReadInt64(ref reader, what);
        if (v < min || v > max)
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"{what} from {min} to {max}"), v.ToString(CultureInfo.InvariantCulture));
        }

        return (int)v;
    }

    public static bool ReadBoolean(ref MessagePackReader reader, string what)
    {
        Expect(ref reader, MessagePackType.Boolean, what, "true or false");
        return reader.ReadBoolean();
    }

    public static string ReadString(ref MessagePackReader reader, string what, int maxBytes)
    {
        Expect(ref reader, MessagePackType.String, what, "a string");
        var peek = reader.CreatePeekReader();
        var bytes = peek.ReadStringSequence();
        if (bytes is null || bytes.Value.Length > maxBytes)
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"{what} of at most {maxBytes} bytes"), string.Create(CultureInfo.InvariantCulture, $"{bytes?.Length ?? 0} bytes"));
        }

        try
        {
            return reader.ReadString() ?? string.Empty;
        }
        catch (DecoderFallbackException)
        {
            throw new WireException(what + " in UTF-8", "invalid UTF-8");
        }
    }

    /// <summary>Skips the extra fields of a record written by a newer writer (append-only keys), with bounded nesting.</summary>
    public static void SkipFields(ref MessagePackReader reader, int count, int depth)
    {
        for (int i = 0; i < count; i++)
        {
            SkipValue(ref reader, depth);
        }
    }

    private static void SkipValue(ref MessagePackReader reader, int depth)
    {
        if (depth > ReplayFormat.DepthMax)
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"at most {ReplayFormat.DepthMax} levels of nested arrays and maps"), "deeper nesting");
        }

        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Array:
                int items = ReadArray(ref reader, "an extra field");
                SkipFields(ref reader, items, depth + 1);
                break;
            case MessagePackType.Map:
                int pairs = reader.ReadMapHeader();
                if (pairs < 0 || pairs > Remaining(ref reader) / 2)
                {
                    throw new WireException("a map with at most as many entries as bytes left", string.Create(CultureInfo.InvariantCulture, $"{pairs} entries"));
                }

                SkipFields(ref reader, 2 * pairs, depth + 1);
                break;
            default:
                // Scalars, strings, binary and extensions: Skip reads their header and length, no recursion.
                reader.Skip();
                break;
        }
    }

    public static long Remaining(ref MessagePackReader reader) => reader.Sequence.Length - reader.Consumed;

    private static void Expect(ref MessagePackReader reader, MessagePackType type, string what, string kind)
    {
        if (reader.End)
        {
            throw new WireException($"{what} as {kind}", "the end of the record");
        }

        var next = reader.NextMessagePackType;
        if (next != type)
        {
            throw new WireException($"{what} as {kind}", Describe(next));
        }
    }

    private static string Describe(MessagePackType type) => type switch
    {
        MessagePackType.Integer => "an integer",
        MessagePackType.Nil => "nil",
        MessagePackType.Boolean => "a boolean",
        MessagePackType.Float => "a float",
        MessagePackType.String => "a string",
        MessagePackType.Binary => "binary data",
        MessagePackType.Array => "an array",
        MessagePackType.Map => "a map",
        MessagePackType.Extension => "an extension",
        _ => "an invalid MessagePack code",
    };
}
