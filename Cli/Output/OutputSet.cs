namespace Mca.Cli.Output;

/// <summary>
/// A command's outputs, written all or none (README "Outputs and interrupts"). Every output is checked and
/// opened before the work starts; two outputs on one file, or an output on an input, are refused (same resolved
/// path, or on Linux the same device and inode, which also catches hard links). <see cref="Commit"/> renames
/// the finished temporary files into place only once every output is complete, and undoes the earlier renames
/// if a later one fails (an overwritten original is kept as a hard link and restored; a new file is deleted).
/// Disposing without <see cref="Commit"/> removes every temporary file.
/// </summary>
internal sealed class OutputSet : IDisposable
{
    private readonly List<OutputFile> _outputs = [];
    private readonly List<(string What, string Path, string Full, FileStat? Stat)> _inputs = [];
    private bool _opened;

    /// <summary>Plans an output (null when the option was not given); see <see cref="OutputFile.Plan"/>.</summary>
    public OutputFile? Add(string option, string? path, bool allowStdout = false)
    {
        if (path is null)
        {
            return null;
        }

        var output = OutputFile.Plan(option, path, allowStdout);
        foreach (var other in _outputs)
        {
            if (SameFile(output.Target, output.Stat, other.Target, other.Stat) && !(output.Stat?.Kind == FileStatKind.CharacterDevice))
            {
                throw new UsageException($"{option}: expected a file of its own, found '{path}', the same file as {other.Option} '{other.Path}'");
            }
        }

        foreach (var (what, inputPath, full, stat) in _inputs)
        {
            if (SameFile(output.Target, output.Stat, full, stat))
            {
                throw new UsageException($"{option}: expected a file other than the command's input, found '{path}', the same file as {what} '{inputPath}'");
            }
        }

        _outputs.Add(output);
        return output;
    }

    /// <summary>A file the command reads (add inputs before outputs): no output may be it.</summary>
    public void AddInput(string what, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = path.Length == 0 ? path : FileStat.RealPath(path) ?? Path.GetFullPath(path);
        _inputs.Add((what, path, full, path.Length == 0 ? null : FileStat.Of(full)));
    }

    /// <summary>Creates every temporary file and opens every device, before any work (a directory that cannot be written fails here).</summary>
    public void Open(Func<Stream>? stdout = null)
    {
        _opened = true;
        Stream? standardOutput = null;
        foreach (var output in _outputs)
        {
            output.Open(output.IsStdout ? standardOutput ??= (stdout ?? Console.OpenStandardOutput)() : Stream.Null);
        }
    }

    /// <summary>
    /// Finishes every output (flush and close) and renames the files into place; on any failure nothing stays
    /// under a final name that was not there before, an overwritten file is restored, and the failure is rethrown.
    /// </summary>
    public void Commit()
    {
        if (!_opened)
        {
            throw new InvalidOperationException("Open the outputs before committing them");
        }

        foreach (var output in _outputs)
        {
            output.Finish();
        }

        var done = new List<(OutputFile Output, string? Backup)>(_outputs.Count);
        try
        {
            foreach (var output in _outputs)
            {
                if (output.TempPath is null)
                {
                    continue;
                }

                string? backup = File.Exists(output.Target) ? OutputFile.SiblingName(output.Target, "old") : null;
                try
                {
                    output.Rename(backup);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw new OutputException($"{output.Path}: cannot write: {e.Message.TrimEnd('.')}", e);
                }

                done.Add((output, backup));
            }
        }
        catch
        {
            Undo(done);
            throw;
        }

        foreach (var (_, backup) in done)
        {
            TryDelete(backup);
        }
    }

    /// <summary>Without <see cref="Commit"/>: closes every output and removes its temporary file.</summary>
    public void Dispose()
    {
        // After a commit nothing is left to remove: every temporary file has been renamed.
        foreach (var output in _outputs)
        {
            output.Dispose();
        }
    }

    private static void Undo(List<(OutputFile Output, string? Backup)> done)
    {
        for (int i = done.Count - 1; i >= 0; i--)
        {
            var (output, backup) = done[i];
            try
            {
                if (backup is not null)
                {
                    File.Move(backup, output.Target, overwrite: true);
                }
                else
                {
                    File.Delete(output.Target);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Nothing more to try; the failure that brought us here is what the user sees.
            }
        }
    }

    private static void TryDelete(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover backup is hidden and named .mca-old; the outputs themselves are complete.
        }
    }

    private static bool SameFile(string a, FileStat? aStat, string b, FileStat? bStat) =>
        string.Equals(a, b, StringComparison.Ordinal) || (aStat is { } x && bStat is { } y && x.SameFileAs(y));
}
