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
        Assert.Equal("810410189653d15cee50efeb43074d0a", result.Digest);
    }

    public static TheoryData<string, string, string> Small => new()
    {
        { "field", "rfc2009", "109411326ec536de0c7597c4cb454d05" },
        { "field", "rfc2009-impacted", "c6b96e11887f9608a288d685a2a282b5" },
        { "field", "xen", "362aec0bb966622749b081ce680a0f26" },
        { "storm", "rfc2009", "e9ea7d13c2c851d81d84efc4231798f1" },
        { "storm", "rfc2009-impacted", "16a3cc7a0768511f9eddbed4b519425f" },
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
