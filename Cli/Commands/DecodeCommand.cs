using System.CommandLine;
using Mca.Cli.Output;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Cli.Commands;

/// <summary><c>mca decode</c>: an mcelog-style decode of one record (mcelog mcelog.c dump_mce, p4.c).</summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var status = new Argument<string>("STATUS") { Description = "MCi_STATUS (hex)" };
        var mcg = new Option<string?>("--mcg") { Description = "MCG_STATUS (hex)" };
        var addr = new Option<string?>("--addr") { Description = "MCi_ADDR (hex)" };
        var misc = new Option<string?>("--misc") { Description = "MCi_MISC (hex)" };
        var bank = new Option<int>("--bank") { Description = "Bank number to print (0..255)" };
        bank.Validators.Add(result =>
        {
            // Linux struct mce and Xen's mc_info carry the bank as a u8 (mce.h, arch-x86/xen-mca.h).
            if (result.Tokens.Count > 0 && int.TryParse(result.Tokens[0].Value, System.Globalization.CultureInfo.InvariantCulture, out int b) && b is < 0 or > 255)
            {
                result.AddError($"--bank: expected a bank number 0..255 (struct mce's bank is a u8), found {result.Tokens[0].Value}");
            }
        });
        var modern = new Option<bool>("--modern-levels") { Description = "Print cache levels as mcelog has since 2021 (LL+1); the default is the classic wording Xen's mce-test checks" };
        // The two options move independent axes: --modern-levels alone is mcelog HEAD, --classic-status
        // alone the pre-2021 mcelog Xen's mce-test ran, both together mcelog from 2021 to April 2025.
        var classicStatus = new Option<bool>("--classic-status") { Description = "Print SRAO/SRAR under 'Processor context corrupt' too, as mcelog did before April 2025; the default is current mcelog, which prints one or the other" };
        var json = Common.Json();
        var command = new Command("decode", "Decode a machine-check record as mcelog does") { status, mcg, addr, misc, bank, modern, classicStatus, json };
        command.SetAction(parse =>
        {
            ulong s = HexParser.Parse(parse.GetValue(status)!, "STATUS");
            ulong g = Optional(parse.GetValue(mcg), "--mcg");
            ulong a = Optional(parse.GetValue(addr), "--addr");
            ulong m = Optional(parse.GetValue(misc), "--misc");
            int b = parse.GetValue(bank);
            var spec = MachineSpec.Default;
            var input = new McelogInput(0, b, s, g, a, m, spec.McgCap, 0, 0, 0, 0, 0, 0);
            var style = parse.GetValue(modern) ? McelogLevelStyle.Modern : McelogLevelStyle.Classic;
            var statusStyle = parse.GetValue(classicStatus) ? McelogStatusStyle.Classic : McelogStatusStyle.Current;
            string text = Mcelog.Format(in input, McelogOptions.For(style, statusStyle));
            string[] lines = text.TrimEnd('\n').Split('\n');
            var o = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                var document = new DecodeJson(Hex.Of(s), Mcelog.DecodeMcacod(MciStatusBits.Mcacod(s), style), IntelMca.CheckMceType(s, ser: true).ToString().ToUpperInvariant(), lines);
                o.Write(JsonOut.Build(document, JsonOut.Contracts.DecodeJson));
            }
            else
            {
                foreach (string line in lines)
                {
                    o.WriteLine(line);
                }
            }

            return Program.ExitOk;
        });
        return command;
    }

    private static ulong Optional(string? text, string what) => text is null ? 0 : HexParser.Parse(text, what);
}
