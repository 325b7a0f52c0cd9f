using Mca.Systems.Linux;
using Mca.Systems.Model;
using Mca.Systems.Scenario;

namespace Mca.Workloads.Scenarios;

/// <summary>
/// Runs an mce-inject scenario on the bare-metal Linux handler (<c>mca run --handler linux</c>) on a
/// machine of the given shape, with fake_panic semantics: panics are reported and the run goes on.
/// </summary>
public static class LinuxScenario
{
    public static ScenarioReport Run(IReadOnlyList<MceRecord> records, MachineSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var options = new LinuxMachineOptions { CpuCount = spec.CpuCount, BankCount = spec.BankCount, Ser = spec.Ser };
        var result = LinuxHandler.Run(records, options);
        var mcelog = new List<string>();
        foreach (var m in result.Logged)
        {
            var input = new McelogInput(m.Cpu, m.Bank, m.Status, m.McgStatus, m.Addr, m.Misc, spec.McgCap, m.ApicId, m.SocketId, m.Tsc, m.Time, m.Ip, m.Cs);
            mcelog.AddRange(Mcelog.Format(in input).TrimEnd('\n').Split('\n'));
        }

        return new ScenarioReport(result.Console, mcelog, [], [], Reset: false, result.Panic, [])
        {
            ConsoleTitle = "kernel console (fake_panic)",
            McelogTitle = "mcelog",
        };
    }
}
