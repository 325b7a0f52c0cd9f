using System.CommandLine;
using Mca.Cli.Output;
using Mca.Systems.Model;
using Mca.Workloads.XenMceInj;

namespace Mca.Cli.Commands;

/// <summary><c>mca xen-mceinj</c>: xen-mceinj against the default machine (Xen tools/misc/xen-mceinj.c, tools/tests/mce-test).</summary>
internal static class XenMceInjCommand
{
    public static Command Create()
    {
        var type = new Option<int>("--type", "-t")
        {
            Description = "Error table index. Current table: 0 MCE_SRAO_MEM (bank 7, LLC writeback), 1 MCE_SRAO_LLC (bank 8, memory scrub), "
                + "2 CMCI_UCNA_LLC, 3 AMD L1 icache parity (CE), 4 MCE_SRAO_MEM fatal; 2010 table: 0 bank 8 memory scrub, 1 bank 7 LLC writeback, 2 CMCI_UCNA_LLC",
        };
        var table = new Option<string>("--table")
        {
            Description = "Error table: current (tools/misc/xen-mceinj.c, default) or 2010 (the original, whose mapping the mce-test scripts check)",
            DefaultValueFactory = _ => "current",
        };
        table.AcceptOnlyFromAmong("current", "2010");
        var cpu = new Option<int>("--cpu", "-c") { Description = "Target pCPU" };
        var domain = new Option<int>("--domain", "-d") { Description = "Target domain (the address is then guest-physical); default DOMID_XEN", DefaultValueFactory = _ => XenMceInjOptions.DomIdXen };
        var page = new Option<string>("--page", "-p") { Description = "Address to report (hex)", DefaultValueFactory = _ => "0x180020" };
        var lmce = new Option<bool>("--lmce", "-l") { Description = "Inject as a local MCE" };
        var policy = Common.Policy();
        var json = Common.Json();
        var command = new Command("xen-mceinj", "Inject an error as Xen's xen-mceinj tool does and show how the handler deals with it")
        {
            type, table, cpu, domain, page, lmce, policy, json,
        };
        command.SetAction(parse =>
        {
            var options = new XenMceInjOptions
            {
                Type = parse.GetValue(type),
                Cpu = parse.GetValue(cpu),
                Domain = parse.GetValue(domain),
                Page = HexParser.Parse(parse.GetValue(page)!, "--page"),
                Lmce = parse.GetValue(lmce),
                Table = parse.GetValue(table) == "2010" ? XenMceInjTable.Original2010 : XenMceInjTable.Current,
            };
            var chosen = Common.ParsePolicy(parse.GetValue(policy)!);
            Systems.Scenario.ScenarioReport report;
            try
            {
                report = XenMceInjRunner.Run(MachineSpec.Default, chosen, options);
            }
            catch (XenMceInjException e)
            {
                throw new UsageException("xen-mceinj: " + e.Message);
            }

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
