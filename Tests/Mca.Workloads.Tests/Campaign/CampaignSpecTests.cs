using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Statistics;

namespace Mca.Workloads.Tests.Campaign;

/// <summary>Spec files: keys, defaults, canonical text, and one-line FILE:LINE:COL errors.</summary>
public class CampaignSpecTests
{
    /// <summary>A parameter record shaped like the real workloads' (init properties of simple types).</summary>
    public sealed record ToyParameters
    {
        public double CeRateMedianPerDay { get; init; } = 2.0;
        public long CeWindowNs { get; init; } = 21_600_000_000_000;
        public int DimmCount { get; init; } = 8;
        public bool Correlated { get; init; } = true;

        public void Validate()
        {
            if (DimmCount < 1)
            {
                throw new ArgumentException("dimm_count must be at least 1");
            }
        }
    }

    private static WorkloadCatalog Catalog() => new WorkloadCatalog()
        .Add("none", "idle", (_, _) => (_, _, _) => NoErrors.Instance)
        .Add<ToyParameters>("toy", "a toy", () => new ToyParameters(), p => p.Validate(), (_, _, _) => (_, _, _) => NoErrors.Instance);

    private static CampaignSpec Parse(string text) => CampaignSpecYaml.Parse(text, "fleet.yaml", Catalog());

    private static CampaignSpecException Bad(string text) => Assert.Throws<CampaignSpecException>(() => Parse(text));

    [Fact]
    public void EmptyFile_IsDefaults()
    {
        var spec = CampaignSpecYaml.Parse("workload: none\n", "x.yaml", Catalog());
        Assert.Equal(10_000, spec.Machines);
        Assert.Equal(365, spec.Days);
        Assert.Equal(1UL, spec.Seed);
        Assert.Equal("rfc2009", spec.Policy);
        Assert.Equal(512, spec.BatchSize);
    }

    [Fact]
    public void Settings_AreRead()
    {
        var spec = Parse("""
            machines: 2_000
            days: 30
            seed: 0x10
            policy: xen
            workload: toy
            machine: default-no-ser
            batch_size: 64
            epoch_days: 3
            toy:
              ce_rate_median_per_day: 3.5
              dimm_count: 4
              correlated: false
            """);
        Assert.Equal(2000, spec.Machines);
        Assert.Equal(30, spec.Days);
        Assert.Equal(16UL, spec.Seed);
        Assert.Equal("xen", spec.Policy);
        Assert.Equal("default-no-ser", spec.Machine);
        Assert.False(spec.MachineSpec().Ser);
        Assert.Equal(64, spec.BatchSize);
        Assert.Equal(3, spec.EpochDays);
        Assert.Equal(3 * CampaignOptions.DayNs, spec.ToOptions(1, catalog: Catalog()).EpochNs);
        var toy = spec.ParametersOf<ToyParameters>("toy", Catalog());
        Assert.Equal(new ToyParameters { CeRateMedianPerDay = 3.5, DimmCount = 4, Correlated = false }, toy);
    }

    [Fact]
    public void CanonicalText_RoundTrips()
    {
        var spec = Parse("workload: toy\nseed: 99\ntoy:\n  ce_rate_median_per_day: 0.1\n");
        string text = CampaignSpecYaml.Write(spec, Catalog());
        Assert.Contains("toy:\n  ce_rate_median_per_day: 0.1\n  ce_window_ns: 21600000000000\n  dimm_count: 8\n  correlated: true\n", text, StringComparison.Ordinal);
        var again = CampaignSpecYaml.Parse(text, "canonical.yaml", Catalog());
        Assert.Equal(text, CampaignSpecYaml.Write(again, Catalog()));
        Assert.Equal(spec.ParametersOf<ToyParameters>("toy", Catalog()), again.ParametersOf<ToyParameters>("toy", Catalog()));
    }

