using System.Globalization;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;

namespace Mca.Workloads.MceInject;

/// <summary>
/// Reads mce-inject scenario text (grammar of andikleen/mce-inject mce.y) into
/// <see cref="MceRecord"/>s. A hand-written recursive-descent parser over <see cref="MceInjectLexer"/>:
/// <code>
/// input     := { start term { term } }
/// start     := CPU n [bank] | MCE | CPU n ':' MACHINE CHECK EXCEPTION ':' mcg BANK b ':' status
/// term      := STATUS { status-symbol | n } | MCGSTATUS { mcg-symbol | n } | BANK n | TSC n | TIME n
///            | SOCKETID n | APICID n | MCGCAP n | ADDR n | MISC n | PROCESSOR vendor ':' cpuid
///            | RIP n | RIP cs ':' ip | RIP cs ':' '&lt;' ip '&gt;' '{' symbol '}'
///            | HOLD | NOBROADCAST | IRQBROADCAST | NMIBROADCAST | IN_IRQ | IN_PROC | POLL | EXCP
/// </code>
/// Records hold what the file says; how the injector raises them (UC records as exceptions unless
/// POLL/EXCP, broadcast fillers) is the scenario runner's business.
/// </summary>
public static class MceInjectParser
{
    /// <summary>Largest bank number: struct mce has a u8 bank.</summary>
    private const ulong BankMax = byte.MaxValue;

    /// <summary>Parses <paramref name="text"/>; <paramref name="fileName"/> is used only in error messages.</summary>
    /// <exception cref="ScenarioException">The text is not valid mce-inject input.</exception>
    public static IReadOnlyList<MceRecord> Parse(string text, string fileName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(fileName);
        var parser = new Parser(text, fileName);
        return parser.ParseInput();
    }

    private struct Parser
    {
        private MceInjectLexer _lexer;
        private MceInjectToken _token;

        public Parser(string text, string fileName)
        {
            _lexer = new MceInjectLexer(text, fileName);
            _token = _lexer.Next();
        }

        public List<MceRecord> ParseInput()
        {
            var records = new List<MceRecord>();
            while (_token.Kind != MceInjectTokenKind.End)
            {
                if (!IsRecordStart(_token))
                {
                    throw _lexer.Error(_token, "CPU or MCE to start a record");
                }

                records.Add(ParseRecord());
            }

            return records;
        }

        private static bool IsRecordStart(in MceInjectToken token) =>
            token.Kind == MceInjectTokenKind.Keyword
            && token.Keyword is MceInjectKeyword.Cpu or MceInjectKeyword.Mce;

        private static bool IsTermStart(in MceInjectToken token) =>
            token.Kind == MceInjectTokenKind.Keyword && MceInjectKeywords.IsTermStart(token.Keyword);

        private MceRecord ParseRecord()
        {
            // mce-inject mce.y: every CPU/MCE word starts a new record with all fields zeroed.
            var record = new RecordBuilder { Line = _token.Line, Column = _token.Column };
            string startText = ParseStart(ref record);

            // mce.y: a record needs at least one term after its start (mce: mce_term | mce mce_term).
            if (!IsTermStart(_token))
            {
                throw _lexer.Error(_token, "a field or flag after " + startText);
            }

            while (IsTermStart(_token))
            {
                ParseTerm(ref record);
            }

            if (_token.Kind != MceInjectTokenKind.End && !IsRecordStart(_token))
            {
                throw _lexer.Error(_token, "a field, a flag, CPU or MCE");
            }

            return record.Build();
        }

