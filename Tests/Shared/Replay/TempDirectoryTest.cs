namespace Mca.Tests.Shared.Replay;

/// <summary>A temporary directory per test class.</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest()
    {
        Directory = System.IO.Directory.CreateTempSubdirectory("mca-replay-").FullName;
    }

    protected string Directory { get; }

    protected string PathOf(string name) => Path.Combine(Directory, name);

    public void Dispose()
    {
        System.IO.Directory.Delete(Directory, recursive: true);
        GC.SuppressFinalize(this);
    }
}
