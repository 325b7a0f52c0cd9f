using System.Buffers.Binary;
using System.Text.RegularExpressions;
using Mca.Tests.Shared.Replay;

namespace Mca.Replay.Tests;

/// <summary>Untrusted files: truncated, foreign, wrong version, damaged. One clear error each, never another exception.</summary>
public sealed partial class ReplayFormatTests : TempDirectoryTest
{
    private string Valid()
    {
        string path = PathOf("valid.mcar");
        if (!File.Exists(path))
        {
            Fixtures.Record(path, Fixtures.Spec(machines: 12, days: 4, batchSize: 4));
        }

        return path;
    }

    private string Write(string name, byte[] bytes)
    {
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static ReplayFormatException Fails(string path)
    {
        var e = Assert.Throws<ReplayFormatException>(() => ReadEverything(path));
        Assert.Matches(OneLineError(), e.Message);
        Assert.StartsWith(path + ": byte ", e.Message, StringComparison.Ordinal);
        return e;
    }

    /// <summary>Everything a command reads: header, index, every frame, one machine via the index, the spec.</summary>
    internal static void ReadEverything(string path)
    {
        using var reader = ReplayReader.Open(path);
        foreach (var f in reader.ReadFrames())
        {
            _ = f.Machines.Length;
        }

        if (reader.Index.MachineIds.Length > 0)
        {
            foreach (var (_, s) in reader.ReadMachine(reader.Index.MachineIds[^1]))
            {
                _ = s.Events.Length;
            }
        }

        ReplaySession.LoadSpec(reader, Fixtures.Catalog);
    }

    [GeneratedRegex(@"^[^\n]+: byte \d+: expected [^\n]+$")]
    internal static partial Regex OneLineError();

    [Fact]
    public void Truncated_AnywhereAfterTheMagic_ReportedAsTruncated()
    {
        byte[] bytes = File.ReadAllBytes(Valid());
        foreach (int length in new[] { 0, 3, 8, 9, 30, bytes.Length / 2, bytes.Length - 17, bytes.Length - 16, bytes.Length - 1 })
        {
            var e = Fails(Write("cut.mcar", bytes[..length]));
            if (length > 0)
            {
                Assert.True(e.IsTruncated, $"length {length}: {e.Message}");
                Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void ForeignFile_NamesTheMagic()
    {
        var e = Fails(Write("x.mcar", "hello, this is not a replay at all"u8.ToArray()));
        Assert.Contains("expected the replay magic", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, e.Offset);
        Assert.False(e.IsTruncated);
        Assert.Contains("an empty file", Fails(Write("empty.mcar", [])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OtherFormatVersion_SaysWhichVersion()
    {
        byte[] bytes = File.ReadAllBytes(Valid());
        // The header's payload starts at byte 8 + 16: [fixarray 15, version 4, ...]; make it version 5 and fix the checksum.
        Assert.Equal(0x9F, bytes[24]);
        Assert.Equal(ReplayFormat.Version, bytes[25]);
        bytes[25] = 5;
        FixChecksum(bytes, 8);
        var e = Fails(Write("v5.mcar", bytes));
        Assert.EndsWith("expected format version 1 to 4 in the header, found 5 (a newer mca wrote it: read it with the mca that recorded it)", e.Message, StringComparison.Ordinal);
        Assert.Equal(8, e.Offset);
    }

    [Fact]
    public void FormatVersion1_StillReads()
    {
        // Version 2 only added item kinds a version 1 writer never wrote, so a version 1 file reads as it is.
        byte[] bytes = File.ReadAllBytes(Valid());
        bytes[25] = 1;
        FixChecksum(bytes, 8);
        string path = Write("v1.mcar", bytes);
        using var reader = ReplayReader.Open(path);
        Assert.Equal(1, reader.Header.FormatVersion);
        Assert.Equal(reader.Index.Frames.Length, reader.ReadFrames().Count());
    }

    [Fact]
    public void DamagedFrame_ChecksumNamesTheRecord()
    {
        string path = Valid();
        long frameAt;
        using (var reader = ReplayReader.Open(path))
        {
            frameAt = reader.Index.Frames[3].Offset;
        }

        byte[] bytes = File.ReadAllBytes(path);
        bytes[frameAt + 20] ^= 0x40;
        var e = Fails(Write("flip.mcar", bytes));
        Assert.Equal(frameAt, e.Offset);
        Assert.Contains("checksum", e.Message, StringComparison.Ordinal);
        Assert.Contains("damaged", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TamperedInput_NeverReachesTheHandler_VerifyFindsIt()
    {
        // Regression (fuzz seed dvGlkNjerNJ2): a well-formed file whose input lacks VAL must not reach the handler.
        // Re-simulation takes the machines' errors from the spec (a pure function of seed and machine), so a damaged
        // input cannot crash it; verify compares the inputs and names the divergence.
        string path = PathOf("noval.mcar");
        bool done = false;
        Fixtures.Record(path, Fixtures.Spec(machines: 12, days: 4, batchSize: 4), tamper: o =>
        {
            if (done || o.Inputs!.Length == 0)
            {
                return o;
            }

            done = true;
            var inputs = (Mca.Systems.Engine.RecordedInput[])o.Inputs.Clone();
            var e = inputs[0].Error;
            e.Status &= ~Mca.Systems.Hardware.MciStatusBits.Val;
            inputs[0] = inputs[0] with { Error = e };
            return o with { Inputs = inputs };
        });
        ReplayRerun.Run(path, "xen", threads: 1, catalog: Fixtures.Catalog);
        Assert.NotNull(ReplayVerifier.Verify(path, threads: 1, catalog: Fixtures.Catalog).Divergence);
    }

    [Fact]
    public void MissingFile_OneLine()
    {
        var e = Assert.Throws<ReplayFormatException>(() => ReplayReader.Open(PathOf("nope.mcar")));
        Assert.Contains("expected a readable replay file", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Recomputes the checksum of the record at <paramref name="offset"/> (16-byte prefix, as this writer writes).</summary>
    internal static void FixChecksum(byte[] bytes, long offset)
    {
        int o = (int)offset;
        int length = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(o + 12));
        ulong sum = System.IO.Hashing.XxHash64.HashToUInt64(bytes.AsSpan(o + 16, length));
        BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(o + 3), sum);
    }
}
