using System.Globalization;
using System.Text;
using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

/// <summary>
/// mcelog's generic Intel MCACOD decoder (andikleen/mcelog p4.c decode_mca and nehalem.c
/// decode_memory_controller; Intel SDM vol. 3B 15.9). Appends the text that follows
/// "MCA: ", one line per '\n'.
/// </summary>
internal static class McelogMcacod
{
    /// <summary>Bits 15:0 of MCi_STATUS (Intel SDM vol. 3B 15.3.2.2).</summary>
    private const int McacodMask = 0xFFFF;

    private static readonly string[] SimpleCodes =
    [
        // Intel SDM vol. 3B 15.9.1 simple codes 0x0000-0x0004, with mcelog's wording; 5 and 6 from p4.c's table.
        "No Error",
        "Unclassified",
        "Microcode ROM parity error",
        "External error",
        "FRC error",
        "Internal parity error",
        "SMM Handler Code Access Violation",
    ];

    // Intel SDM vol. 3B 15.9.2 TT: 00 Instruction, 01 Data, 10 Generic (11 has no meaning; mcelog says "Unknown").
    private static readonly string[] TransactionTypes = ["Instruction", "Data", "Generic", "Unknown"];

    // Intel SDM vol. 3B 15.9.2 LL: mcelog names the four encodings Level-0..Level-3 (p4.c get_LL_str).
    private static readonly string[] Levels = ["Level-0", "Level-1", "Level-2", "Level-3"];

    // Intel SDM vol. 3B 15.9.2 RRRR 0..8; 9..15 are undefined and mcelog prints "UNKNOWN".
    private static readonly string[] Requests =
        ["Generic", "Read", "Write", "Data-Read", "Data-Write", "Instruction-Fetch", "Prefetch", "Eviction", "Snoop"];

    // Intel SDM vol. 3B 15.9.2 PP; "Responed" is mcelog's spelling.
    private static readonly string[] Participations =
        ["Local-CPU-originated-request", "Responed-to-request", "Observed-error-as-third-party", "Generic"];

    // Intel SDM vol. 3B 15.9.2 T: 0 no timeout, 1 timeout.
    private static readonly string[] Timeouts = ["Request-did-not-timeout", "Request-timed-out"];

    // Intel SDM vol. 3B 15.9.2 II: 00 memory, 01 reserved, 10 I/O, 11 other.
    private static readonly string[] MemoryOrIo = ["Memory-access", "Reserved", "IO", "Other-transaction"];

    // Intel SDM vol. 3B 15.9.2.6 MMM (nehalem.c mmm_mnemonic / mmm_desc).
    private static readonly string[] MemoryMnemonics = ["GEN", "RD", "WR", "AC", "MS", "RES5", "RES6", "RES7"];

    private static readonly string[] MemoryTransactions =
    [
        "Generic undefined request",
        "Memory read error",
        "Memory write error",
        "Address/Command error",
        "Memory scrubbing error",
        "Reserved 5",
        "Reserved 6",
        "Reserved 7",
    ];

    /// <summary>
    /// Appends the decode of MCi_STATUS bits 15:0. <paramref name="status"/> and <paramref name="misc"/>
    /// matter only for the IO MCA line of a bus error; <paramref name="socketId"/> and
    /// <paramref name="cpu"/> are printed by the bus line.
    /// </summary>
    public static void Append(StringBuilder text, ulong status, ulong misc, int socketId, int cpu, McelogLevelStyle style)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        int mca = (int)(status & McacodMask);

        // Intel SDM vol. 3B 15.9.2.1: bit 12 is the correction-report filtering bit; decoders mask it off first.
        if ((mca & Mcacod.FilterBit) != 0)
        {
            text.Append("corrected filtering (some unreported errors in same region)\n");
            mca &= ~Mcacod.FilterBit;
        }

