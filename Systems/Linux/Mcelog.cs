using System.Globalization;
using System.Text;
using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

/// <summary>
/// What dom0's <c>mcelog</c> prints for machine-check records (mcelog mcelog.c and p4.c; andikleen/mcelog
/// mcelog.c dump_mce and p4.c decode_intel_mc), for a generic Intel CPU: the architectural decode
/// only, no model-specific lines. Output uses "\n" line ends and keeps mcelog's trailing blanks. By
/// default cache levels are the classic ones Xen's mce-test greps for and the status lines are mcelog
/// HEAD's (see <see cref="McelogOptions"/>).
/// Deviations, each pinned by a test: TIME prints the simulated seconds without mcelog's ctime()
/// date; a zero TIME or TSC is not replaced by the host clock; TSC is never converted to a time;
/// software banks 129..217 and 219..254 (K8 threshold and the rest) print as undecoded.
/// </summary>
public static class Mcelog
{
    /// <summary>The line mcelog prints before decoded records (mcelog mcelog.c disclaimer).</summary>
    public const string Disclaimer = "Hardware event. This is not a software error.";

    /// <summary>mcelog's software bank for thermal events (mcelog.h MCE_THERMAL_BANK = 128 + 0).</summary>
    public const int ThermalBank = 128;

    /// <summary>mcelog's software bank for a rendezvous timeout (mcelog.h MCE_TIMEOUT_BANK = 128 + 90).</summary>
    public const int TimeoutBank = 218;

    /// <summary>mcelog's software bank for APEI-reported errors (mcelog.h MCE_APEI_BANK).</summary>
    public const int ApeiBank = 255;

    private const int FirstExtendedBank = 128;

    /// <summary>MCi_STATUS bit 37, FWST: firmware updated the record (mcelog.h MCI_STATUS_FWST).</summary>
    private const ulong FirmwareUpdated = 1UL << 37;

    private static readonly string[] ActionStates =
    [
        // mcelog p4.c arstate, indexed by MCi_STATUS bits 56:55 (S, AR; Intel SDM vol. 3B 15.3.2.2, 15.6.3).
        "UCNA",
        "AR",
        "SRAO",
        "SRAR",
    ];

    private static readonly string[] Vendors =
        ["Intel", "Cyrix", "AMD", "UMC", "vendor 4", "Centaur", "vendor 6", "Transmeta", "NSC"];

    /// <summary>The disclaimer line, with its "\n": what a dump prints once before its records.</summary>
    public static string Header() => Disclaimer + "\n";

    /// <summary>The "MCA: ..." text of an MCACOD in the <see cref="McelogLevelStyle.Classic"/> style.</summary>
    public static string DecodeMcacod(int mcacod) => DecodeMcacod(mcacod, McelogLevelStyle.Classic);

    /// <summary>
    /// The text mcelog prints after "MCA: " for an MCACOD (bits 15:0 of MCi_STATUS), without the
    /// prefix; several lines are joined with "\n" and there is no final "\n". Example: 0x00CF gives
    /// "MEMORY CONTROLLER MS_CHANNELunspecified_ERR\nTransaction: Memory scrubbing error". A bus error
    /// prints its socket and CPU, which are unknown here and print as -1; use the four-argument overload.
    /// </summary>
    public static string DecodeMcacod(int mcacod, McelogLevelStyle style) => DecodeMcacod(mcacod, style, -1, -1);

