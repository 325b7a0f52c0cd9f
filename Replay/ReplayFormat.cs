namespace Mca.Replay;

/// <summary>
/// The constants of the <c>.mcar</c> replay format (docs/replay-format.md): magic numbers, the format
/// and engine versions, record types and the limits a reader enforces on untrusted files.
/// </summary>
public static class ReplayFormat
{
    /// <summary>
    /// The format this code writes. Version 2 added the abbreviation items (kinds 128 and 129,
    /// docs/replay-format.md "Abbreviations"); a version 1 file has none, so it reads as it is. Version 3 added
    /// the dom0-buffer loss count to the index totals (an older file's reads as 0), the CorrectedRun event (kind
    /// 22) and CE runs as one input each. Version 4 stores inputs and events only on request (header key 13), and
    /// for every section the counts and hashes of both (section keys 4 to 7), from which the rest is re-simulated.
    /// </summary>
    public const int Version = 4;

    /// <summary>The oldest format this code reads.</summary>
    public const int OldestReadableVersion = 1;

    /// <summary>
    /// The simulation engine's version, stored in every header: a constant (never a build stamp or a
    /// date), so the same campaign gives the same bytes. Bump it when a change alters handler output.
    /// </summary>
    public const string EngineVersion = "mca-engine/4";

    /// <summary>Bytes of the fixed footer: the index record's offset (uint64, little-endian) and <see cref="EndMagic"/>.</summary>
    public const int FooterLength = 16;

    /// <summary>Largest record payload (compressed bytes) and largest decompressed frame or index.</summary>
    public const int PayloadBytesMax = 256 << 20;

    /// <summary>Largest spec text in a header.</summary>
    public const int SpecBytesMax = 1 << 20;

    /// <summary>Largest short string in a header (engine version, policy, workload).</summary>
    public const int NameBytesMax = 256;

    /// <summary>Deepest nesting of arrays a reader accepts (the format itself needs 4).</summary>
    public const int DepthMax = 8;

    /// <summary>Record type of the header (always the first record, payload never compressed).</summary>
    public const int HeaderRecord = 1;

    /// <summary>Record type of a frame: one batch's inputs, outputs and state hashes for one epoch.</summary>
    public const int FrameRecord = 2;

    /// <summary>Record type of the index (the last record, named by the footer).</summary>
    public const int IndexRecord = 3;

    /// <summary>The first 8 bytes of every replay: 0x89 "MCAR" CR LF 0x1A (binary, catches text-mode copies).</summary>
    public static ReadOnlySpan<byte> Magic => [0x89, (byte)'M', (byte)'C', (byte)'A', (byte)'R', 0x0D, 0x0A, 0x1A];

    /// <summary>The last 8 bytes of a complete replay: "MCAR-END".</summary>
    public static ReadOnlySpan<byte> EndMagic => "MCAR-END"u8;
}
