using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Field;
using Mca.Workloads.Storm;
using Mca.Workloads.Tests.Field;

namespace Mca.Workloads.Tests.Campaign;

/// <summary>
/// The literal mode is the oracle of the closed-form CE runs (docs/design.md, "Corrected errors at their own
/// instants"): stepping every CE and every poll round gives the same counts and the same digest (which hashes
/// every event, runs included) as taking a stream's CEs a run at a time, on every workload and policy.
/// </summary>
public class CorrectedRunOracleTests
{
    public static TheoryData<string, ulong> PoliciesAndSeeds() => new()
    {
        { "rfc2009", 3 },
        { "rfc2009", 17 },
        { "rfc2009", 101 },
        { "xen", 3 },
        { "xen", 17 },
        { "xen", 101 },
    };

    /// <summary>Heavy permanent faults: CE rates up to 10^6 a day, many faults per machine, UEs among them.</summary>
    private static FieldParameters HeavyField => FieldStressedConformanceTests.Stressed with
    {
        CeRateMedianPerDay = 2_000,
        CeRateMaxPerDay = 1_000_000,
    };

    /// <summary>A CE storm of 10^6 CEs a day per machine (one storm lasting the whole run), with the storm workload's UEs.</summary>
    internal static StormParameters CeStorm => new()
    {
        StormsPerMachineYear = 3_650,
        StormDurationMeanMinutes = 525_600,
        StormCePerSecond = 1e6 / 86_400,
        UcnaPerMachineYear = 200,
        SraoPerMachineYear = 100,
        SrarPerMachineYear = 100,
        FatalPerMachineYear = 20,
    };

    [Theory]
    [MemberData(nameof(PoliciesAndSeeds))]
    public void Field_LiteralEqualsClosedForm(string policy, ulong seed) =>
        AssertSame(Options(policy, seed, machines: 12, days: 20, FieldErrorSource.Factory(MachineSpec.Default, HeavyField, seed)));

    [Theory]
    [MemberData(nameof(PoliciesAndSeeds))]
    public void Storm_LiteralEqualsClosedForm(string policy, ulong seed) =>
        AssertSame(Options(policy, seed, machines: 8, days: 60, StormErrorSource.Factory(MachineSpec.Default, new StormParameters { StormsPerMachineYear = 60 }, seed)));

    [Theory]
    [MemberData(nameof(PoliciesAndSeeds))]
    public void CeStorm_LiteralEqualsClosedForm(string policy, ulong seed) =>
        AssertSame(Options(policy, seed, machines: 2, days: 1, StormErrorSource.Factory(MachineSpec.Default, CeStorm, seed)));

    public static TheoryData<string, string, ulong> DaemonCases() => new()
    {
        { "xen", "mcelog", 3 },
        { "xen", "mcelog", 17 },
        { "xen", "rasdaemon", 3 },
        { "xen", "persist", 17 },
        { "xen", "account", 101 },
        // Under rfc2009 a daemon refuses runs (it reads the poller's finds too): both modes step every CE.
        { "rfc2009", "mcelog", 3 },
    };

    /// <summary>dom0's daemon reads every record and offlines pages, which stops demand CEs: runs give what stepping gives.</summary>
    [Theory]
    [MemberData(nameof(DaemonCases))]
    public void FieldWithDaemon_LiteralEqualsClosedForm(string policy, string daemon, ulong seed)
    {
        var d = daemon switch
        {
            "persist" => Dom0DaemonPolicy.Mcelog with { PersistAcrossReboot = true, PendingReleaseMeanNs = Dom0DaemonPolicy.HourNs },
            "account" => Dom0DaemonPolicy.Mcelog with { Action = PageAction.Account },
            _ => Dom0DaemonPolicy.Find(daemon)!,
        };
        var o = Options(policy, seed, machines: 12, days: 20, FieldErrorSource.Factory(MachineSpec.Default, HeavyField, seed));
        o = o with { Policy = o.Policy.WithDom0Daemon(d) };
        var (fast, _) = AssertSame(o);
        if (d.Offlines)
        {
            Assert.True(fast.Counts.DaemonOfflined + fast.Counts.DaemonPending > 0, "the daemon offlines pages in this fleet");
        }
        else
        {
            Assert.True(fast.Counts.DaemonAccounted > 0, "the daemon accounts crossings in this fleet");
        }
    }

    [Fact]
    public void Daemon_StopsDemandCesOnTheSameStreams()
    {
        // Same seed, same draws: offlining only removes demand CEs (scrub CEs and every other error stay).
        var o = Options("xen", 17, machines: 120, days: 365, FieldErrorSource.Factory(MachineSpec.Default, new FieldParameters(), 17)) with { BatchSize = 64 };
        var off = CampaignRunner.Run(o);
        var on = CampaignRunner.Run(o with { Policy = o.Policy.WithDom0Daemon(Dom0DaemonPolicy.Mcelog) });
        Assert.True(on.Counts.Corrected < off.Counts.Corrected / 2, $"{on.Counts.Corrected} CEs with mcelog against {off.Counts.Corrected} without");
        Assert.Equal(off.Counts.Fatal, on.Counts.Fatal);
        Assert.Equal(off.Counts.Ucna, on.Counts.Ucna);
        Assert.Equal(off.Counts.Srao + off.Counts.Srar, on.Counts.Srao + on.Counts.Srar);
        Assert.True(on.Counts.SocketTriggers > 0 && on.Counts.DimmTriggers > 0);
    }

    [Fact]
    public void CeStorm_IsPhysical()
    {
        // 10^6 CEs a day, each its own arrival; a CMCI at every second one the poller has not taken (current Xen:
        // the poller does not read CMCI banks, so about half a million CMCIs and as many dom0 records a day).
        var r = CampaignRunner.Run(Options("xen", 5, machines: 2, days: 1, StormErrorSource.Factory(MachineSpec.Default, CeStorm with { UcnaPerMachineYear = 0, SraoPerMachineYear = 0, SrarPerMachineYear = 0, FatalPerMachineYear = 0 }, 5)));
        Assert.InRange(r.Counts.Corrected, 1_000_000, 2_000_000);
        Assert.InRange(r.Counts.CmciEvents, (r.Counts.Corrected / 2) - 10, r.Counts.Corrected / 2);
        Assert.InRange(r.Counts.LogsDelivered, r.Counts.CmciEvents - 4, r.Counts.CmciEvents + 4);
    }

    private static (CampaignResult Fast, CampaignResult Literal) AssertSame(CampaignOptions o)
    {
        var fast = CampaignRunner.Run(o);
        var literal = CampaignRunner.Run(o with { LiteralPolling = true });
        Assert.True(fast.Counts.Corrected > 1000, $"the fleet has CE runs to fold ({fast.Counts.Corrected} CEs)");
        Assert.Equal(literal.Counts, fast.Counts);
        Assert.Equal(literal.Digest, fast.Digest);
        return (fast, literal);
    }

    private static CampaignOptions Options(string policy, ulong seed, int machines, int days, ErrorSourceFactory source) => new()
    {
        Machine = MachineSpec.Default,
        Policy = HandlerPolicy.Parse(policy),
        Machines = machines,
        DurationNs = days * CampaignOptions.DayNs,
        Seed = seed,
        BatchSize = 4,
        EpochNs = 3 * CampaignOptions.DayNs,
        Source = source,
    };
}
