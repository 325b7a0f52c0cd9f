using Mca.Systems.Hardware;

namespace Mca.Workloads.MceInject;

/// <summary>
/// Every keyword of the mce-inject scanner (andikleen/mce-inject mce.lex). The order
/// groups term starts, STATUS symbols and MCGSTATUS symbols into ranges that
/// <see cref="MceInjectKeywords"/> tests with comparisons; keep each group contiguous.
/// </summary>
internal enum MceInjectKeyword
{
    None = 0,

    // Record starts.
    Cpu,
    Mce,
    Machine,
    Check,
    Exception,

    // Fields.
    Bank,
    Status,
    McgStatus,
    Addr,
    Misc,
    Rip,
    Tsc,
    Time,
    SocketId,
    ApicId,
    McgCap,
    Processor,

    // Flags.
    Hold,
    NoBroadcast,
    IrqBroadcast,
    NmiBroadcast,
    InIrq,
    InProc,
    Poll,
    Excp,

    // MCi_STATUS symbols.
    Val,
    Over,
    Uc,
    En,
    Pcc,
    S,
    Ar,
    TesYellow,
    Corrected,
    Uncorrected,
    Fatal,
    Ucna,
    Srao,
    Srar,

    // MCG_STATUS symbols.
    Ripv,
    Eipv,
    Mcip,
    Lmces,
    TesP,
    SeamNr,
}

/// <summary>Spelling, class and value of each keyword.</summary>
internal static class MceInjectKeywords
{
    private static readonly Dictionary<string, MceInjectKeyword> ByName = Build();

    /// <summary>Keywords are case-insensitive (mce-inject mce.lex compares with strcasecmp).</summary>
    public static MceInjectKeyword Lookup(ReadOnlySpan<char> text)
    {
        var lookup = ByName.GetAlternateLookup<ReadOnlySpan<char>>();
        return lookup.TryGetValue(text, out MceInjectKeyword keyword) ? keyword : MceInjectKeyword.None;
    }

    /// <summary>The canonical (upper-case) spelling, for messages and formatting.</summary>
    public static string Name(MceInjectKeyword keyword) => keyword switch
    {
        MceInjectKeyword.Cpu => "CPU",
        MceInjectKeyword.Mce => "MCE",
        MceInjectKeyword.Machine => "MACHINE",
        MceInjectKeyword.Check => "CHECK",
        MceInjectKeyword.Exception => "EXCEPTION",
        MceInjectKeyword.Bank => "BANK",
        MceInjectKeyword.Status => "STATUS",
        MceInjectKeyword.McgStatus => "MCGSTATUS",
        MceInjectKeyword.Addr => "ADDR",
        MceInjectKeyword.Misc => "MISC",
        MceInjectKeyword.Rip => "RIP",
        MceInjectKeyword.Tsc => "TSC",
        MceInjectKeyword.Time => "TIME",
        MceInjectKeyword.SocketId => "SOCKETID",
        MceInjectKeyword.ApicId => "APICID",
        MceInjectKeyword.McgCap => "MCGCAP",
        MceInjectKeyword.Processor => "PROCESSOR",
        MceInjectKeyword.Hold => "HOLD",
        MceInjectKeyword.NoBroadcast => "NOBROADCAST",
        MceInjectKeyword.IrqBroadcast => "IRQBROADCAST",
        MceInjectKeyword.NmiBroadcast => "NMIBROADCAST",
        MceInjectKeyword.InIrq => "IN_IRQ",
        MceInjectKeyword.InProc => "IN_PROC",
        MceInjectKeyword.Poll => "POLL",
        MceInjectKeyword.Excp => "EXCP",
        MceInjectKeyword.Val => "VAL",
        MceInjectKeyword.Over => "OVER",
        MceInjectKeyword.Uc => "UC",
        MceInjectKeyword.En => "EN",
        MceInjectKeyword.Pcc => "PCC",
        MceInjectKeyword.S => "S",
        MceInjectKeyword.Ar => "AR",
        MceInjectKeyword.TesYellow => "TES_YELLOW",
        MceInjectKeyword.Corrected => "CORRECTED",
        MceInjectKeyword.Uncorrected => "UNCORRECTED",
        MceInjectKeyword.Fatal => "FATAL",
        MceInjectKeyword.Ucna => "UCNA",
        MceInjectKeyword.Srao => "SRAO",
        MceInjectKeyword.Srar => "SRAR",
        MceInjectKeyword.Ripv => "RIPV",
        MceInjectKeyword.Eipv => "EIPV",
        MceInjectKeyword.Mcip => "MCIP",
        MceInjectKeyword.Lmces => "LMCES",
        MceInjectKeyword.TesP => "TES_P",
        MceInjectKeyword.SeamNr => "SEAM_NR",
        _ => throw new ArgumentOutOfRangeException(nameof(keyword), keyword, "not a keyword"),
    };

