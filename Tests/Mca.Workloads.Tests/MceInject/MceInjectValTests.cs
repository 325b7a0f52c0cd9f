using Mca.Systems.Model;
using Mca.Workloads.MceInject;
using Mca.Workloads.Scenarios;

namespace Mca.Workloads.Tests.MceInject;

/// <summary>A record is an error in a bank only with MCi_STATUS.VAL set: every record without it is
/// refused at its STATUS (or at the record's start when it has none), for either handler.</summary>
public class MceInjectValTests
{
    [Theory]
    [InlineData("CPU 0 BANK 8\nSTATUS 0x9f\n", "s.mce:2:1: expected a STATUS with VAL (bit 63) set, found status 0x000000000000009f without VAL")]
    [InlineData("CPU 0 BANK 8\nSTATUS 0\n", "s.mce:2:1: expected a STATUS with VAL (bit 63) set, found status 0x0000000000000000 without VAL")]
    [InlineData("CPU 0 BANK 8 ADDR 0x1000\n", "s.mce:1:1: expected a STATUS with VAL (bit 63) set in this record, found no STATUS")]
    [InlineData("CPU 0 BANK 8\nSTATUS\n", "s.mce:2:1: expected a STATUS with VAL (bit 63) set, found status 0x0000000000000000 without VAL")]
    [InlineData("CPU 0 BANK 1 STATUS 0xbd80000000100134\n  CPU 1 BANK 8 STATUS UC 0x9f\n", "s.mce:2:16: expected a STATUS with VAL (bit 63) set, found status 0x200000000000009f without VAL")]
    public void ToInjections_StatusWithoutVal_IsRefusedWhereItIs(string text, string message)
    {
        var records = MceInjectParser.Parse(text, "s.mce");
        ScenarioException error = Assert.Throws<ScenarioException>(() => MceInjectScenario.ToInjections(records, MachineSpec.Default, "s.mce"));
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void ToInjections_StatusWithVal_IsAccepted()
    {
        var records = MceInjectParser.Parse("CPU 0 BANK 8 STATUS 0x8000000000000000\n", "s.mce");
        Assert.Single(MceInjectScenario.ToInjections(records, MachineSpec.Default, "s.mce"));
    }
}
