using System.Globalization;
using System.Text;
using Mca.Systems.Linux;

namespace Mca.Workloads.MceInject;

/// <summary>Writes records the way <c>mce-inject --dump</c> does (andikleen/mce-inject mce-inject.c dump_mce).</summary>
internal static class MceInjectFormatter
{
    /// <summary>
    /// The ten <c>--dump</c> lines of one record (CPU, BANK, TSC, TIME, RIP, MISC, ADDR, STATUS,
    /// MCGSTATUS, PROCESSOR) and the blank line after them, each ending in "\n". The output parses back
    /// to the same CPU, bank, TSC, time, cs, ip, MISC, ADDR, status and MCG status (the STATUS line
    /// comes after MISC/ADDR, so the MISCV/ADDRV they set are replaced by the dumped status).
    /// Deviation: MceRecord has no vendor/CPUID, so PROCESSOR is always "0:0x0"; SOCKETID, APICID,
    /// MCGCAP and the flags are not part of the dump, as in mce-inject.
    /// </summary>
    public static string Dump(MceRecord record)
    {
        var text = new StringBuilder(160);
        AppendDump(text, record);
        return text.ToString();
    }

    /// <summary>The dumps of several records, concatenated (what mce-inject --dump prints for a file).</summary>
    public static string Dump(IEnumerable<MceRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var text = new StringBuilder();
        foreach (MceRecord record in records)
        {
            AppendDump(text, record);
        }

        return text.ToString();
    }

    private static void AppendDump(StringBuilder text, in MceRecord record)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        // mce-inject.c dump_mce: "CPU %d", "BANK %d", "TSC 0x%Lx", "TIME %Lu", "RIP 0x%02x:0x%Lx",
        // "MISC 0x%Lx", "ADDR 0x%Lx", "STATUS 0x%Lx", "MCGSTATUS 0x%Lx", "PROCESSOR %u:0x%x\n\n".
        text.Append(inv, $"CPU {record.Cpu}\n");
        text.Append(inv, $"BANK {record.Bank}\n");
        text.Append(inv, $"TSC 0x{record.Tsc:x}\n");
        text.Append(inv, $"TIME {record.Time}\n");
        text.Append(inv, $"RIP 0x{record.Cs:x2}:0x{record.Ip:x}\n");
        text.Append(inv, $"MISC 0x{record.Misc:x}\n");
        text.Append(inv, $"ADDR 0x{record.Addr:x}\n");
        text.Append(inv, $"STATUS 0x{record.Status:x}\n");
        text.Append(inv, $"MCGSTATUS 0x{record.McgStatus:x}\n");
        text.Append("PROCESSOR 0:0x0\n\n");
    }
}