        if (mca < SimpleCodes.Length)
        {
            text.Append(SimpleCodes[mca]).Append('\n');
        }
        else if ((mca >> 2) == 0b11)
        {
            // Intel SDM vol. 3B 15.9.2: 0000 0000 0000 11LL, generic memory hierarchy.
            text.Append(inv, $"{Levels[mca & 3]} Generic cache hierarchy error\n");
        }
        else if (HighestBit(mca) == 4)
        {
            // Intel SDM vol. 3B 15.9.2: 0000 0000 0001 TTLL, TLB.
            text.Append(inv, $"{TransactionTypes[(mca >> 2) & 3]} TLB {Levels[mca & 3]} Error\n");
        }
        else if (HighestBit(mca) == 8)
        {
            // Intel SDM vol. 3B 15.9.2: 0000 0001 RRRR TTLL, cache; mcelog p4.c since 2021: Modern prints LL+1.
            int level = (mca & 3) + (style == McelogLevelStyle.Modern ? 1 : 0);
            string levelName = level < Levels.Length ? Levels[level] : "UNKNOWN";
            text.Append(inv, $"{TransactionTypes[(mca >> 2) & 3]} CACHE {levelName} {Request((mca >> 4) & 0xF)} Error\n");
        }
        else if (HighestBit(mca) == 9 && ((mca >> 7) & 3) == 1)
        {
            // p4.c: 0000 0010 1MMM CCCC is a memory-controller code for memory used as a cache.
            text.Append("Memory as cache: ");
            AppendMemoryController(text, mca);
        }
        else if (HighestBit(mca) == 10)
        {
            // Intel SDM vol. 3B 15.9.1: 0x0400 internal timer; 0000 01xx xxxx xxxx internal unclassified.
            if (mca == 0x0400)
            {
                text.Append("Internal Timer error\n");
            }
            else
            {
                text.Append(inv, $"Internal unclassified error: {mca:x}\n");
            }
        }
        else if (HighestBit(mca) == 11)
        {
            // Intel SDM vol. 3B 15.9.2: 0000 1PPT RRRR IILL, bus and interconnect.
            text.Append(inv, $"BUS error: {socketId} {cpu} {Levels[mca & 3]} {Participations[(mca >> 9) & 3]} ");
            text.Append(inv, $"{Request((mca >> 4) & 0xF)} {MemoryOrIo[(mca >> 2) & 3]} {Timeouts[(mca >> 8) & 1]}\n");
            // p4.c: an IO MCA is bus code 0x0E0B (filter bit ignored) with MISCV; MISC names the root port.
            if ((status & MciStatusBits.MiscV) != 0 && (status & 0xEFFF) == 0x0E0B)
            {
                ulong segment = (misc >> 32) & 0xFF;
                ulong bus = (misc >> 24) & 0xFF;
                ulong device = (misc >> 19) & 0x1F;
                ulong function = (misc >> 16) & 0x7;
                text.Append(inv, $"IO MCA reported by root port {segment:x}:{bus:x2}:{device:x2}.{function:x}\n");
            }
        }
        else if (HighestBit(mca) == 7)
        {
            // Intel SDM vol. 3B 15.9.2.6: 0000 0000 1MMM CCCC, memory controller.
            AppendMemoryController(text, mca);
        }
        else
        {
            text.Append(inv, $"Unknown Error {mca:x}\n");
        }
    }

    /// <summary>
    /// "MEMORY CONTROLLER {MMM}_CHANNEL{CCCC}_ERR" and "Transaction: ..." (Intel SDM vol. 3B 15.9.2.6 MMM/CCCC:
    /// channel 1111 is "unspecified").
    /// </summary>
    private static void AppendMemoryController(StringBuilder text, int mca)
    {
        int channel = mca & 0xF;
        int mmm = (mca >> 4) & 7;
        text.Append("MEMORY CONTROLLER ").Append(MemoryMnemonics[mmm]).Append("_CHANNEL");
        if (channel == 0xF)
        {
            text.Append("unspecified");
        }
        else
        {
            text.Append(channel.ToString(CultureInfo.InvariantCulture));
        }

        text.Append("_ERR\n");
        text.Append("Transaction: ").Append(MemoryTransactions[mmm]).Append('\n');
    }

    private static string Request(int rrrr) => rrrr < Requests.Length ? Requests[rrrr] : "UNKNOWN";

    /// <summary>Index of the highest set bit, the test mcelog's test_prefix(nr, v) = (v &gt;&gt; nr) == 1 makes.</summary>
    private static int HighestBit(int value) => value == 0 ? -1 : 31 - int.LeadingZeroCount(value);
}
