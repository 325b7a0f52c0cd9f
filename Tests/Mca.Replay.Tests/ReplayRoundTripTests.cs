using Mca.Tests.Shared.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Tests;

/// <summary>Recording and reading back: every input, event and state hash, byte-identical for any thread count.</summary>
public sealed class ReplayRoundTripTests : TempDirectoryTest
{
    [Fact]
    public void Record_ThenRead_GivesBackEveryInputEventAndHash()
    {
        var spec = Fixtures.Spec();
        var outputs = new List<EpochOutput>();
        string path = PathOf("a.mcar");
        var result = Fixtures.Record(path, spec, tamper: o =>
        {
            outputs.Add(o);
            return o;
        });

        using var reader = ReplayReader.Open(path);
        var h = reader.Header;
        Assert.Equal(ReplayFormat.Version, h.FormatVersion);
        Assert.Equal(ReplayFormat.EngineVersion, h.EngineVersion);
        Assert.Equal(ReplayKind.Campaign, h.Kind);
        Assert.Equal(CampaignSpecYaml.Write(spec, Fixtures.Catalog, everyWorkload: false), h.SpecYaml);
        Assert.Equal((spec.Seed, spec.Policy, spec.Machines, spec.BatchSize, 8), (h.Seed, h.Policy, h.MachineCount, h.BatchSize, h.EpochCount));

        var frames = reader.ReadFrames().ToList();
        var grouper = new FrameGrouper();
        var expected = new List<MachineFrame>();
        // A streaming campaign hands over every epoch of a batch in turn; the file holds frames in (epoch, batch) order.
        foreach (var o in outputs.OrderBy(o => o.Epoch).ThenBy(o => o.Batch))
        {
            grouper.Group(o);
            expected.AddRange(grouper.ToSections(o));
        }

        var actual = frames.SelectMany(f => f.Machines).ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Machine, actual[i].Machine);
            Assert.Equal(expected[i].Events, actual[i].Events);
            Assert.Equal(expected[i].StateHash, actual[i].StateHash);
            Assert.Equal(expected[i].Inputs.Length, actual[i].Inputs.Length);
            for (int k = 0; k < expected[i].Inputs.Length; k++)
            {
                Assert.Equal(expected[i].Inputs[k].Machine, actual[i].Inputs[k].Machine);
                Assert.True(EpochComparer.SameInput(expected[i].Inputs[k].Error, actual[i].Inputs[k].Error));
            }
        }

        var t = reader.Index.Totals;
        Assert.Equal(result.Digest, t.Digest);
        Assert.Equal(result.Counts, t.Counts);
        // The file holds the events as emitted (a CorrectedRun is one); handler_events counts what runs stand for.
        Assert.Equal(outputs.Sum(o => o.Events!.Length), t.Events);
        Assert.True(t.Events <= result.Counts.HandlerEvents);
        Assert.Equal(outputs.Sum(o => o.Inputs!.Length), t.Inputs);
        Assert.True(t.Events > 1000 && t.Inputs > 500, $"the random mix records plenty ({t.Events} events, {t.Inputs} inputs)");
    }

    [Fact]
    public void Index_FindsEachMachinesFrames()
    {
        string path = PathOf("a.mcar");
        Fixtures.Record(path, Fixtures.Spec());
        using var reader = ReplayReader.Open(path);
        var all = reader.ReadFrames().ToList();
        foreach (int machine in new[] { 0, 17, 47 })
        {
            var viaIndex = reader.ReadMachine(machine).Select(x => (x.Frame.Epoch, x.Section.Events.Length)).ToList();
            var viaScan = all.SelectMany(f => f.Machines.Where(m => m.Machine == machine).Select(m => (f.Epoch, m.Events.Length))).ToList();
            Assert.NotEmpty(viaIndex);
            Assert.Equal(viaScan, viaIndex);
        }
    }

    [Fact]
    public void Threads1And2_AndTwice_ByteIdenticalFiles()
    {
        var spec = Fixtures.Spec();
        Fixtures.Record(PathOf("t1.mcar"), spec, threads: 1);
        Fixtures.Record(PathOf("t2.mcar"), spec, threads: 2);
        Fixtures.Record(PathOf("t2b.mcar"), spec, threads: 2);
        Fixtures.Record(PathOf("t3.mcar"), spec, threads: 3);
        byte[] one = File.ReadAllBytes(PathOf("t1.mcar"));
        Assert.Equal(one, File.ReadAllBytes(PathOf("t2.mcar")));
        Assert.Equal(one, File.ReadAllBytes(PathOf("t2b.mcar")));
        Assert.Equal(one, File.ReadAllBytes(PathOf("t3.mcar")));
    }

    [Fact]
    public void DifferentSeed_DifferentBytes()
    {
        Fixtures.Record(PathOf("s1.mcar"), Fixtures.Spec(seed: 1));
        Fixtures.Record(PathOf("s2.mcar"), Fixtures.Spec(seed: 2));
        Assert.NotEqual(File.ReadAllBytes(PathOf("s1.mcar")), File.ReadAllBytes(PathOf("s2.mcar")));
    }

    [Fact]
    public void IdleCampaign_NoFrames_StillAValidReplay()
    {
        string path = PathOf("idle.mcar");
        Fixtures.Record(path, Fixtures.Spec() with { Workload = "none" });
        using var reader = ReplayReader.Open(path);
        Assert.Empty(reader.Index.Frames);
        Assert.Empty(reader.ReadFrames());
        Assert.True(ReplayVerifier.Verify(path, catalog: Fixtures.Catalog).Identical);
    }

    [Fact]
    public void DisposeWithoutComplete_LeavesNoFile()
    {
        string path = PathOf("partial.mcar");
        var spec = Fixtures.Spec();
        using (var writer = ReplayWriter.Create(path, spec, Fixtures.Catalog))
        {
            var options = spec.ToOptions(2, catalog: Fixtures.Catalog) with { Recorder = writer.Recorder };
            CampaignRunner.Run(options, record: writer.Append);
            Assert.True(File.Exists(writer.TempPath));
            Assert.False(File.Exists(path));
        }

        Assert.Empty(System.IO.Directory.GetFiles(Directory));
    }

    [Fact]
    public void Append_RecordingOff_Throws()
    {
        var spec = Fixtures.Spec();
        using var writer = ReplayWriter.Create(PathOf("x.mcar"), spec, Fixtures.Catalog);
        var e = Assert.Throws<ArgumentException>(() => writer.Append(new EpochOutput(0, 0, 0, default, null)));
        Assert.Contains("Recorder", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Record_OneCall_EncodingOnTheWorkers_SameBytesAsEncodingOnTheConsumer(int threads)
    {
        // ReplayWriter.Record encodes each epoch on its worker (CampaignOptions.Encoder); Fixtures.Record hands
        // whole outputs to Append, which encodes them on the consumer.
        var spec = Fixtures.Spec(machines: 40, days: 6, batchSize: 7);
        foreach (var contents in new[] { ReplayContents.Hashes, ReplayContents.Inputs, ReplayContents.Events, ReplayContents.All })
        {
            var a = ReplayWriter.Record(PathOf("one.mcar"), spec, threads, catalog: Fixtures.Catalog, contents: contents);
            var b = Fixtures.Record(PathOf("three.mcar"), spec, threads, contents: contents);
            Assert.Equal(a.Digest, b.Digest);
            Assert.True(new FileInfo(PathOf("one.mcar")).Length > (contents == ReplayContents.All ? 10_000 : 1_000));
            Assert.Equal(File.ReadAllBytes(PathOf("three.mcar")), File.ReadAllBytes(PathOf("one.mcar")));
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(30)]
    public void CoarserEpochs_FewerFramesSameResults_AndVerify(int epochDays)
    {
        var daily = Fixtures.Record(PathOf("daily.mcar"), Fixtures.Spec());
        string path = PathOf("coarse.mcar");
        var coarse = Fixtures.Record(path, Fixtures.Spec(epochDays: epochDays));
        Assert.Equal(daily.Digest, coarse.Digest);
        Assert.Equal(daily.Counts, coarse.Counts);

        using (var reader = ReplayReader.Open(path))
        {
            Assert.Equal(epochDays * CampaignOptions.DayNs, reader.Header.EpochNs);
            Assert.Equal((8 + epochDays - 1) / epochDays, reader.Header.EpochCount);
            Assert.True(reader.Index.Frames.Length <= reader.Header.EpochCount * reader.Header.BatchCount);
            Assert.Equal(daily.Counts.HandlerEvents, coarse.Counts.HandlerEvents);
            Assert.True(reader.Index.Totals.Events <= coarse.Counts.HandlerEvents, "a CorrectedRun stands for several events");
        }

        var report = ReplayVerifier.Verify(path, catalog: Fixtures.Catalog);
        Assert.Null(report.Divergence);
    }
}
