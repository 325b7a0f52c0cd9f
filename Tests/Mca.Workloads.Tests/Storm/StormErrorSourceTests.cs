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
        var source = StormErrorSource.Factory(MachineSpec.Default, new StormParameters(), 1)(0, 256, 365 * DayNs);
        long arrivals = 0, ces = 0, uc = 0;
        for (int i = 0; i < 256; i++)
        {
            while (source.NextArrivalNs(i) != long.MaxValue)
            {
                var e = source.Take(i);
                arrivals++;
                if ((e.Status & MciStatusBits.Uc) == 0)
                {
                    ces += e.Count;
                }
                else
                {
                    uc++;
                }
            }
        }

        double perMachineYear = arrivals / 256.0;
        Assert.InRange(perMachineYear, 100, 300);
        Assert.InRange(uc / 256.0, 30, 50);
        Assert.True(ces > 1000 * (arrivals - uc), $"storms fold thousands of CEs per arrival ({ces} in {arrivals - uc})");
    }

    [Fact]
    public void Storm_IsOneBankHammeredAtWindowSpacing()
    {
        var p = new StormParameters { UcnaPerMachineYear = 0, SraoPerMachineYear = 0, SrarPerMachineYear = 0, FatalPerMachineYear = 0, StormsPerMachineYear = 12 };
        long window = (long)(p.StormWindowSeconds * MachineSpec.NsPerSecond);
        var source = StormErrorSource.Factory(MachineSpec.Default, p, 2)(0, 64, 365 * DayNs);
        int runs = 0;
        for (int i = 0; i < 64; i++)
        {
            Systems.Engine.ErrorInjection? previous = null;
            while (source.NextArrivalNs(i) != long.MaxValue)
            {
                var e = source.Take(i);
                Assert.Equal(0UL, e.Status & MciStatusBits.Uc);
                Assert.Contains(e.BankIndex, new[] { 0, 3, 8 });
                if (previous is { } prev && e.TimeNs - prev.TimeNs == window)
                {
                    // Within a storm: same bank, CPU and line.
                    Assert.Equal(prev.BankIndex, e.BankIndex);
                    Assert.Equal(prev.Cpu, e.Cpu);
                    Assert.Equal(prev.Addr, e.Addr);
                    runs++;
                }

                previous = e;
            }
        }

        Assert.True(runs > 1000, $"storms run for many windows ({runs})");
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

        var tooFine = new StormParameters { StormWindowSeconds = 0.001, StormDurationMeanMinutes = 525_600 };
        Assert.StartsWith("storm_window_seconds must be", Assert.Throws<ParameterException>(tooFine.Validate).Message, StringComparison.Ordinal);
        // Each storm in bounds, but a machine-year of them would run for minutes per machine-day.
        var tooMany = new StormParameters { StormsPerMachineYear = 1e6, StormDurationMeanMinutes = 60, StormWindowSeconds = 1 };
        Assert.StartsWith("storms_per_machine_year must be at most 1e6 storm windows per machine-year", Assert.Throws<ParameterException>(tooMany.Validate).Message, StringComparison.Ordinal);
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
