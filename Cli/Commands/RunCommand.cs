using System.CommandLine;
using Mca.Cli.Input;
using Mca.Cli.Output;
using Mca.Systems.Linux;
using Mca.Systems.Model;
using Mca.Systems.Scenario;
using Mca.Workloads.MceInject;
using Mca.Workloads.Scenarios;

namespace Mca.Cli.Commands;

/// <summary><c>mca run</c>: an mce-inject scenario on the default machine, under Xen or bare-metal Linux.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "Scenario in the mce-inject input language (host-physical addresses)" };
        var policy = Common.Policy();
        var handler = new Option<string>("--handler") { Description = "xen (the hypervisor's handler, default) or linux (the bare-metal Linux handler)", DefaultValueFactory = _ => "xen" };
        handler.AcceptOnlyFromAmong("xen", "linux");
        var noSer = new Option<bool>("--no-ser") { Description = "Run on a machine without MCG_SER_P" };
        var json = Common.Json();
        var command = new Command("run", "Run an mce-inject scenario file") { file, policy, handler, noSer, json };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            var spec = parse.GetValue(noSer) ? MachineSpec.DefaultNoSer : MachineSpec.Default;
            var chosen = Common.ParsePolicy(parse.GetValue(policy)!);
            IReadOnlyList<MceRecord> records;
            IReadOnlyList<Systems.Engine.ErrorInjection> injections;
            try
            {
                records = MceInjectParser.Parse(InputFile.ReadText(path, "scenario", InputFile.ScenarioLimitBytes), path);
                injections = MceInjectScenario.ToInjections(records, spec, path);
            }
            catch (ScenarioException e)
            {
                throw new UsageException(e.Message);
            }

            ScenarioReport report = parse.GetValue(handler) == "linux"
                ? LinuxScenario.Run(records, spec)
                : ScenarioRunner.Run(spec, chosen, injections);
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(ScenarioPrinter.ToJson(report), JsonOut.Contracts.ScenarioJson));
            }
            else
            {
                ScenarioPrinter.WriteText(o, report);
            }

            return Program.ExitOk;
        });
        return command;
    }
}
