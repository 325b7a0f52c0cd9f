using System.IO.Hashing;
using Mca.Tests.Shared.Replay;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Tests;

/// <summary>
/// Known answers for replay bytes: a small recorded campaign of each built-in workload hashes to a pinned
/// XxHash128, the same for one thread as for two, so a change of the format or of any recorded result is a
/// visible decision (update the hash on purpose, with the reason in the commit).
/// </summary>
public sealed class ReplayKnownAnswerTests : TempDirectoryTest
{
    public static TheoryData<string, string, string> Recordings => new()
    {
        { "field", "rfc2009", "1f7de0f08202022a4115203d2c853f75" },
        { "storm", "xen", "ccf20bd2ad48df3b77e358744813ce77" },
    };

    [Theory]
    [MemberData(nameof(Recordings))]
    public void SmallRecording_BytesHash(string workload, string policy, string hash)
    {
        var spec = new CampaignSpec { Machines = 1500, Days = 120, Seed = 5, Workload = workload, Policy = policy };
        foreach (int threads in new[] { 1, 2 })
        {
            string path = PathOf($"{workload}-{threads}.mcar");
            ReplayWriter.Record(path, spec, threads);
            Assert.Equal(hash, Convert.ToHexStringLower(XxHash128.Hash(File.ReadAllBytes(path))));
        }
    }

    [Fact]
    public void DefaultRecording_BytesHash()
    {
        // `mca campaign --record`: the default campaign recorded, through the command line.
        string path = PathOf("default.mcar");
        Assert.Equal(0, Mca.Cli.Program.Run(["campaign", "--quiet", "--threads", "2", "--record", path], TextWriter.Null, TextWriter.Null));
        Assert.Equal("fa7895e166e048672bcee3d1fc21747c", Convert.ToHexStringLower(XxHash128.Hash(File.ReadAllBytes(path))));
    }
}
