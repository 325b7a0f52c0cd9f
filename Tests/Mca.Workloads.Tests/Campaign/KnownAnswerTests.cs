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
        Assert.Equal("92a7b3a041657fac6688fb15c653ec89", result.Digest);
    }

    public static TheoryData<string, string, string> Small => new()
    {
        { "field", "rfc2009", "3ad738276a3adf6c8c46a5e4de43698c" },
        { "field", "rfc2009-impacted", "521e406c16b55d9d17b4d5970bdb0c46" },
        { "field", "xen", "5c7e59db95c33780963cd64780f6ce9d" },
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
