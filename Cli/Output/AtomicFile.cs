namespace Mca.Cli.Output;

/// <summary>Writes a file under a temporary name and renames it when complete, so no partial file is left.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, temp => File.WriteAllText(temp, text));

    /// <summary>
    /// Lets <paramref name="write"/> create the file under a temporary name (the final name plus <c>.tmp</c>,
    /// and the final extension again when <paramref name="keepExtension"/>, for writers that go by it), then renames it.
    /// </summary>
    public static void Write(string path, Action<string> write, bool keepExtension = false)
    {
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp" + (keepExtension ? Path.GetExtension(full) : string.Empty);
        try
        {
            write(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new UsageException($"{path}: cannot write: {e.Message}");
        }
    }
}