    /// <summary>As <see cref="DecodeMcacod(int, McelogLevelStyle)"/>, with the socket and CPU a bus error prints.</summary>
    public static string DecodeMcacod(int mcacod, McelogLevelStyle style, int socketId, int cpu)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(mcacod);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(mcacod, 0xFFFF);
        CheckStyle(style);
        var text = new StringBuilder(96);
        McelogMcacod.Append(text, (ulong)mcacod, 0, socketId, cpu, style);
        return text.ToString(0, text.Length - 1);
    }

    /// <summary>
    /// One decoded record with <see cref="McelogOptions.Default"/> (Classic levels, Current status lines),
    /// without the disclaimer (see <see cref="Header"/>).
    /// </summary>
    public static string Format(in McelogInput rec) => Format(rec, McelogOptions.Default);

    /// <summary>
    /// One decoded record, as <c>dump_mce</c> prints it, without the disclaimer: "CPU n BANK b [TSC t ]",
    /// the RIP line when ip is non-zero, "MISC m ADDR a " when valid, "TIME s", the Intel decode ("MCG
    /// status:", "MCi status:" lines, "MCA: ..."), "STATUS s MCGSTATUS g", "[MCGCAP c ]APICID a SOCKETID s "
    /// and, when <see cref="McelogOptions.CpuId"/> is set, "CPUID Vendor v Family f Model m Step s".
    /// </summary>
    public static string Format(in McelogInput rec, in McelogOptions options)
    {
        Validate(rec);
        CheckStyles(options);
        var text = new StringBuilder(512);
        AppendRecord(text, rec, options);
        return text.ToString();
    }

    /// <summary>
    /// A whole dump as <c>mcelog --ascii</c> prints it: the disclaimer once, then each record.
    /// Empty when there are no records.
    /// </summary>
    public static string FormatDump(IEnumerable<McelogInput> records, in McelogOptions options)
    {
        ArgumentNullException.ThrowIfNull(records);
        CheckStyles(options);
        var text = new StringBuilder();
        foreach (McelogInput rec in records)
        {
            Validate(rec);
            if (text.Length == 0)
            {
                text.Append(Disclaimer).Append('\n');
            }

            AppendRecord(text, rec, options);
        }

        return text.ToString();
    }

    /// <summary>
    /// What <c>mcelog</c> prints for one read of <c>/dev/mcelog</c> (mcelog.c process), as dom0 runs it
    /// in Xen's mce-test: for each record, the disclaimer, "MCE i" (its index in the read), the record.
    /// </summary>
    public static string FormatDevice(IReadOnlyList<McelogInput> records, in McelogOptions options)
    {
        ArgumentNullException.ThrowIfNull(records);
        CheckStyles(options);
        var text = new StringBuilder();
        for (int i = 0; i < records.Count; i++)
        {
            McelogInput rec = records[i];
            Validate(rec);
            text.Append(Disclaimer).Append('\n');
            text.Append(CultureInfo.InvariantCulture, $"MCE {i}\n");
            AppendRecord(text, rec, options);
        }

        return text.ToString();
    }

    /// <summary>The bank's name on the first line (mcelog mcelog.c bankname).</summary>
    public static string BankName(int bank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bank);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bank, 255);
        return bank switch
        {
            // mcelog mcelog.c bankname: banks >= 128 get extended names.
            ThermalBank => "THERMAL EVENT",
            TimeoutBank => "Timeout waiting for exception on other CPUs",
            ApeiBank => "ACPI/APEI reported error",
            >= FirstExtendedBank => string.Create(CultureInfo.InvariantCulture, $"Undecoded extended event {bank:x}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"BANK {bank}"),
        };
    }

    private static void AppendRecord(StringBuilder text, in McelogInput rec, in McelogOptions options)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;

        // mcelog mcelog.c dump_mce, output line 1: "CPU <n> <bankname> [TSC <hex> [decoded time]]" (mcelog.c dump_mce).
        text.Append(inv, $"CPU {rec.Cpu} {BankName(rec.Bank)} ");
        if (rec.Tsc != 0)
        {
            text.Append(inv, $"TSC {rec.Tsc:x} ");
        }

        text.Append('\n');

        // mcelog mcelog.c dump_mce, output line 2: "RIP[ !INEXACT!] <cs 02x>:<ip hex>", !INEXACT! when EIPV = 0.
        if (rec.Ip != 0)
        {
            string inexact = (rec.McgStatus & McgStatusBits.Eipv) == 0 ? " !INEXACT!" : string.Empty;
            text.Append(inv, $"RIP{inexact} {rec.Cs:x2}:{rec.Ip:x}\n");
        }

        // mcelog mcelog.c dump_mce, output line 3: "MISC <hex> " if MISCV and "ADDR <hex> " if ADDRV, on one line.
        bool miscValid = (rec.Status & MciStatusBits.MiscV) != 0;
        bool addrValid = (rec.Status & MciStatusBits.AddrV) != 0;
        if (miscValid)
        {
            text.Append(inv, $"MISC {rec.Misc:x} ");
        }

        if (addrValid)
        {
            text.Append(inv, $"ADDR {rec.Addr:x} ");
        }

        if (miscValid || addrValid)
        {
            text.Append('\n');
        }

        // mcelog mcelog.c dump_mce, output line 4: "TIME <secs> <ctime>". Deviation: simulated seconds, no date.
        if (rec.Time != 0)
        {
            text.Append(inv, $"TIME {rec.Time}\n");
        }

        AppendIntelDecode(text, rec, options);

        // mcelog mcelog.c dump_mce, output line 6.
        text.Append(inv, $"STATUS {rec.Status:x} MCGSTATUS {rec.McgStatus:x}\n");

        // mcelog mcelog.c dump_mce, output line 7: MCGCAP only when non-zero; APICID and SOCKETID always (mcelog.c dump_mce).
        if (rec.McgCap != 0)
        {
            text.Append(inv, $"MCGCAP {rec.McgCap:x} ");
        }

        text.Append(inv, $"APICID {rec.ApicId:x} SOCKETID {rec.SocketId:x} \n");

        // mcelog mcelog.c dump_mce, output line 8: "CPUID Vendor <name> Family <f> Model <m> Step <s>" when cpuid is known.
        if (options.CpuId != 0)
        {
            (uint family, uint model, uint stepping) = ParseCpuId(options.CpuId);
            string vendor = options.CpuVendor < Vendors.Length ? Vendors[options.CpuVendor] : "Unknown vendor";
            text.Append(inv, $"CPUID Vendor {vendor} Family {family} Model {model} Step {stepping}\n");
        }
    }

    /// <summary>p4.c decode_intel_mc without the model-specific addons (mcelog p4.c).</summary>
    private static void AppendIntelDecode(StringBuilder text, in McelogInput rec, in McelogOptions options)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        if (rec.Bank == ThermalBank)
        {
            // p4.c decode_thermal: status bit 0 says whether the CPU is above its trip temperature.
            if ((rec.Status & 1) != 0)
            {
                text.Append(inv, $"Processor {rec.Cpu} heated above trip temperature. Throttling enabled.\n");
                text.Append("Please check your system cooling. Performance will be impacted\n");
            }
            else
            {
                text.Append(inv, $"Processor {rec.Cpu} below trip temperature. Throttling disabled\n");
            }

            return;
        }

        AppendMcgStatus(text, rec.McgStatus);
        AppendMciStatus(text, rec.Status, rec.McgCap, options.StatusStyle);
        text.Append("MCA: ");
        McelogMcacod.Append(text, rec.Status, rec.Misc, rec.SocketId, rec.Cpu, options.LevelStyle);
    }

    /// <summary>mcelog p4.c decode_mcg: "MCG status:" then "RIPV ", "EIPV ", "MCIP ", "LMCE " as set.</summary>
    private static void AppendMcgStatus(StringBuilder text, ulong mcgStatus)
    {
        text.Append("MCG status:");
        if ((mcgStatus & McgStatusBits.Ripv) != 0)
        {
            text.Append("RIPV ");
        }

        if ((mcgStatus & McgStatusBits.Eipv) != 0)
        {
            text.Append("EIPV ");
        }

        if ((mcgStatus & McgStatusBits.Mcip) != 0)
        {
            text.Append("MCIP ");
        }

        if ((mcgStatus & McgStatusBits.Lmce) != 0)
        {
            text.Append("LMCE ");
        }

        text.Append('\n');
    }

    /// <summary>
    /// mcelog "MCi status:" lines, in p4.c decode_mci order. The UCNA/AR/SRAO/SRAR line prints only when
    /// S or AR is set, so "UCNA" (index 0) never appears; with PCC set, <see cref="McelogStatusStyle.Current"/>
    /// prints "Processor context corrupt" instead of it and <see cref="McelogStatusStyle.Classic"/> prints both.
    /// </summary>
    private static void AppendMciStatus(StringBuilder text, ulong status, ulong mcgCap, McelogStatusStyle statusStyle)
    {
        text.Append("MCi status:\n");
        if ((status & MciStatusBits.Val) == 0)
        {
            text.Append("Machine check not valid\n");
        }

        if ((status & MciStatusBits.Over) != 0)
        {
            text.Append("Error overflow\n");
        }

        // Deviation: model-specific "Corrected error by <mirror type>" (Broadwell-EP and later) is not decoded.
        text.Append((status & MciStatusBits.Uc) != 0 ? "Uncorrected error\n" : "Corrected error\n");

        if ((status & MciStatusBits.En) != 0)
        {
            text.Append("Error enabled\n");
        }

        if ((status & MciStatusBits.MiscV) != 0)
        {
            text.Append("MCi_MISC register valid\n");
        }

        if ((status & MciStatusBits.AddrV) != 0)
        {
            text.Append("MCi_ADDR register valid\n");
        }

        bool pcc = (status & MciStatusBits.Pcc) != 0;
        if (pcc)
        {
            text.Append("Processor context corrupt\n");
        }

        // mcelog p4.c decode_mci 7aa8179: "if (PCC) ... else if (S|AR)"; before it the two tests were independent.
        bool stateLine = (status & (MciStatusBits.S | MciStatusBits.Ar)) != 0 && (!pcc || statusStyle == McelogStatusStyle.Classic);

        // mcelog p4.c: when S or AR is set, one of UCNA/AR/SRAO/SRAR, indexed by bits 56:55.
        if (stateLine)
        {
            text.Append(ActionStates[(int)((status >> 55) & 3)]).Append('\n');
        }

        // mcelog p4.c: "Firmware may have updated this error" (SER and FWST).
        if ((mcgCap & McgCapBits.SerP) != 0 && (status & FirmwareUpdated) != 0)
        {
            text.Append("Firmware may have updated this error\n");
        }

        // mcelog p4.c: threshold status for corrected errors when TES_P or MCGCAP = 0 (Intel SDM vol. 3B 15.3.2.2 bits 54:53).
        if ((mcgCap == 0 || (mcgCap & McgCapBits.TesP) != 0) && (status & MciStatusBits.Uc) == 0)
        {
            ulong track = (status & MciStatusBits.ThresholdMask) >> MciStatusBits.ThresholdShift;
            switch (track)
            {
                case 1:
                    text.Append("Threshold based error status: green\n");
                    break;
                case 2:
                    text.Append("Threshold based error status: yellow\n");
                    text.Append("Large number of corrected cache errors. System operating, but might lead\n");
                    text.Append("to uncorrected errors soon\n");
                    break;
                case 3:
                    text.Append("Threshold based error status: res3\n");
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>mcelog.c parse_cpuid (SDM CPUID leaf 1 EAX): family, model with the extended fields, stepping.</summary>
    private static (uint Family, uint Model, uint Stepping) ParseCpuId(uint cpuid)
    {
        uint stepping = cpuid & 0xF;
        uint model = (cpuid >> 4) & 0xF;
        uint family = (cpuid >> 8) & 0xF;
        uint extendedModel = (cpuid >> 16) & 0xF;
        uint extendedFamily = (cpuid >> 20) & 0xFF;
        if (family == 0xF)
        {
            family += extendedFamily;
        }

        if (family is 6 or 0xF)
        {
            model += extendedModel << 4;
        }

        return (family, model, stepping);
    }

    private static void Validate(in McelogInput rec)
    {
        if (rec.Cpu < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rec), rec.Cpu, "Cpu must be >= 0 (struct mce extcpu is u32).");
        }

        if (rec.Bank is < 0 or > 255)
        {
            throw new ArgumentOutOfRangeException(nameof(rec), rec.Bank, "Bank must be 0..255 (struct mce bank is u8).");
        }

        if (rec.ApicId < 0 || rec.SocketId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(rec), rec, "ApicId and SocketId must be >= 0 (u32 in struct mce).");
        }
    }

    private static void CheckStyle(McelogLevelStyle style)
    {
        if (style is not (McelogLevelStyle.Classic or McelogLevelStyle.Modern))
        {
            throw new ArgumentOutOfRangeException(nameof(style), style, "Expected Classic or Modern.");
        }
    }

    private static void CheckStyles(in McelogOptions options)
    {
        CheckStyle(options.LevelStyle);
        if (options.StatusStyle is not (McelogStatusStyle.Current or McelogStatusStyle.Classic))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StatusStyle, "Expected a StatusStyle of Current or Classic.");
        }
    }
}
