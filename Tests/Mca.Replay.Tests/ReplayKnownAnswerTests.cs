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
    public static TheoryData<string, string, ReplayContents, string> Recordings => new()
    {
        { "field", "rfc2009", ReplayContents.Hashes, "10373a5285f7e661bcb9e6b4f0aa4694" },
        { "storm", "xen", ReplayContents.Hashes, "0e805fc1d956e61bed7a91f423852b3d" },
        { "field", "rfc2009", ReplayContents.All, "635cdc25ef3314e725a3ffe9735476ff" },
        { "storm", "xen", ReplayContents.Inputs, "74b9615741afbe2e6e313731e31595a1" },
    };

    [Theory]
    [MemberData(nameof(Recordings))]
    public void SmallRecording_BytesHash(string workload, string policy, ReplayContents contents, string hash)
    {
        var spec = new CampaignSpec { Machines = 1500, Days = 120, Seed = 5, Workload = workload, Policy = policy };
        foreach (int threads in new[] { 1, 2 })
        {
            string path = PathOf($"{workload}-{threads}.mcar");
            ReplayWriter.Record(path, spec, threads, contents: contents);
            Assert.Equal(hash, Convert.ToHexStringLower(XxHash128.Hash(File.ReadAllBytes(path))));
        }
    }

    [Fact]
    public void DefaultRecording_BytesHash()
    {
        // `mca campaign --record`: the default campaign recorded, through the command line.
        string path = PathOf("default.mcar");
        Assert.Equal(0, Mca.Cli.Program.Run(["campaign", "--quiet", "--threads", "2", "--record", path], TextWriter.Null, TextWriter.Null));
        Assert.Equal("6c2db23d76cc647a4252a8a1c6a4416e", Convert.ToHexStringLower(XxHash128.Hash(File.ReadAllBytes(path))));
    }
}
