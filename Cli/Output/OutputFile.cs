using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Mca.Cli.Output;

/// <summary>
/// One output of a command (README "Outputs and interrupts"). A regular file (or a path where nothing is yet) is
/// written under a hidden temporary name in its directory and renamed over the final name by
/// <see cref="OutputSet.Commit"/>; a symbolic link is followed to its final target; a character device or FIFO
/// is written in place; <c>-</c> (where allowed) and <c>/dev/stdout</c> are standard output; anything else is refused.
/// </summary>
internal sealed class OutputFile : IDisposable
{
    private static int s_counter;

    private OutputStream? _stream;

    private OutputFile(string option, string path, OutputKind kind, string target, FileStat? stat)
    {
        Option = option;
        Path = path;
        Kind = kind;
        Target = target;
        Stat = stat;
    }

    /// <summary>Test seam: faults injected per final path (a stream wrapper that fails, or a rename that fails).</summary>
    internal static ConcurrentDictionary<string, OutputFault> FaultsForTests { get; } = new(StringComparer.Ordinal);

    /// <summary>The option it came from, e.g. <c>--json</c>.</summary>
    public string Option { get; }

    /// <summary>The path as the user gave it (messages name it).</summary>
    public string Path { get; }

    public OutputKind Kind { get; }

    /// <summary>The file written at the end: the full path with every symbolic link resolved; <c>-</c> for standard output.</summary>
    public string Target { get; }

    /// <summary>What is at <see cref="Target"/> now, or null when nothing is.</summary>
    public FileStat? Stat { get; }

    /// <summary>The temporary file, while <see cref="Kind"/> is <see cref="OutputKind.Replace"/> and it is not yet renamed.</summary>
    public string? TempPath { get; private set; }

    /// <summary>True for standard output.</summary>
    public bool IsStdout => Kind == OutputKind.Stdout;

