using System.Globalization;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>
/// A tiny stand-in for the mce-inject parser (andikleen/mce-inject mce.y), just enough for the mce-test
/// soft-inj data and refer files re-typed in <see cref="SoftInjCases"/>: CPU/BANK, STATUS and
/// MCGSTATUS lists, ADDR, MISC, RIP [cs:]ip and the injection flags. Replace it with the real
/// Workloads parser once that is wired in.
/// </summary>
internal static class SoftInjText
{
    public static List<MceRecord> Parse(string text)
    {
        var records = new List<MceRecord>();
        MceRecord? current = null;
        string[] tokens = Tokenize(text);
        int i = 0;
        while (i < tokens.Length)
        {
            string keyword = tokens[i++].ToUpperInvariant();
            if (keyword == "CPU")
            {
                if (current is { } done)
                {
                    records.Add(done);
                }

                current = new MceRecord { Cpu = (int)Number(tokens[i++]) };
                continue;
            }

            MceRecord r = current ?? throw new FormatException($"'{keyword}' before the first CPU");
            switch (keyword)
            {
                case "BANK":
                    r = r with { Bank = (int)Number(tokens[i++]) };
                    break;
                case "STATUS":
                    // STATUS assigns: it does not OR into earlier ADDRV/MISCV.
                    r = r with { Status = List(tokens, ref i, StatusSymbol) };
                    break;
                case "MCGSTATUS":
                    r = r with { McgStatus = List(tokens, ref i, McgSymbol) };
                    break;
                case "ADDR":
                    r = r with { Addr = Number(tokens[i++]), Status = r.Status | MciStatusBits.AddrV };
                    break;
                case "MISC":
                    r = r with { Misc = Number(tokens[i++]), Status = r.Status | MciStatusBits.MiscV };
                    break;
                case "RIP":
                    string rip = tokens[i++];
                    int colon = rip.IndexOf(':', StringComparison.Ordinal);
                    r = colon < 0
                        ? r with { Ip = Number(rip) }
                        : r with { Cs = (ushort)Number(rip[..colon]), Ip = Number(rip[(colon + 1)..]) };
                    break;
                default:
                    r = r with { Flags = r.Flags | Flag(keyword) };
                    break;
            }

            current = r;
        }

        if (current is { } last)
        {
            records.Add(last);
        }

        return records;
    }

    private static string[] Tokenize(string text)
    {
        var tokens = new List<string>();
        foreach (string rawLine in text.Split('\n'))
        {
            int hash = rawLine.IndexOf('#', StringComparison.Ordinal);
            string line = hash < 0 ? rawLine : rawLine[..hash];
            tokens.AddRange(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        }

        return [.. tokens];
    }

    private static ulong List(string[] tokens, ref int i, Func<string, ulong?> symbol)
    {
        ulong value = 0;
        while (i < tokens.Length)
        {
            string token = tokens[i];
            if (char.IsDigit(token[0]))
            {
                value |= Number(token);
            }
            else if (symbol(token.ToUpperInvariant()) is { } bits)
            {
                value |= bits;
            }
            else
            {
                break;
            }

            i++;
        }

        return value;
    }

    private static ulong? StatusSymbol(string name) => name switch
    {
        "VAL" => MciStatusBits.Val,
        "OVER" => MciStatusBits.Over,
        "UC" => MciStatusBits.Uc,
        "EN" => MciStatusBits.En,
        "PCC" => MciStatusBits.Pcc,
        "S" => MciStatusBits.S,
        "AR" => MciStatusBits.Ar,
        "TES_YELLOW" => MciStatusBits.ThresholdYellow,
        "CORRECTED" => MciStatusBits.Val | MciStatusBits.En,
        "UNCORRECTED" => MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En,
        "FATAL" => MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En | MciStatusBits.Pcc,
        "UCNA" => 0,
        "SRAO" => MciStatusBits.S,
        "SRAR" => MciStatusBits.S | MciStatusBits.Ar,
        _ => null,
    };

    private static ulong? McgSymbol(string name) => name switch
    {
        "RIPV" => McgStatusBits.Ripv,
        "EIPV" => McgStatusBits.Eipv,
        "MCIP" => McgStatusBits.Mcip,
        "LMCES" => McgStatusBits.Lmce,
        "TES_P" => McgStatusBits.TesP,
        "SEAM_NR" => McgStatusBits.SeamNr,
        _ => null,
    };

    private static InjectFlags Flag(string name) => name switch
    {
        "HOLD" => InjectFlags.Hold,
        "NOBROADCAST" => InjectFlags.NoBroadcast,
        "IRQBROADCAST" => InjectFlags.IrqBroadcast,
        "NMIBROADCAST" => InjectFlags.NmiBroadcast,
        "IN_IRQ" => InjectFlags.InIrq,
        "IN_PROC" => InjectFlags.InProc,
        "POLL" => InjectFlags.Poll,
        "EXCP" => InjectFlags.Excp,
        _ => throw new FormatException($"unknown mce-inject keyword '{name}'"),
    };

    /// <summary>C strtoull base 0: 0x hex, leading 0 octal, else decimal.</summary>
    private static ulong Number(string token)
    {
        if (token.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            return ulong.Parse(token.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
        }

        if (token.Length > 1 && token[0] == '0')
        {
            return Convert.ToUInt64(token, 8);
        }

        return ulong.Parse(token, NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
