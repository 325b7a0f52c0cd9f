using System.Reflection;
using System.Text;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Field;

namespace Mca.Workloads.Tests.Field;

/// <summary>The parameter record: plain settable numbers with valid defaults and snake_case errors.</summary>
public class FieldParametersTests
{
    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                sb.Append('_');
            }

            sb.Append(char.ToLowerInvariant(name[i]));
        }

        return sb.ToString();
    }

    /// <summary>Each property set to a value no parameter accepts: NaN or -1 (booleans have no bad value).</summary>
    internal static IEnumerable<(PropertyInfo Property, object Bad)> BadValues(Type type)
    {
        foreach (var prop in CampaignSpecYaml.SettableProperties(type))
        {
            if (prop.PropertyType == typeof(double))
            {
                yield return (prop, double.NaN);
                yield return (prop, -1.0);
            }
            else if (prop.PropertyType == typeof(int))
            {
                yield return (prop, -1);
            }
            else if (prop.PropertyType == typeof(long))
            {
                yield return (prop, -1L);
            }
        }
    }

    [Fact]
    public void Defaults_AreValid()
    {
        new FieldParameters().Validate();
        _ = FieldErrorSource.Factory(MachineSpec.Default, new FieldParameters(), 1);
    }

    [Fact]
    public void Properties_ArePlainSettableNumbers()
    {
        var props = CampaignSpecYaml.SettableProperties(typeof(FieldParameters)).ToList();
        Assert.True(props.Count >= 20);
        Assert.All(props, p => Assert.Contains(p.PropertyType, new[] { typeof(int), typeof(long), typeof(double), typeof(bool) }));
        Assert.NotNull(typeof(FieldParameters).GetConstructor(Type.EmptyTypes));
    }

    [Fact]
    public void EveryProperty_BadValue_ErrorNamesItInSnakeCase()
    {
        foreach (var (prop, bad) in BadValues(typeof(FieldParameters)))
        {
            var p = new FieldParameters();
            prop.SetValue(p, bad);
            var e = Assert.Throws<ParameterException>(p.Validate);
            Assert.StartsWith(SnakeCase(prop.Name) + " must be", e.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(nameof(FieldParameters.FaultRateScale), 0.0, "fault_rate_scale must be > 0")]
    [InlineData(nameof(FieldParameters.FaultRateScale), 1e12, "fault_rate_scale must be > 0 and <= 10000 (at 1e4 every DIMM takes about 100 faults a year; more only adds run time) (found 1000000000000)")]
    [InlineData(nameof(FieldParameters.CeRateMeanToMedian), 1.0, "ce_rate_mean_to_median must be > 1")]
    [InlineData(nameof(FieldParameters.CeRateMaxPerDay), 5.0, "ce_rate_max_per_day must be > ce_rate_median_per_day")]
    [InlineData(nameof(FieldParameters.MultiBitUeProbability), 1.5, "multi_bit_ue_probability must be from 0 to 1")]
    [InlineData(nameof(FieldParameters.CpuRecurrenceProbability), 1.0, "cpu_recurrence_probability must be >= 0 and < 1")]
    [InlineData(nameof(FieldParameters.DimmCount), 0, "dimm_count must be from 1 to 64")]
    [InlineData(nameof(FieldParameters.MaxFaultsPerMachine), 0, "max_faults_per_machine must be from 1 to 1024")]
    public void Validate_OutOfRange_Throws(string property, object value, string expected)
    {
        var p = new FieldParameters();
        var prop = typeof(FieldParameters).GetProperty(property)!;
        prop.SetValue(p, Convert.ChangeType(value, prop.PropertyType, System.Globalization.CultureInfo.InvariantCulture));
        var e = Assert.Throws<ParameterException>(p.Validate);
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
        Assert.ThrowsAny<ArgumentException>(() => FieldErrorSource.Factory(MachineSpec.Default, p, 1));
    }

    [Fact]
    public void Factory_DimmCountNotFittingMachine_NamesDimmCount()
    {
        // Valid on its own, but 3 DIMMs cannot be spread over 2 sockets.
        var e = Assert.ThrowsAny<ArgumentException>(() => FieldErrorSource.Factory(MachineSpec.Default, new FieldParameters { DimmCount = 3 }, 1));
        Assert.StartsWith("dimm_count must", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SpecYaml_SetsParametersBySnakeCaseKey()
    {
        var catalog = new WorkloadCatalog().Add<FieldParameters>("field", "field errors", () => new FieldParameters(), p => p.Validate(), FieldErrorSource.Factory);
        var spec = CampaignSpecYaml.Parse("workload: field\nfield:\n  fault_rate_scale: 4\n  dimm_count: 8\n  replace_dimm_after_ue: false\n", "f.yaml", catalog);
        var p = spec.ParametersOf<FieldParameters>("field", catalog);
        Assert.Equal(new FieldParameters { FaultRateScale = 4, DimmCount = 8, ReplaceDimmAfterUe = false }, p);
        var bad = Assert.Throws<CampaignSpecException>(() => CampaignSpecYaml.Parse("workload: field\nfield:\n  fault_rate_scale: 0\n", "f.yaml", catalog));
        Assert.StartsWith("f.yaml:3:21: field.fault_rate_scale: expected > 0 and <= 10000 (", bad.Message, StringComparison.Ordinal);
        Assert.EndsWith(", found 0", bad.Message, StringComparison.Ordinal);
    }
}
