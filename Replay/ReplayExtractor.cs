using System.Globalization;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>What <see cref="ReplayExtractor.Extract(string, int, string, WorkloadCatalog, CancellationToken)"/> did.</summary>
/// <param name="Machine">The machine extracted.</param>
/// <param name="Output">The file written (null when the machine's frames did not re-simulate).</param>
/// <param name="Divergence">Where the machine's recorded frames disagree with its re-simulation; null if they agree.</param>
/// <param name="Frames">Frames written.</param>
/// <param name="Events">Events written.</param>
/// <param name="Inputs">Inputs written.</param>
/// <param name="Bytes">Size of the file written.</param>
public sealed record ExtractReport(int Machine, string? Output, ReplayDivergence? Divergence, long Frames, long Events, long Inputs, long Bytes);

/// <summary>
/// <c>mca replay extract</c>: a one-machine replay that verifies on its own and stores the machine's inputs and
/// events (it is what one hands to someone). The machine is re-simulated under its fleet id from the spec (its
/// errors are a pure function of the seed and the id), the output is checked against the recorded frames (their
/// inputs and events, or their hashes), and only then written: an extract always verifies.
/// </summary>
public static class ReplayExtractor
{
    public static ExtractReport Extract(string source, int machine, string output, WorkloadCatalog? catalog = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        return Extract(source, machine, output, header => ReplayWriter.Create(output, header), catalog, ct);
    }

    /// <summary>Extracts into <paramref name="stream"/> (named <paramref name="output"/>); the caller renames its file into place.</summary>
    public static ExtractReport Extract(string source, int machine, Stream stream, string output, WorkloadCatalog? catalog = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(output);
        return Extract(source, machine, output, header => ReplayWriter.Create(stream, output, header), catalog, ct);
    }

    private static ExtractReport Extract(string source, int machine, string output, Func<ReplayHeader, ReplayWriter> createWriter, WorkloadCatalog? catalog, CancellationToken ct)
    {
        using var reader = ReplayReader.Open(source);
        var h = reader.Header;
        if (!h.Holds(machine))
        {
            throw new ArgumentOutOfRangeException(nameof(machine), machine, string.Create(CultureInfo.InvariantCulture, $"{source} holds machines {h.FirstMachineId} to {h.FirstMachineId + (long)h.MachineCount - 1}"));
        }

        var spec = ReplaySession.LoadSpec(reader, catalog);
        var frames = reader.Index.FramesOf(machine).ToArray();
        // The machine's errors come from the spec's own source (a pure function of seed and machine id), and are
        // checked against the recorded inputs frame by frame.
        var options = ReplaySession.Resimulation(spec, h, 1, catalog, first: machine, count: 1, batchSize: 1);
        var header = h with { FormatVersion = ReplayFormat.Version, EngineVersion = ReplayFormat.EngineVersion, Kind = ReplayKind.Extract, FirstMachineId = machine, MachineCount = 1, BatchSize = 1, Contents = ReplayContents.All };
        using var writer = createWriter(header);
        using var cursor = new FrameCursor(frames.Select(reader.ReadFrame), machine, machine + 1);
        var (result, divergence) = ReplaySession.RunAndCompare(options, h.DurationNs, cursor, stopAtFirst: true, onOutput: (o, _) => writer.Append(o), ct: ct);
        if (divergence is not null || result is null)
        {
            return new ExtractReport(machine, null, divergence, 0, 0, 0, 0);
        }

        writer.Complete(result);
        return new ExtractReport(machine, output, null, writer.FrameCount, writer.EventCount, writer.InputCount, writer.BytesWritten);
    }
}
