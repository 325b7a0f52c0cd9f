using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Storm;
using Mca.Workloads.Tests.Field;

namespace Mca.Workloads.Tests.Storm;

/// <summary>The storm source passes the common source tests over 90 days.</summary>
public sealed class StormConformanceTests : ErrorSourceConformance
{
    protected override long HorizonNs => 90 * DayNs;

    protected override bool EveryClassExpected => true;

    protected override ErrorSourceFactory Factory(ulong seed) => StormErrorSource.Factory(Machine, new StormParameters(), seed);
}

/// <summary>The storm workload's own rules: storms fold many CEs, the load is heavy but bounded.</summary>
public class StormErrorSourceTests
{
    private const long DayNs = CampaignOptions.DayNs;

    [Fact]
    public void Defaults_HeavyButBoundedLoad()
    {
        // Storm CEs are counted a run at a time (ICeStreamSource), as the engine takes them.
        var source = (ICeStreamSource)StormErrorSource.Factory(MachineSpec.Default, new StormParameters(), 1)(0, 128, 365 * DayNs);
        long ces = 0, uc = 0;
        for (int i = 0; i < 128; i++)
        {
            while (source.NextArrivalNs(i) != long.MaxValue)
            {
                if (source.PendingStream(i, out long otherNs))
                {
                    long n = source.StreamCount(i, otherNs);
                    Assert.Equal(0UL, source.StreamError(i, n - 1).Status & MciStatusBits.Uc);
                    ces += n;
                    source.SkipStream(i, n);
                    continue;
                }

                var e = source.Take(i);
                Assert.NotEqual(0UL, e.Status & MciStatusBits.Uc);
                uc++;
            }
        }

        // Four storms of an hour at 50 CEs a second: 720,000 CEs per machine-year on average (exponential lengths).
        Assert.InRange(ces / 128.0, 400_000, 1_100_000);
        Assert.InRange(uc / 128.0, 30, 50);
    }

    [Fact]
    public void Storm_IsOneBankHammeredOneCeAtATime()
    {
        var p = new StormParameters { UcnaPerMachineYear = 0, SraoPerMachineYear = 0, SrarPerMachineYear = 0, FatalPerMachineYear = 0, StormsPerMachineYear = 12, StormCePerSecond = 0.5 };
        var source = StormErrorSource.Factory(MachineSpec.Default, p, 2)(0, 32, 365 * DayNs);
        int runs = 0;
        for (int i = 0; i < 32; i++)
        {
            Systems.Engine.ErrorInjection? previous = null;
            while (source.NextArrivalNs(i) != long.MaxValue)
            {
                var e = source.Take(i);
                Assert.Equal(0UL, e.Status & MciStatusBits.Uc);
                Assert.Equal(1, e.Count);
                Assert.Contains(e.BankIndex, new[] { 0, 3, 8 });
                if (previous is { } prev && e.TimeNs - prev.TimeNs < 60 * MachineSpec.NsPerSecond)
                {
                    // Within a storm (CEs seconds apart; storms months apart): same bank, CPU and line.
                    Assert.Equal(prev.BankIndex, e.BankIndex);
                    Assert.Equal(prev.Cpu, e.Cpu);
                    Assert.Equal(prev.Addr, e.Addr);
                    runs++;
                }

                previous = e;
            }
        }

        Assert.True(runs > 10_000, $"storms hammer their bank ({runs})");
    }

    [Fact]
    public void Validate_NamesTheParameterInSnakeCase()
    {
        foreach (var (prop, bad) in FieldParametersTests.BadValues(typeof(StormParameters)))
        {
            var p = new StormParameters();
            prop.SetValue(p, bad);
            var e = Assert.Throws<ParameterException>(p.Validate);
            Assert.StartsWith(FieldParametersTests.SnakeCase(prop.Name) + " must be", e.Message, StringComparison.Ordinal);
            Assert.ThrowsAny<ArgumentException>(() => StormErrorSource.Factory(MachineSpec.Default, p, 1));
        }

        // Each storm in bounds, but a machine-year of them would make more CEs than the counts are meant for.
        var tooMany = new StormParameters { StormsPerMachineYear = 1e6, StormDurationMeanMinutes = 60, StormCePerSecond = 1000 };
        Assert.StartsWith("storm_ce_per_second must be at most 1e10 storm CEs per machine-year", Assert.Throws<ParameterException>(tooMany.Validate).Message, StringComparison.Ordinal);
        new StormParameters { StormsPerMachineYear = 30_000 }.Validate();
        Assert.All(CampaignSpecYaml.SettableProperties(typeof(StormParameters)), prop => Assert.Contains(prop.PropertyType, new[] { typeof(int), typeof(long), typeof(double), typeof(bool) }));
        new StormParameters().Validate();
    }

    [Fact]
    public void Campaign_RunsUnderBothPolicies()
    {
        foreach (string policy in new[] { "rfc2009", "xen" })
        {
            var r = CampaignRunner.Run(new CampaignOptions
            {
                Machine = MachineSpec.Default,
                Policy = HandlerPolicy.Parse(policy),
                Machines = 64,
                DurationNs = 30 * DayNs,
                Seed = 3,
                BatchSize = 16,
                Source = StormErrorSource.Factory(MachineSpec.Default, new StormParameters(), 3),
            });
            Assert.True(r.Counts.CmciEvents > 0 && r.Counts.MceEvents > 0, policy);
            Assert.True(r.Counts.Corrected > 100_000, $"{policy}: {r.Counts.Corrected} CEs");
        }
    }
}
