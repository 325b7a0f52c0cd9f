using System.Globalization;

namespace Mca.Replay;

/// <summary>
/// A replay whose inputs or events had to be re-simulated (format 4 keeps only their hashes) and this build does not
/// reproduce them: the engine changed since the recording, or the file's hashes were tampered with. One line; the
/// CLI prints it and exits 1, as a divergence.
/// </summary>
public sealed class ReplayMismatchException : Exception
{
    public ReplayMismatchException()
        : base("the replay does not re-simulate")
    {
    }

    public ReplayMismatchException(string message)
        : base(message)
    {
    }

    public ReplayMismatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal ReplayMismatchException(string file, ReplayHeader header, ReplayDivergence d)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{file}: stores only the hashes of its inputs and events, and this build does not reproduce them at machine {d.Machine}, epoch {d.Epoch} ({d.What}: recorded {d.Expected}, re-simulated {d.Actual}); written by {header.EngineVersion}, this is {ReplayFormat.EngineVersion}: mca replay verify {file} shows the new engine's events there"))
    {
        Divergence = d;
    }

    /// <summary>Where the re-simulation left the recording (null when constructed without one).</summary>
    public ReplayDivergence? Divergence { get; }
}