        /// <summary>Parses a record start; returns its text for messages ("CPU 3", "MCE").</summary>
        private string ParseStart(ref RecordBuilder record)
        {
            if (_token.Keyword == MceInjectKeyword.Mce)
            {
                Advance();
                return "MCE";
            }

            Advance(); // CPU
            // Deviation: mce-inject keeps the CPU in u32 extcpu; the record holds an int.
            record.Cpu = (int)ExpectNumber("a CPU number after CPU", int.MaxValue, "a CPU number 0..2147483647");
            string startText = string.Create(CultureInfo.InvariantCulture, $"CPU {record.Cpu}");
            if (_token.Kind == MceInjectTokenKind.Number)
            {
                record.Bank = (int)ExpectNumber("a bank number", BankMax, "a bank number 0..255");
                return startText;
            }

            if (_token.Kind != MceInjectTokenKind.Colon)
            {
                return startText;
            }

            // The kernel panic form "CPU n: MACHINE CHECK EXCEPTION: mcg BANK b: status" (mce-inject mce.y).
            // Deviation: mce.y sets only m.cpu (not extcpu) here, so the real tool dumps and validates CPU 0.
            Advance();
            ExpectKeyword(MceInjectKeyword.Machine, "MACHINE after '" + startText + ":'");
            ExpectKeyword(MceInjectKeyword.Check, "CHECK after MACHINE");
            ExpectKeyword(MceInjectKeyword.Exception, "EXCEPTION after MACHINE CHECK");
            ExpectPunctuation(MceInjectTokenKind.Colon, "':' after MACHINE CHECK EXCEPTION");
            record.McgStatus = ExpectNumber("the MCG status number after 'MACHINE CHECK EXCEPTION:'");
            ExpectKeyword(MceInjectKeyword.Bank, "BANK after the MCG status");
            record.Bank = (int)ExpectNumber("a number after BANK", BankMax, "a bank number 0..255");
            ExpectPunctuation(MceInjectTokenKind.Colon, "':' after the bank number");
            (record.StatusLine, record.StatusColumn) = (_token.Line, _token.Column);
            record.Status = ExpectNumber("the status number after 'BANK b:'");
            return startText + ": MACHINE CHECK EXCEPTION";
        }