    /// <summary>True for the keywords a STATUS list accepts (mce.y <c>status</c>).</summary>
    public static bool IsStatusSymbol(MceInjectKeyword keyword) =>
        keyword is >= MceInjectKeyword.Val and <= MceInjectKeyword.Srar;

    /// <summary>True for the keywords an MCGSTATUS list accepts (mce.y <c>mcgstatus</c>).</summary>
    public static bool IsMcgStatusSymbol(MceInjectKeyword keyword) =>
        keyword is >= MceInjectKeyword.Ripv and <= MceInjectKeyword.SeamNr;

    /// <summary>True for the keywords that begin a record term (mce.y <c>mce_term</c>).</summary>
    public static bool IsTermStart(MceInjectKeyword keyword) =>
        keyword is >= MceInjectKeyword.Bank and <= MceInjectKeyword.Excp;

    /// <summary>The MCi_STATUS bits a STATUS symbol ORs in (mce-inject mce.lex KEYVAL table).</summary>
    public static ulong StatusValue(MceInjectKeyword keyword) => keyword switch
    {
        MceInjectKeyword.Val => MciStatusBits.Val,
        MceInjectKeyword.Over => MciStatusBits.Over,
        MceInjectKeyword.Uc => MciStatusBits.Uc,
        MceInjectKeyword.En => MciStatusBits.En,
        MceInjectKeyword.Pcc => MciStatusBits.Pcc,
        MceInjectKeyword.S => MciStatusBits.S,
        MceInjectKeyword.Ar => MciStatusBits.Ar,
        // mce-inject mce.lex: TES_YELLOW is bit 54, the "yellow" threshold status (Intel SDM vol. 3B 15.3.2.2, 54:53 = 10).
        MceInjectKeyword.TesYellow => MciStatusBits.ThresholdYellow,
        // mce-inject mce.lex: CORRECTED = VAL|EN.
        MceInjectKeyword.Corrected => MciStatusBits.Val | MciStatusBits.En,
        // mce-inject mce.lex: UNCORRECTED = VAL|UC|EN.
        MceInjectKeyword.Uncorrected => MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En,
        // mce-inject mce.lex: FATAL = VAL|UC|EN|PCC.
        MceInjectKeyword.Fatal => MciStatusBits.Val | MciStatusBits.Uc | MciStatusBits.En | MciStatusBits.Pcc,
        // mce-inject mce.lex: UCNA = 0, SRAO = S, SRAR = S|AR.
        MceInjectKeyword.Ucna => 0,
        MceInjectKeyword.Srao => MciStatusBits.S,
        MceInjectKeyword.Srar => MciStatusBits.S | MciStatusBits.Ar,
        _ => throw new ArgumentOutOfRangeException(nameof(keyword), keyword, "not a STATUS symbol"),
    };

    /// <summary>The MCG_STATUS bits an MCGSTATUS symbol ORs in (mce-inject mce.lex; Linux asm/mce.h).</summary>
    public static ulong McgStatusValue(MceInjectKeyword keyword) => keyword switch
    {
        MceInjectKeyword.Ripv => McgStatusBits.Ripv,
        MceInjectKeyword.Eipv => McgStatusBits.Eipv,
        MceInjectKeyword.Mcip => McgStatusBits.Mcip,
        MceInjectKeyword.Lmces => McgStatusBits.Lmce,
        MceInjectKeyword.TesP => McgStatusBits.TesP,
        MceInjectKeyword.SeamNr => McgStatusBits.SeamNr,
        _ => throw new ArgumentOutOfRangeException(nameof(keyword), keyword, "not an MCGSTATUS symbol"),
    };

    private static Dictionary<string, MceInjectKeyword> Build()
    {
        var map = new Dictionary<string, MceInjectKeyword>(StringComparer.OrdinalIgnoreCase);
        foreach (MceInjectKeyword keyword in Enum.GetValues<MceInjectKeyword>())
        {
            if (keyword != MceInjectKeyword.None)
            {
                map.Add(Name(keyword), keyword);
            }
        }

        return map;
    }
}