    /// <summary>
    /// Checks <paramref name="path"/> as an output of <paramref name="option"/> (no file is touched):
    /// an empty path, a directory, a socket or block device, or a missing directory is one line, exit 2.
    /// </summary>
    public static OutputFile Plan(string option, string path, bool allowStdout)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0)
        {
            throw new UsageException($"{option}: expected a file name, found an empty string");
        }

        if (path == "-")
        {
            return allowStdout ? new OutputFile(option, path, OutputKind.Stdout, "-", null)
                : throw new UsageException($"{option}: expected a file name, found '-' (standard output is only for --json)");
        }

        if (path == "/dev/stdout")
        {
            return new OutputFile(option, path, OutputKind.Stdout, "-", null);
        }

        string full = System.IO.Path.GetFullPath(path);
        if (path.EndsWith('/') || Directory.Exists(full))
        {
            throw new UsageException($"{option}: expected a file, found a directory '{path}'");
        }

        // A link is followed to its final target: the target is replaced and the link stays a link.
        string target = full;
        if (new FileInfo(full).LinkTarget is not null)
        {
            var final = File.ResolveLinkTarget(full, returnFinalTarget: true);
            target = final is null ? full : System.IO.Path.GetFullPath(final.FullName);
        }

        string dir = System.IO.Path.GetDirectoryName(target) ?? "/";
        string? realDir = FileStat.RealPath(dir);
        if (realDir is null || FileStat.Of(realDir)?.Kind != FileStatKind.Directory)
        {
            throw new UsageException($"{option}: expected a file in an existing directory, found '{path}' (no directory '{dir}')");
        }

        target = System.IO.Path.Combine(realDir, System.IO.Path.GetFileName(target));
        var stat = FileStat.Of(target);
        return stat?.Kind switch
        {
            null or FileStatKind.Regular => new OutputFile(option, path, OutputKind.Replace, target, stat),
            FileStatKind.CharacterDevice or FileStatKind.Fifo => new OutputFile(option, path, OutputKind.InPlace, target, stat),
            FileStatKind.Directory => throw new UsageException($"{option}: expected a file, found a directory '{path}'"),
            var kind => throw new UsageException($"{option}: expected a regular file, a character device or a FIFO, found a {Describe(kind.Value)} '{path}'"),
        };
    }

    /// <summary>
    /// Opens the output: creates the temporary file (which proves the directory writable) or opens the device
    /// in place (a FIFO waits for its reader, as a shell's redirection does).
    /// </summary>
    public void Open(Stream stdout)
    {
        ArgumentNullException.ThrowIfNull(stdout);
        if (_stream is not null)
        {
            return;
        }

        Stream inner;
        try
        {
            inner = Kind switch
            {
                OutputKind.Stdout => new NonClosingStream(stdout),
                OutputKind.InPlace => new FileStream(Target, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1 << 16),
                _ => CreateTemp(),
            };
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            // The temporary file's name is ours, not the user's: the message names the directory and the output.
            string reason = e switch
            {
                UnauthorizedAccessException => "permission denied",
                FileNotFoundException or DirectoryNotFoundException => "the directory does not take new files",
                _ => OutputStream.Reason(e),
            };
            throw new UsageException(Kind == OutputKind.Replace
                ? $"{Option}: cannot create a file in '{System.IO.Path.GetDirectoryName(Target)}' for '{Path}': {reason}"
                : $"{Option}: cannot write '{Path}': {reason}");
        }

        if (FaultsForTests.TryGetValue(Target, out var fault) && fault.Wrap is { } wrap)
        {
            inner = wrap(inner);
        }

        _stream = new OutputStream(inner, Path);
    }

    /// <summary>The stream to write (after <see cref="Open"/>); failures name the path.</summary>
    public OutputStream Stream => _stream ?? throw new InvalidOperationException($"{Option} is not open");

    /// <summary>Writes <paramref name="text"/> (UTF-8, no byte-order mark) and finishes the output.</summary>
    public void WriteAllText(string text)
    {
        Stream.Write(new UTF8Encoding(false).GetBytes(text));
    }

    /// <summary>Flushes to disk and closes; the output is complete but, for a file, still under its temporary name.</summary>
    public void Finish()
    {
        if (_stream is null)
        {
            return;
        }

        _stream.FlushToDisk();
        _stream.Dispose();
    }

    /// <summary>Closes and removes the temporary file, if not yet renamed into place.</summary>
    public void Dispose()
    {
        _stream?.Dispose();
        DeleteTemp();
    }

    /// <summary>Renames the temporary file over <see cref="Target"/>, keeping a hard link to an existing original in <paramref name="backup"/>.</summary>
    internal void Rename(string? backup)
    {
        if (TempPath is null)
        {
            return;
        }

        if (FaultsForTests.TryGetValue(Target, out var fault) && fault.FailRename)
        {
            throw new IOException("injected rename failure");
        }

        if (backup is not null)
        {
            // File.Replace links the original to the backup and then renames: the final name is never missing.
            File.Replace(TempPath, Target, backup);
        }
        else
        {
            File.Move(TempPath, Target, overwrite: true);
        }

        TempPath = null;
    }

    internal void DeleteTemp()
    {
        if (TempPath is null)
        {
            return;
        }

        try
        {
            File.Delete(TempPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: a leftover is hidden and named .mca-tmp, never like a finished file.
        }

        TempPath = null;
    }

    /// <summary>A hidden, unique name beside <paramref name="target"/> that never looks like a finished file.</summary>
    internal static string SiblingName(string target, string what)
    {
        string dir = System.IO.Path.GetDirectoryName(target) ?? "/";
        int n = Interlocked.Increment(ref s_counter);
        return System.IO.Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $".{System.IO.Path.GetFileName(target)}.mca-{what}-{Environment.ProcessId}-{n}"));
    }

    private FileStream CreateTemp()
    {
        for (int attempt = 0; ; attempt++)
        {
            string temp = SiblingName(Target, "tmp");
            try
            {
                var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16);
                TempPath = temp;
                return stream;
            }
            catch (IOException) when (attempt < 100 && File.Exists(temp))
            {
                // A leftover of an earlier process with the same id: take the next name.
            }
        }
    }

    private static string Describe(FileStatKind kind) => kind switch
    {
        FileStatKind.BlockDevice => "block device",
        FileStatKind.Socket => "socket",
        _ => "special file",
    };

    /// <summary>Standard output, left open when the output is closed.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Flush();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>How an output is written.</summary>
internal enum OutputKind
{
    /// <summary>A temporary file renamed over the final name at the end.</summary>
    Replace,

    /// <summary>A character device or FIFO, written in place as the command goes.</summary>
    InPlace,

    /// <summary>Standard output.</summary>
    Stdout,
}

/// <summary>A fault a test injects into one output.</summary>
internal sealed record OutputFault(Func<Stream, Stream>? Wrap = null, bool FailRename = false);
