using Mca.Workloads.Campaign;

namespace Mca.Workloads.Tests.Statistics;

/// <summary>The per-machine sums behind the intervals add up to the fleet totals the table prints.</summary>
public sealed class CampaignOutcomeSumsTests
{
    [Theory]
    [InlineData("storm", "rfc2009")]
    [InlineData("storm", "xen")]
    [InlineData("field", "rfc2009")]
    public void Outcomes_SmallCampaign_TotalsEqualFleetCounts(string workload, string policy)
    {
        var r = CampaignRunner.Run(new CampaignSpec { Machines = 200, Days = 60, Seed = 7, Workload = workload, Policy = policy }.ToOptions(threads: 2));
        var c = r.Counts;
        (CampaignOutcome Outcome, long Total)[] expected =
        [
            (CampaignOutcome.Corrected, c.Corrected), (CampaignOutcome.Ucna, c.Ucna), (CampaignOutcome.Srao, c.Srao),
            (CampaignOutcome.Srar, c.Srar), (CampaignOutcome.Fatal, c.Fatal), (CampaignOutcome.MceEvents, c.MceEvents),
            (CampaignOutcome.CmciEvents, c.CmciEvents), (CampaignOutcome.PollFinds, c.PollFinds), (CampaignOutcome.Resets, c.Resets),
            (CampaignOutcome.VmceInjected, c.VmceInjected), (CampaignOutcome.GuestRecovered, c.GuestRecovered),
            (CampaignOutcome.GuestProcessKilled, c.GuestProcessKilled), (CampaignOutcome.GuestPanic, c.GuestPanic),
            (CampaignOutcome.DomainsCrashed, c.DomainsCrashed), (CampaignOutcome.PagesOfflined, c.PagesOfflined),
            (CampaignOutcome.LogsDelivered, c.LogsDelivered), (CampaignOutcome.LogsLost, c.LogsLost),
            (CampaignOutcome.DowntimeNs, c.DowntimeNs), (CampaignOutcome.HandlerEvents, c.HandlerEvents),
        ];
        foreach (var (outcome, total) in expected)
        {
            Assert.Equal((outcome, total), (outcome, r.Sums(outcome).Total));
            Assert.Equal(200, r.Sums(outcome).Machines);
        }

        Assert.Equal(r.MachinesReset, r.Sums(CampaignOutcome.Resets).MachinesWithAny);
        Assert.Equal(r.MachinesWithUncorrected, r.Sums(CampaignOutcome.UncorrectedArrivals).MachinesWithAny);
        Assert.Equal(r.MachinesWithVmce, r.Sums(CampaignOutcome.VmceInjected).MachinesWithAny);
        Assert.Equal(Enum.GetValues<CampaignOutcome>().Length, r.Outcomes.Length);
    }

    [Fact]
    public void Outcomes_OneThreadAndTwo_AreEqual()
    {
        var spec = new CampaignSpec { Machines = 300, Days = 30, Seed = 3, Workload = "storm", Policy = "rfc2009" };
        var one = CampaignRunner.Run(spec.ToOptions(threads: 1));
        var two = CampaignRunner.Run(spec.ToOptions(threads: 2));
        Assert.Equal(one.Outcomes, two.Outcomes);
    }
}