    [Fact]
    public void OwnWorkloadOnly_WritesJustItsParameters_AndReadsBackTheSameSpec()
    {
        var spec = Parse("workload: toy\nseed: 99\ntoy:\n  ce_rate_median_per_day: 0.1\n");
        string text = CampaignSpecYaml.Write(spec, Catalog(), everyWorkload: false);
        Assert.Equal(CampaignSpecYaml.Write(spec, Catalog()), text);
        Assert.Contains("toy:\n  ce_rate_median_per_day: 0.1\n", text, StringComparison.Ordinal);

        var none = new CampaignSpec { Workload = "none" };
        string idle = CampaignSpecYaml.Write(none, Catalog(), everyWorkload: false);
        Assert.DoesNotContain("toy:", idle, StringComparison.Ordinal);
        Assert.EndsWith("epoch_days: 7\npage_offline:\n  # off\n  preset: default\n", idle, StringComparison.Ordinal);
        var again = CampaignSpecYaml.Parse(idle, "header.yaml", Catalog());
        Assert.Equal(CampaignSpecYaml.Write(none, Catalog()), CampaignSpecYaml.Write(again, Catalog()));
    }

    [Fact]
    public void PageOffline_PresetAndOverrides_ReadBackTheSameSpec()
    {
        var spec = Parse("workload: none\npolicy: xen\npage_offline:\n  preset: mcelog\n  threshold: 5\n  window_hours: 12\n  action: account\n  persist_across_reboot: true\n");
        Assert.Equal("mcelog", spec.PageOffline.Preset);
        var d = spec.PageOffline.Resolve(spec.Policy);
        Assert.Equal((5, 12 * Dom0DaemonPolicy.HourNs, PageAction.Account, true, "custom"), (d.PageThreshold, d.PageWindowNs, d.Action, d.PersistAcrossReboot, d.Name));
        Assert.Equal(10, d.DimmCeThreshold);
        string text = CampaignSpecYaml.Write(spec, Catalog());
        Assert.Contains("page_offline:\n  # custom: mcelog, 5 CEs per page per 12 h, account", text, StringComparison.Ordinal);
        Assert.Equal(spec.PageOffline, CampaignSpecYaml.Parse(text, "again.yaml", Catalog()).PageOffline);
        Assert.Same(Dom0DaemonPolicy.Rasdaemon, Parse("workload: none\npage_offline: rasdaemon\n").PageOffline.Resolve("xen"));
        Assert.Equal(0, spec.ResolvedPolicy().Dom0ReadPeriodNs);
    }