        private void ParseTerm(ref RecordBuilder record)
        {
            MceInjectToken keywordToken = _token;
            MceInjectKeyword keyword = _token.Keyword;
            string name = MceInjectKeywords.Name(keyword);
            Advance();
            switch (keyword)
            {
                case MceInjectKeyword.Status:
                    // mce-inject mce.y: STATUS assigns (not ORs) the status; its list ORs symbols and numbers.
                    (record.StatusLine, record.StatusColumn) = (keywordToken.Line, keywordToken.Column);
                    record.Status = ParseStatusList();
                    break;
                case MceInjectKeyword.McgStatus:
                    record.McgStatus = ParseMcgStatusList();
                    break;
                case MceInjectKeyword.Bank:
                    record.Bank = (int)ExpectNumber("a number after BANK", BankMax, "a bank number 0..255");
                    break;
                case MceInjectKeyword.Tsc:
                    record.Tsc = ExpectNumber("a number after TSC");
                    break;
                case MceInjectKeyword.Time:
                    record.Time = ExpectNumber("a number after TIME");
                    break;
                case MceInjectKeyword.SocketId:
                    // Deviation: struct mce holds u32 socketid/apicid; the record holds ints.
                    record.SocketId = (int)ExpectNumber("a number after SOCKETID", int.MaxValue, "a socket id 0..2147483647");
                    break;
                case MceInjectKeyword.ApicId:
                    record.ApicId = (int)ExpectNumber("a number after APICID", int.MaxValue, "an APIC id 0..2147483647");
                    break;
                case MceInjectKeyword.McgCap:
                    record.McgCap = ExpectNumber("a number after MCGCAP");
                    break;
                case MceInjectKeyword.Addr:
                    // mce-inject mce.y: ADDR n sets ADDRV.
                    record.Addr = ExpectNumber("a number after ADDR");
                    record.Status |= MciStatusBits.AddrV;
                    break;
                case MceInjectKeyword.Misc:
                    // mce-inject mce.y: MISC n sets MISCV.
                    record.Misc = ExpectNumber("a number after MISC");
                    record.Status |= MciStatusBits.MiscV;
                    break;
                case MceInjectKeyword.Rip:
                    ParseRip(ref record);
                    break;
                case MceInjectKeyword.Processor:
                    // mce-inject mce.y: PROCESSOR vendor:cpuid. Deviation: MceRecord has no vendor/cpuid, so
                    // both are range-checked (u8 and u32 in struct mce) and dropped.
                    ExpectNumber("a vendor number after PROCESSOR", byte.MaxValue, "a vendor number 0..255");
                    ExpectPunctuation(MceInjectTokenKind.Colon, "':' after the PROCESSOR vendor");
                    ExpectNumber("a CPUID number after 'PROCESSOR vendor:'", uint.MaxValue, "a CPUID number 0..0xffffffff");
                    break;
                // mce-inject mce.lex/mce.y: the flags HOLD, NOBROADCAST, IRQBROADCAST, NMIBROADCAST, IN_IRQ, IN_PROC, POLL, EXCP.
                case MceInjectKeyword.Hold:
                    record.Flags |= InjectFlags.Hold;
                    break;
                case MceInjectKeyword.NoBroadcast:
                    record.Flags |= InjectFlags.NoBroadcast;
                    break;
                case MceInjectKeyword.IrqBroadcast:
                    record.Flags |= InjectFlags.IrqBroadcast;
                    break;
                case MceInjectKeyword.NmiBroadcast:
                    record.Flags |= InjectFlags.NmiBroadcast;
                    break;
                case MceInjectKeyword.InIrq:
                    // mce.y: IN_IRQ/IN_PROC set one context field (MCJ_CTX_SET), so the last one wins.
                    record.Flags = (record.Flags & ~InjectFlags.InProc) | InjectFlags.InIrq;
                    break;
                case MceInjectKeyword.InProc:
                    record.Flags = (record.Flags & ~InjectFlags.InIrq) | InjectFlags.InProc;
                    break;
                case MceInjectKeyword.Poll:
                    // mce.y: POLL and EXCP both set the raise mode; the last one decides MCJ_EXCEPTION.
                    record.Flags = (record.Flags & ~InjectFlags.Excp) | InjectFlags.Poll;
                    break;
                case MceInjectKeyword.Excp:
                    record.Flags = (record.Flags & ~InjectFlags.Poll) | InjectFlags.Excp;
                    break;
                default:
                    throw new InvalidOperationException("IsTermStart admitted " + name);
            }
        }

        private ulong ParseStatusList()
        {
            ulong status = 0;
            while (true)
            {
                if (_token.Kind == MceInjectTokenKind.Number)
                {
                    // mce-inject mce.y: a number in the list is ORed as-is (the MCACOD, usually).
                    status |= _token.Value;
                }
                else if (_token.Kind == MceInjectTokenKind.Keyword && MceInjectKeywords.IsStatusSymbol(_token.Keyword))
                {
                    status |= MceInjectKeywords.StatusValue(_token.Keyword);
                }
                else if (_token.Kind == MceInjectTokenKind.Keyword && MceInjectKeywords.IsMcgStatusSymbol(_token.Keyword))
                {
                    // mce.y has no such rule either; name the mistake instead of a bare syntax error.
                    throw _lexer.Error(_token, "a STATUS bit (" + MceInjectKeywords.Name(_token.Keyword) + " belongs in MCGSTATUS)");
                }
                else
                {
                    return status;
                }

                Advance();
            }
        }

        private ulong ParseMcgStatusList()
        {
            ulong mcgStatus = 0;
            while (true)
            {
                if (_token.Kind == MceInjectTokenKind.Number)
                {
                    mcgStatus |= _token.Value;
                }
                else if (_token.Kind == MceInjectTokenKind.Keyword && MceInjectKeywords.IsMcgStatusSymbol(_token.Keyword))
                {
                    mcgStatus |= MceInjectKeywords.McgStatusValue(_token.Keyword);
                }
                else if (_token.Kind == MceInjectTokenKind.Keyword && MceInjectKeywords.IsStatusSymbol(_token.Keyword))
                {
                    throw _lexer.Error(_token, "an MCGSTATUS bit (" + MceInjectKeywords.Name(_token.Keyword) + " belongs in STATUS)");
                }
                else
                {
                    return mcgStatus;
                }

                Advance();
            }
        }

