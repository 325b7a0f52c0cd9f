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
        Assert.Equal("9a0926a860896687e683ce7d583b41fb", result.Digest);
    }

    public static TheoryData<string, string, string> Small => new()
    {
        { "field", "rfc2009", "f5da90d9b6048079a1c16ef5f667fb1b" },
        { "field", "rfc2009-impacted", "ca6b80ad2aac3297831c7893b13e4a39" },
        { "field", "xen", "7b9ccfa4aed6c4acea84f39f7b01dc86" },
        { "storm", "rfc2009", "7d24f0b5b048f51e1268782f756967f6" },
        { "storm", "rfc2009-impacted", "5db6c6a20c614acb03725667567919a9" },
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