    [Theory]
    [InlineData("workload: none\npage_offline:\n  preset: mcelogd\n", "fleet.yaml:3:11: page_offline.preset: expected one of default, off, mcelog, rasdaemon, found 'mcelogd'")]
    [InlineData("workload: none\npage_offline:\n  action: retire\n", "fleet.yaml:3:11: page_offline.action: expected one of off, account, soft, hard, soft-then-hard, found 'retire'")]
    [InlineData("workload: none\npage_offline:\n  threshold: -1\n", "fleet.yaml:3:14: page_offline.threshold: expected a count from 0 to 1,000,000 (0: none), found -1")]
    [InlineData("workload: none\npage_offline:\n  treshold: 2\n", "fleet.yaml:3:3: page_offline.treshold: expected a page_offline setting (preset, threshold, window_hours, action, dimm_ce_threshold, dimm_uc_threshold, socket_threshold, trigger_window_hours, release_hours, persist_across_reboot), found unknown setting 'treshold'")]
    [InlineData("workload: none\npage_offline:\n  persist_across_reboot: maybe\n", "fleet.yaml:3:26: page_offline.persist_across_reboot: expected true or false, found 'maybe'")]
    public void PageOffline_BadSetting_OneLineWithPlace(string text, string message)
    {
        var e = Assert.Throws<CampaignSpecException>(() => Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void WorkloadWithoutParameters_WritesNoSection()
    {
        string text = CampaignSpecYaml.Write(new CampaignSpec { Workload = "none" }, Catalog());
        Assert.StartsWith("# mca campaign spec\nmachines: 10000\ndays: 365\nseed: 1\npolicy: rfc2009\nworkload: none\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("dimm_count: 8", text, StringComparison.Ordinal);
        Assert.Contains("dimm_count: 8", CampaignSpecYaml.Write(new CampaignSpec { Workload = "none" }, Catalog(), everyWorkload: true), StringComparison.Ordinal);
    }

    [Fact]
    public void SectionOfAWorkloadNotRun_IsAnError()
    {
        var e = Assert.Throws<CampaignSpecException>(() => Parse("workload: none\ntoy:\n  dimm_count: 4\n"));
        Assert.Equal("fleet.yaml:2:1: toy: expected no section for a workload that is not run (workload: none), found a 'toy' section", e.Message);
    }

    [Theory]
    [InlineData("machines: 0\nworkload: none\n", "fleet.yaml:1:11: machines: expected a number of machines from 1 to 10,000,000, found 0")]
    [InlineData("workload: none\ndays: -5\n", "fleet.yaml:2:7: days: expected a number of days from 1 to 36,500, found -5")]
    [InlineData("workload: none\ndays: ten\n", "fleet.yaml:2:7: days: expected a number of days, found 'ten'")]
    [InlineData("workload: none\npolicy: linux\n", "fleet.yaml:2:9: policy: expected one of rfc2009, rfc2009-impacted, xen, found 'linux'")]
    [InlineData("workload: fieldz\n", "fleet.yaml:1:11: workload: expected one of none, toy or a spec FILE.yaml, found 'fieldz'")]
    [InlineData("workload: none\nepoch_days: 0\n", "fleet.yaml:2:13: epoch_days: expected days per epoch from 1 to 36,500, found 0")]
    [InlineData("workload: none\nmachinez: 3\n", "fleet.yaml:2:1: machinez: expected one of machines, days, seed, policy, workload, machine, batch_size, epoch_days, page_offline, toy, found unknown setting 'machinez'")]
    [InlineData("workload: toy\ntoy:\n  dimm_count: 0\n", "fleet.yaml:3:3: toy: expected dimm_count must be at least 1, found other values")]
    [InlineData("workload: toy\ntoy:\n  dimm_cnt: 1\n", "fleet.yaml:3:3: toy.dimm_cnt: expected a toy parameter (ce_rate_median_per_day, ce_window_ns, dimm_count, correlated), found unknown parameter 'dimm_cnt'")]
    [InlineData("workload: toy\ntoy:\n  correlated: maybe\n", "fleet.yaml:3:15: toy.correlated: expected true or false, found 'maybe'")]
    [InlineData("workload: none\nseed: -1\n", "fleet.yaml:2:7: seed: expected a seed (a whole number from 0 to 2^64-1, decimal or 0x hex), found '-1'")]
    [InlineData("- 1\n- 2\n", "fleet.yaml:1:1: expected a mapping of settings (machines: 10000, days: 365, ...), found a list")]
    [InlineData("workload: none\nmachines: [1, 2]\n", "fleet.yaml:2:11: machines: expected a number of machines, found a list")]
    public void BadSpec_OneLineWithPlace(string text, string message)
    {
        var e = Bad(text);
        Assert.Equal(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void MalformedYaml_NamesLineAndColumn()
    {
        var e = Bad("workload: none\nmachines: 10\n  days: [1,\n");
        Assert.Equal("fleet.yaml", e.FileName);
        Assert.True(e.Line >= 2, e.Message);
        Assert.StartsWith("fleet.yaml:", e.Message, StringComparison.Ordinal);
        Assert.Contains("expected well-formed YAML", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void DuplicateKey_IsAnError()
    {
        var e = Bad("workload: none\ndays: 1\ndays: 2\n");
        Assert.StartsWith("fleet.yaml:3:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToOptions_CarriesTheSpec()
    {
        var spec = Parse("workload: none\nmachines: 7\ndays: 2\nseed: 5\npolicy: xen\nbatch_size: 3\n");
        var o = spec.ToOptions(threads: 2, catalog: Catalog());
        Assert.Equal(7, o.Machines);
        Assert.Equal(2 * CampaignOptions.DayNs, o.DurationNs);
        Assert.Equal(5UL, o.Seed);
        Assert.Equal("xen", o.Policy.Name);
        Assert.Equal(3, o.BatchSize);
        Assert.Equal(2, o.Threads);
        var r = CampaignRunner.Run(o);
        Assert.Equal(7, r.Machines);
        Assert.Equal(0, r.Counts.ErrorArrivals);
    }

    [Theory]
    [InlineData("CeRateMedianPerDay", "ce_rate_median_per_day")]
    [InlineData("UeDetectMeanNs", "ue_detect_mean_ns")]
    [InlineData("LlcUcnaPerSocketYear", "llc_ucna_per_socket_year")]
    [InlineData("CpuFatalPerCoreYear", "cpu_fatal_per_core_year")]
    [InlineData("DIMMCount", "dimm_count")]
    [InlineData("Rate2Scale", "rate2_scale")]
    public void SnakeCase(string name, string expected) => Assert.Equal(expected, CampaignSpecYaml.SnakeCase(name));
}

/// <summary>Wilson 1927 score intervals, including the zero-failure case.</summary>
public class WilsonTests
{
    [Fact]
    public void ZeroSuccesses_UpperBoundNearRuleOfThree()
    {
        var (low, high) = Wilson.Interval(0, 10_000);
        Assert.Equal(0, low);
        // Wilson's two-sided 95% upper bound at 0/n is z^2/(n+z^2) = 3.84/n; the one-sided rule of three is 3/n.
        Assert.InRange(high, 3.0 / 10_000, 3.9 / 10_000);
    }

    [Fact]
    public void KnownValue()
    {
        // 10 of 100: Wilson 95% is 0.0552..0.1744 (standard tables).
        var (low, high) = Wilson.Interval(10, 100);
        Assert.Equal(0.0552, low, 3);
        Assert.Equal(0.1744, high, 3);
    }

    [Fact]
    public void AllSuccesses_HighIsOne()
    {
        var (low, high) = Wilson.Interval(50, 50);
        Assert.Equal(1, high);
        Assert.True(low is > 0.9 and < 1);
    }

    [Fact]
    public void Bad_Arguments() => Assert.Throws<ArgumentOutOfRangeException>(() => Wilson.Interval(5, 4));
}

/// <summary>The exact sign test of <c>mca replay run</c>'s paired comparison, against exact rational arithmetic.</summary>
public class SignTestTests
{
    [Theory]
    [InlineData(0, 10, 0.001953125)] // 2 / 2^10
    [InlineData(1, 9, 0.021484375)] // 2 * 11 / 2^10
    [InlineData(17, 0, 1.52587890625e-5)] // 2 / 2^17
    [InlineData(5, 15, 0.041389465332031)] // 2 * 21,700 / 2^20
    public void KnownValues(long up, long down, double p) => Assert.Equal(p, SignTest.TwoSidedP(up, down), 12);

    [Theory]
    [InlineData(0, 0)]
    [InlineData(3, 3)]
    [InlineData(4, 5)]
    [InlineData(1000, 1001)]
    public void NoEvidence_IsOne(long up, long down) => Assert.Equal(1, SignTest.TwoSidedP(up, down));

    [Fact]
    public void MatchesExactBinomialTail_AndIsSymmetric()
    {
        for (int n = 1; n <= 120; n += 7)
        {
            for (int k = 0; 2 * k < n; k++)
            {
                var tail = System.Numerics.BigInteger.Zero;
                var c = System.Numerics.BigInteger.One;
                for (int i = 0; i <= k; i++)
                {
                    tail += c;
                    c = c * (n - i) / (i + 1);
                }

                // 2 tail / 2^n in doubles: scale the integers down together first (exact to double rounding).
                double expected = Math.Min(1, Math.Exp(System.Numerics.BigInteger.Log(tail * 2) - (n * Math.Log(2))));
                double p = SignTest.TwoSidedP(k, n - k);
                Assert.True(Math.Abs(p - expected) <= 1e-12 * expected, $"n={n} k={k}: {p} against {expected}");
                Assert.Equal(p, SignTest.TwoSidedP(n - k, k));
            }
        }
    }

    [Fact]
    public void LargeCounts_NoUnderflow_NearNormal()
    {
        // 5,000 against 5,300: z = 300 / sqrt(10,300) = 2.956, so a two-sided p of about 0.0031 (normal; the
        // exact tail is a little larger).
        double p = SignTest.TwoSidedP(5_000, 5_300);
        Assert.InRange(p, 0.0029, 0.0036);
        // Millions of pairs, all one way: far below a double's range, so 0 and not NaN.
        Assert.Equal(0, SignTest.TwoSidedP(0, 3_000_000));
        Assert.InRange(SignTest.TwoSidedP(1_499_000, 1_501_000), 0.2, 0.3);
    }

    [Fact]
    public void Bad_Arguments() => Assert.Throws<ArgumentOutOfRangeException>(() => SignTest.TwoSidedP(-1, 4));
}