        /// <summary>mce-inject mce.y: <c>RIP ip</c>, <c>RIP cs:ip</c> or <c>RIP cs:&lt;ip&gt;{sym}</c>.</summary>
        private void ParseRip(ref RecordBuilder record)
        {
            MceInjectToken first = _token;
            ulong value = ExpectNumber("a number after RIP");
            if (_token.Kind != MceInjectTokenKind.Colon)
            {
                record.Ip = value;
                return;
            }

            if (value > ushort.MaxValue)
            {
                // Deviation: struct mce has a u8 cs that C would truncate; the record keeps a 16-bit selector.
                throw _lexer.Error(first, "a code segment 0..0xffff before ':'");
            }

            record.Cs = (ushort)value;
            Advance();
            if (_token.Kind == MceInjectTokenKind.LessThan)
            {
                Advance();
                record.Ip = ExpectNumber("an instruction pointer after '<'");
                ExpectPunctuation(MceInjectTokenKind.GreaterThan, "'>' after the instruction pointer");
                ExpectPunctuation(MceInjectTokenKind.LeftBrace, "'{' and a symbol after '>'");
                // Deviation: mce.y takes only a non-keyword SYMBOL here; any identifier is accepted.
                if (_token.Kind is not (MceInjectTokenKind.Symbol or MceInjectTokenKind.Keyword))
                {
                    throw _lexer.Error(_token, "a symbol name after '{'");
                }

                Advance();
                ExpectPunctuation(MceInjectTokenKind.RightBrace, "'}' after the symbol name");
                return;
            }

            record.Ip = ExpectNumber("an instruction pointer or '<' after 'RIP cs:'");
        }

        private ulong ExpectNumber(string expected) => ExpectNumber(expected, ulong.MaxValue, expected);

        private ulong ExpectNumber(string expected, ulong max, string expectedInRange)
        {
            if (_token.Kind != MceInjectTokenKind.Number)
            {
                throw _lexer.Error(_token, expected);
            }

            if (_token.Value > max)
            {
                throw _lexer.Error(_token, expectedInRange);
            }

            ulong value = _token.Value;
            Advance();
            return value;
        }

        private void ExpectKeyword(MceInjectKeyword keyword, string expected)
        {
            if (_token.Kind != MceInjectTokenKind.Keyword || _token.Keyword != keyword)
            {
                throw _lexer.Error(_token, expected);
            }

            Advance();
        }

        private void ExpectPunctuation(MceInjectTokenKind kind, string expected)
        {
            if (_token.Kind != kind)
            {
                throw _lexer.Error(_token, expected);
            }

            Advance();
        }

        private void Advance() => _token = _lexer.Next();
    }

    /// <summary>Mutable fields of the record being parsed; <see cref="Build"/> freezes them.</summary>
    private struct RecordBuilder
    {
        public int Cpu;
        public int Bank;
        public ulong Status;
        public ulong McgStatus;
        public ulong Addr;
        public ulong Misc;
        public ulong Ip;
        public ushort Cs;
        public ulong Tsc;
        public ulong Time;
        public int SocketId;
        public int ApicId;
        public ulong McgCap;
        public InjectFlags Flags;
        public int Line;
        public int Column;
        public int StatusLine;
        public int StatusColumn;

        public readonly MceRecord Build() => new()
        {
            Cpu = Cpu,
            Bank = Bank,
            Status = Status,
            McgStatus = McgStatus,
            Addr = Addr,
            Misc = Misc,
            Ip = Ip,
            Cs = Cs,
            Tsc = Tsc,
            Time = Time,
            SocketId = SocketId,
            ApicId = ApicId,
            McgCap = McgCap,
            Flags = Flags,
            Line = Line,
            Column = Column,
            StatusLine = StatusLine,
            StatusColumn = StatusColumn,
        };
    }
}
