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
        Assert.Equal("cbdca924a3ee1ec47ef6bee262e335cb", result.Digest);
    }

    public static TheoryData<string, string, string> Small => new()
    {
        { "field", "rfc2009", "128e04594056c5199f6ee2d1d83762e2" },
        { "field", "rfc2009-impacted", "38dd6801185f61ca558997793c48f894" },
        { "field", "xen", "7b9ccfa4aed6c4acea84f39f7b01dc86" },
        { "storm", "rfc2009", "a87830012464afb7ccec88052032ea8f" },
        { "storm", "rfc2009-impacted", "e988e9a395da4cf8b5e810d9611f066a" },
        { "storm", "xen", "5dcd105bbd8f776c1378e87a1f713a01" },
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
