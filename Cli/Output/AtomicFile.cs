namespace Mca.Cli.Output;

/// <summary>Writes a file under a temporary name and renames it when complete, so no partial file is left.</summary>
internal static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        string full = Path.GetFullPath(path);
        string temp = full + ".tmp";
        try
        {
            File.WriteAllText(temp, text);
            File.Move(temp, full, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new UsageException($"{path}: cannot write: {e.Message}");
        }
    }
}
