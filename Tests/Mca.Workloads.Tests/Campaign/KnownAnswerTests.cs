using Mca.Workloads.Campaign;

namespace Mca.Workloads.Tests.Campaign;

/// <summary>
/// Known answers: the digests of fixed campaigns, so that any change of results is a visible decision
/// (a changed digest fails here and must be updated on purpose, with the reason in the commit).
/// </summary>
public sealed class KnownAnswerTests
{
    [Fact]
    public void DefaultCampaign_Digest()
    {
        // The README's main job: 10,000 machines x 365 days of the field workload under rfc2009, seed 1.
        var result = CampaignRunner.Run(new CampaignSpec().ToOptions(threads: 2));
        Assert.Equal("460e6907581eed85605951cc0c065ca5", result.Digest);
    }

    public static TheoryData<string, string, string> Small => new()
    {
        { "field", "rfc2009", "7e3cedc1eb5261808671d09546af6f36" },
        { "field", "rfc2009-impacted", "cb596b0407d29fe0e4ba8e01b9bf3052" },
        { "field", "xen", "362aec0bb966622749b081ce680a0f26" },
        { "storm", "rfc2009", "aea3587f8e900b618f9c6590e589cd88" },
        { "storm", "rfc2009-impacted", "f9bc09ff51a5ededdac4a053779706f7" },
        { "storm", "xen", "c07817c8136c4359ebc55520fb6a9637" },
    };

    [Theory]
    [MemberData(nameof(Small))]
    public void SmallCampaign_DigestPerWorkloadAndPolicy(string workload, string policy, string digest)
    {
        // The field workload needs a larger fleet than storm for the three policies to part ways.
        var spec = workload == "field"
            ? new CampaignSpec { Machines = 3000, Days = 365, Seed = 11, Workload = workload, Policy = policy }
            : new CampaignSpec { Machines = 600, Days = 90, Seed = 11, Workload = workload, Policy = policy };
        Assert.Equal(digest, CampaignRunner.Run(spec.ToOptions(threads: 2)).Digest);
    }
}
