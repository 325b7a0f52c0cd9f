using System.Text;
using Mca.Cli.Output;

namespace Mca.Cli.Input;

/// <summary>
/// Reads a whole text input (a scenario, a campaign spec) as untrusted: a bounded number of bytes, so
/// <c>/dev/zero</c> or <c>/dev/urandom</c> is refused instead of filling memory, and a bounded wait
/// for input, so a FIFO with no writer is refused instead of hanging. Any failure is one line naming
/// the file and what was expected (<see cref="UsageException"/>). Pipes and character devices are read
/// as streams, like regular files; directories, sockets and block devices are refused.
/// </summary>
internal static class InputFile
{
    /// <summary>The longest a read may go without a byte arriving (or the open without a writer).</summary>
    public static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(5);

    /// <summary>Scenario files: the largest hand-written or generated mce-inject file is far below this.</summary>
    public const int ScenarioLimitBytes = 16 << 20;

    /// <summary>Campaign specs: a few hundred bytes in practice.</summary>
    public const int SpecLimitBytes = 1 << 20;

    /// <summary>The text of <paramref name="path"/>, at most <paramref name="limitBytes"/> bytes of UTF-8 (a BOM is dropped).</summary>
    /// <param name="what">What the file holds, for messages: "scenario", "campaign spec".</param>
    public static string ReadText(string path, string what, int limitBytes) => ReadText(path, what, limitBytes, IdleLimit);

    internal static string ReadText(string path, string what, int limitBytes, TimeSpan idleLimit)
    {
        if (path.Length == 0)
        {
            throw new UsageException($"expected a {what} file name, found an empty string");
        }

        FileStat? stat;
        try
        {
            stat = FileStat.Of(path);
        }
        catch (IOException e)
        {
            throw new UsageException(e.Message);
        }

        switch (stat?.Kind)
        {
            case null:
                throw new UsageException($"{path}: expected a {what} file, found no such file");
            case FileStatKind.Directory:
                throw new UsageException($"{path}: expected a {what} file, found a directory");
            case FileStatKind.Socket or FileStatKind.BlockDevice or FileStatKind.Other:
                throw new UsageException($"{path}: expected a {what} file, found a {Describe(stat.Value.Kind)}");
        }

        var progress = new Progress();
        var reading = Task.Run(() => Read(path, limitBytes, progress));
        while (!((IAsyncResult)reading).AsyncWaitHandle.WaitOne(TimeSpan.FromMilliseconds(100)))
        {
            if (progress.IdleFor() >= idleLimit)
            {
                // Read before unblocking: the release opens the FIFO's write end, and the reader's open may then return
                // before the message is built, which would name the wrong wait.
                bool opened = progress.Opened;
                Unblock(path, stat!.Value.Kind, progress);
                string seconds = idleLimit.TotalSeconds.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture);
                throw new UsageException(opened
                    ? $"{path}: expected {what} text, found no input for {seconds} s"
                    : $"{path}: expected a writer on this {Describe(stat.Value.Kind)} within {seconds} s, found none");
            }
        }

        try
        {
            return reading.GetAwaiter().GetResult();
        }
        catch (TooLongException)
        {
            throw new UsageException($"{path}: expected at most {limitBytes >> 20} MiB of {what} text, found more");
        }
        catch (DecoderFallbackException e)
        {
            throw new UsageException($"{path}: expected {what} text in UTF-8, found an invalid byte at offset {e.Index}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: expected a readable {what} file, found {Reason(e)}");
        }
    }

    /// <summary>
    /// <paramref name="path"/> when it names a regular file (links followed), else a one-line refusal: files read
    /// by seeking (replays, with their index at the end) cannot be pipes or devices, and opening a FIFO would block.
    /// </summary>
    public static string RequireSeekable(string path, string what)
    {
        if (path.Length == 0)
        {
            throw new UsageException($"expected a {what} file name, found an empty string");
        }

        FileStat? stat;
        try
        {
            stat = FileStat.Of(path);
        }
        catch (IOException e)
        {
            throw new UsageException(e.Message);
        }

        return stat?.Kind switch
        {
            null => throw new UsageException($"{path}: expected a {what} file, found no such file"),
            FileStatKind.Regular => path,
            var kind => throw new UsageException($"{path}: expected a {what} file (a regular file: it is read by seeking), found a {Describe(kind.Value)}"),
        };
    }

    private static string Read(string path, int limitBytes, Progress progress)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1, FileOptions.SequentialScan);
        progress.Open();
        var buffer = new MemoryStream();
        byte[] chunk = new byte[1 << 16];
        int n;
        while ((n = stream.Read(chunk, 0, chunk.Length)) > 0)
        {
            progress.Touch();
            if (buffer.Length + n > limitBytes)
            {
                throw new TooLongException();
            }

            buffer.Write(chunk, 0, n);
        }

        var bytes = new ReadOnlySpan<byte>(buffer.GetBuffer(), 0, (int)buffer.Length);
        if (bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        return Strict.GetString(bytes);
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>A reader left blocked in open(2) on a FIFO is released by opening its write end once, so no thread stays stuck.</summary>
    private static void Unblock(string path, FileStatKind kind, Progress progress)
    {
        if (kind == FileStatKind.Fifo && !progress.Opened)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    using var writer = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 1);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Nothing to release, or not ours to open: the blocked reader is a background thread either way.
                }
            });
        }
    }

    private static string Reason(Exception e) => e switch
    {
        UnauthorizedAccessException => "permission denied",
        _ => e.Message.TrimEnd('.'),
    };

    internal static string Describe(FileStatKind kind) => kind switch
    {
        FileStatKind.Regular => "regular file",
        FileStatKind.Directory => "directory",
        FileStatKind.CharacterDevice => "character device",
        FileStatKind.Fifo => "FIFO",
        FileStatKind.BlockDevice => "block device",
        FileStatKind.Socket => "socket",
        _ => "special file",
    };

    private sealed class TooLongException : Exception;

    /// <summary>When the reader last made progress, shared with the waiting thread.</summary>
    private sealed class Progress
    {
        private long _lastTicks = Environment.TickCount64;
        private volatile bool _opened;

        public bool Opened => _opened;

        public void Open()
        {
            _opened = true;
            Touch();
        }

        public void Touch() => Volatile.Write(ref _lastTicks, Environment.TickCount64);

        public TimeSpan IdleFor() => TimeSpan.FromMilliseconds(Environment.TickCount64 - Volatile.Read(ref _lastTicks));
    }
}
