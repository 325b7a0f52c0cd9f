namespace Mca.Cli.Output;

/// <summary>
/// Writes to an output's file, counting bytes (so writers that need a position work on pipes and devices too)
/// and turning any write failure into an <see cref="OutputException"/> that names the output's path.
/// </summary>
internal sealed class OutputStream(Stream inner, string path) : Stream
{
    private long _written;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _written;

    /// <summary>Bytes written so far.</summary>
    public override long Position
    {
        get => _written;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        try
        {
            inner.Write(buffer);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Failed(e);
        }

        _written += buffer.Length;
    }

    public override void Flush()
    {
        try
        {
            inner.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Failed(e);
        }
    }

    /// <summary>Flushes to the device as well when the output is a file (before it is renamed into place).</summary>
    public void FlushToDisk()
    {
        try
        {
            if (inner is FileStream file)
            {
                file.Flush(flushToDisk: true);
            }
            else
            {
                inner.Flush();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            throw Failed(e);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try
            {
                inner.Dispose();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Close's own flush failed: the output is already failed or abandoned, and its temp file is removed.
            }
        }

        base.Dispose(disposing);
    }

    private OutputException Failed(Exception e) => new($"{path}: cannot write: {Reason(e)}", e);

    /// <summary>The system's reason without the file name .NET appends (the message names the path once, as given).</summary>
    internal static string Reason(Exception e)
    {
        string message = e.Message;
        int named = message.IndexOf(" : '", StringComparison.Ordinal);
        return (named > 0 ? message[..named] : message).TrimEnd('.');
    }
}
