using System.CommandLine;
using Mca.Cli.Output;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;

namespace Mca.Cli.Commands;

/// <summary><c>mca grade</c>: the Linux severity of a record (Linux severity.c).</summary>
internal static class GradeCommand
{
    public static Command Create()
    {
        var status = new Option<string>("--status") { Description = "MCi_STATUS (hex)", Required = true };
        var mcg = new Option<string?>("--mcg") { Description = "MCG_STATUS (hex); default 0x5 (MCIP|RIPV) in the #MC handler, 0 with --poll" };
        var ser = new Option<bool>("--ser") { Description = "MCG_CAP.SER_P is set (the default)" };
        var noSer = new Option<bool>("--no-ser") { Description = "MCG_CAP.SER_P is clear" };
        var context = new Option<string>("--context") { Description = "Interrupted context: user, kernel or kernel-recov", DefaultValueFactory = _ => "user" };
        context.AcceptOnlyFromAmong("user", "kernel", "kernel-recov");
        var poll = new Option<bool>("--poll") { Description = "Grade as machine_check_poll does (not inside the #MC handler)" };
        var json = Common.Json();
        var command = new Command("grade", "Grade a record with Linux's Intel severity table") { status, mcg, ser, noSer, context, poll, json };
        command.SetAction(parse =>
        {
            if (parse.GetValue(ser) && parse.GetValue(noSer))
            {
                throw new UsageException("--ser and --no-ser: expected at most one of them");
            }

            bool isPoll = parse.GetValue(poll);
            ulong s = HexParser.Parse(parse.GetValue(status)!, "--status");
            string? mcgText = parse.GetValue(mcg);
            ulong g = mcgText is null ? (isPoll ? 0 : McgStatusBits.Mcip | McgStatusBits.Ripv) : HexParser.Parse(mcgText, "--mcg");
            var ctx = parse.GetValue(context) switch
            {
                "kernel" => LinuxContext.Kernel,
                "kernel-recov" => LinuxContext.KernelRecov,
                _ => LinuxContext.User,
            };
            var grade = LinuxSeverityTable.Grade(s, g, ser: !parse.GetValue(noSer), ctx, isException: !isPoll);
            string name = grade.Severity.ToKernelName();
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                o.Write(JsonOut.Build(new GradeJson(name, grade.Message), JsonOut.Contracts.GradeJson));
            }
            else
            {
                o.WriteLine($"{name}: {grade.Message}");
            }

            return Program.ExitOk;
        });
        return command;
    }
}
