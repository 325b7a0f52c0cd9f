using System.Buffers;
using System.Collections;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DuckDB.NET.Data;
using Mca.Cli.Input;
using Mca.Cli.Output;

namespace Mca.Cli.Commands;

/// <summary>
/// <c>mca query FILE.parquet... SQL</c>: SQL over per-machine tables (docs/per-machine.md) in an in-memory DuckDB.
/// The files are the view <c>machines</c> (columns matched by name); the SQL may also name Parquet files itself.
/// Prints the last result as an aligned table, or with <c>--json</c> as an array of row objects.
/// </summary>
internal static class QueryCommand
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static Command Create()
    {
        var files = new Argument<string[]>("FILE.parquet") { Description = "Per-machine tables (mca campaign --per-machine), the view 'machines'", Arity = ArgumentArity.OneOrMore };
        // The files take every word but the last, which is the SQL (a greedy list would take it too).
        files.CustomParser = result =>
        {
            string[] words = [.. result.Tokens.Select(t => t.Value)];
            if (words.Length > 1)
            {
                result.OnlyTake(words.Length - 1);
                return words[..^1];
            }

            return words;
        };
        var sql = new Argument<string>("SQL") { Description = "DuckDB SQL, e.g. \"select policy, avg((resets > 0)::int) from machines group by policy\"" };
        var json = Common.Json();
        var command = new Command("query", "Run SQL over per-machine Parquet tables (DuckDB)") { files, sql, json };
        command.SetAction(parse =>
        {
            string[] paths = parse.GetValue(files)!;
            foreach (string path in paths)
            {
                RequireParquet(path);
            }

            var result = Run(paths, parse.GetValue(sql)!);
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                WriteJson(result, o);
            }
            else
            {
                WriteTable(result, o);
            }

            return Program.ExitOk;
        });
        return command;
    }

    /// <summary>A result: its column names (unique: a repeated name gets <c>_1</c>, <c>_2</c>, as DuckDB's tables do), whether each is numeric, its rows.</summary>
    internal sealed record QueryResult(string[] Names, bool[] Numeric, List<object?[]> Rows);

    /// <summary>Refuses anything but a readable regular file that starts and ends with the Parquet magic <c>PAR1</c>.</summary>
    internal static void RequireParquet(string path)
    {
        string expected = $"{path}: expected a Parquet file (PAR1)";
        if (path.Length == 0)
        {
            throw new UsageException("expected a Parquet file name, found an empty string");
        }

        FileStat? stat;
        try
        {
            stat = FileStat.Of(path);
        }
        catch (IOException e)
        {
            throw new UsageException($"{expected}, found {e.Message}");
        }

        if (stat?.Kind != FileStatKind.Regular)
        {
            throw new UsageException(stat is { } s ? $"{expected}, found a {InputFile.Describe(s.Kind)}" : $"{expected}, found no such file");
        }

        byte[] head = new byte[4];
        byte[] tail = new byte[4];
        long length;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1);
            length = stream.Length;
            stream.ReadExactly(head, 0, (int)Math.Min(4, length));
            if (length >= 8)
            {
                stream.Seek(-4, SeekOrigin.End);
                stream.ReadExactly(tail);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{expected}, found a file that cannot be read ({(e is UnauthorizedAccessException ? "permission denied" : OutputStream.Reason(e))})");
        }

        if (length < 4 || !head.AsSpan().SequenceEqual("PAR1"u8))
        {
            throw new UsageException(length == 0 ? $"{expected}, found an empty file" : $"{expected}, found \"{Printable(head.AsSpan(0, (int)Math.Min(4, length)))}\" at its start");
        }

        if (length < 8 || !tail.AsSpan().SequenceEqual("PAR1"u8))
        {
            throw new UsageException($"{expected}, found no PAR1 at its end (an unfinished file)");
        }
    }

    /// <summary>Runs <paramref name="sql"/> with the view <c>machines</c> over <paramref name="paths"/>; DuckDB's errors are one line.</summary>
    internal static QueryResult Run(IReadOnlyList<string> paths, string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        using var command = connection.CreateCommand();
        try
        {
            connection.Open();
            string list = string.Join(", ", paths.Select(p => "'" + Path.GetFullPath(p).Replace("'", "''", StringComparison.Ordinal) + "'"));
            command.CommandText = $"create view machines as select * from read_parquet([{list}], union_by_name = true)";
            command.ExecuteNonQuery();
        }
        catch (DuckDBException e)
        {
            throw new UsageException("query: cannot read the files as one table: " + FirstLine(e.Message));
        }

        try
        {
            command.CommandText = sql;
            using var reader = command.ExecuteReader();
            // Statements run one by one; of several, the last that returns rows is the result.
            QueryResult result;
            do
            {
                result = Read(reader);
            }
            while (reader.NextResult());

            return result;
        }
        catch (DuckDBException e)
        {
            throw new UsageException("query: " + FirstLine(e.Message));
        }
    }

    private static QueryResult Read(DuckDBDataReader reader)
    {
        int n = reader.FieldCount;
        var names = new string[n];
        var numeric = new bool[n];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < n; i++)
        {
            string name = reader.GetName(i);
            for (int k = 1; !seen.Add(name); k++)
            {
                name = string.Create(Inv, $"{reader.GetName(i)}_{k}");
            }

            names[i] = name;
            numeric[i] = IsNumeric(Cell(reader, i, static (r, c) => r.GetFieldType(c)));
        }

        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[n];
            for (int i = 0; i < n; i++)
            {
                // A blob's stream reads DuckDB's chunk, which the next rows replace: its bytes are copied now.
                row[i] = reader.IsDBNull(i) ? null : Cell(reader, i, static (r, c) => r.GetValue(c) is Stream blob ? Bytes(blob) : r.GetValue(c));
            }

            rows.Add(row);
        }

        return new QueryResult(names, numeric, rows);
    }

    /// <summary>
    /// Reads something of column <paramref name="ordinal"/>; a type DuckDB.NET cannot convert (a UNION, an INTERVAL
    /// with months, a list holding nulls) is one line that says to cast it.
    /// </summary>
    private static T Cell<T>(DuckDBDataReader reader, int ordinal, Func<DuckDBDataReader, int, T> read)
    {
        try
        {
            return read(reader, ordinal);
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or NotSupportedException or NotImplementedException or OverflowException)
        {
            string name = reader.GetName(ordinal);
            throw new UsageException($"query: column '{name}': expected values mca can print, found a type or value it cannot convert; cast it, e.g. \"{name}\"::varchar");
        }
    }

    private static bool IsNumeric(Type type) =>
        type == typeof(sbyte) || type == typeof(byte) || type == typeof(short) || type == typeof(ushort) || type == typeof(int) || type == typeof(uint)
        || type == typeof(long) || type == typeof(ulong) || type == typeof(BigInteger) || type == typeof(Int128) || type == typeof(UInt128)
        || type == typeof(float) || type == typeof(double) || type == typeof(decimal);

    /// <summary>The result as a table: a header of column names, a rule, one line per row; numbers right-aligned.</summary>
    internal static void WriteTable(QueryResult result, TextWriter output)
    {
        int n = result.Names.Length;
        var cells = new List<string[]>(result.Rows.Count);
        int[] widths = [.. result.Names.Select(name => name.Length)];
        foreach (var row in result.Rows)
        {
            var line = new string[n];
            for (int i = 0; i < n; i++)
            {
                line[i] = Escape(Text(row[i]));
                widths[i] = Math.Max(widths[i], line[i].Length);
            }

            cells.Add(line);
        }

        var text = new StringBuilder();
        void Line(IReadOnlyList<string> values)
        {
            for (int i = 0; i < n; i++)
            {
                if (i > 0)
                {
                    text.Append("  ");
                }

                text.Append(result.Numeric[i] ? values[i].PadLeft(widths[i]) : values[i].PadRight(widths[i]));
            }

            output.WriteLine(text.ToString().TrimEnd());
            text.Clear();
        }

        Line(result.Names);
        Line([.. widths.Select(w => new string('-', w))]);
        foreach (var line in cells)
        {
            Line(line);
        }
    }

    /// <summary>The result as a JSON array of row objects: numbers as numbers, null as null, text as strings.</summary>
    internal static void WriteJson(QueryResult result, TextWriter output)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var row in result.Rows)
            {
                json.WriteStartObject();
                for (int i = 0; i < row.Length; i++)
                {
                    json.WritePropertyName(result.Names[i]);
                    Value(json, row[i]);
                }

                json.WriteEndObject();
                if (buffer.WrittenCount >= 1 << 16)
                {
                    json.Flush();
                    output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
                    buffer.ResetWrittenCount();
                }
            }

            json.WriteEndArray();
        }

        output.Write(Encoding.UTF8.GetString(buffer.WrittenSpan));
        output.Write('\n');
    }

    private static void Value(Utf8JsonWriter json, object? value)
    {
        switch (value)
        {
            case null or DBNull:
                json.WriteNullValue();
                break;
            case bool b:
                json.WriteBooleanValue(b);
                break;
            case sbyte or short or int or long:
                json.WriteNumberValue(Convert.ToInt64(value, Inv));
                break;
            case byte or ushort or uint or ulong:
                json.WriteNumberValue(Convert.ToUInt64(value, Inv));
                break;
            case BigInteger or Int128 or UInt128:
                json.WriteRawValue(((IFormattable)value).ToString(null, Inv));
                break;
            case decimal d:
                json.WriteNumberValue(d);
                break;
            case float or double:
                double x = Convert.ToDouble(value, Inv);
                if (double.IsFinite(x))
                {
                    if (value is float f)
                    {
                        json.WriteNumberValue(f);
                    }
                    else
                    {
                        json.WriteNumberValue(x);
                    }
                }
                else
                {
                    // JSON has no NaN or infinity: the names System.Text.Json reads back as numbers.
                    json.WriteStringValue(x.ToString(Inv));
                }

                break;
            case IDictionary map:
                json.WriteStartObject();
                foreach (var e in Entries(map))
                {
                    json.WritePropertyName(Text(e.Key));
                    Value(json, e.Value);
                }

                json.WriteEndObject();
                break;
            case byte[] blob:
                json.WriteStringValue(Printable(blob));
                break;
            case IEnumerable list and not string:
                json.WriteStartArray();
                foreach (object? item in list)
                {
                    Value(json, item);
                }

                json.WriteEndArray();
                break;
            default:
                json.WriteStringValue(Text(value));
                break;
        }
    }

    /// <summary>A value as text, in the invariant culture (DuckDB's spelling for dates, lists and structs).</summary>
    private static string Text(object? value) => value switch
    {
        null or DBNull => "NULL",
        string s => s,
        bool b => b ? "true" : "false",
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", Inv),
        DateOnly d => d.ToString("yyyy-MM-dd", Inv),
        TimeOnly t => t.ToString("HH:mm:ss.FFFFFFF", Inv),
        TimeSpan t => t.ToString("c", Inv),
        DateTimeOffset t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFFzzz", Inv),
        // A blob as DuckDB prints it: printable ASCII as is, other bytes as \xNN.
        byte[] blob => Printable(blob),
        IDictionary map => "{" + string.Join(", ", Entries(map).Select(e => Text(e.Key) + ": " + Text(e.Value))) + "}",
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(Text)) + "]",
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };

    /// <summary>A map's or struct's entries (a dictionary enumerates key-value pairs, its <see cref="IDictionary"/> enumerator entries).</summary>
    private static IEnumerable<DictionaryEntry> Entries(IDictionary map)
    {
        var e = map.GetEnumerator();
        while (e.MoveNext())
        {
            yield return e.Entry;
        }
    }

    private static byte[] Bytes(Stream blob)
    {
        using var bytes = new MemoryStream();
        blob.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            if (b is >= 0x20 and < 0x7f and not (byte)'\\' and not (byte)'"')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append(Inv, $"\\x{b:X2}");
            }
        }

        return text.ToString();
    }

    /// <summary>A table cell on one line: line breaks and tabs as <c>\n</c>, <c>\r</c>, <c>\t</c>.</summary>
    private static string Escape(string cell) =>
        cell.AsSpan().IndexOfAny('\n', '\r', '\t') < 0 ? cell
            : cell.Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\t", "\\t", StringComparison.Ordinal);

    private static string FirstLine(string message)
    {
        string line = message.AsSpan().TrimStart().ToString();
        int end = line.IndexOfAny(['\r', '\n']);
        return (end < 0 ? line : line[..end]).TrimEnd();
    }
}
