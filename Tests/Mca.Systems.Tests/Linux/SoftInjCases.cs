using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>
/// The mce-test soft-injection suite (cases/soft-inj and cases/coverage/soft-inj): each case's
/// mce-inject data re-typed, and its expected outcome from cases.sh (panic message, the
/// "Machine check: &lt;msg&gt;" line, the timeout line, the mcelog comparison against refer/ or data/,
/// the SIGBUS check) and the doc/cases notes.
/// </summary>
/// <remarks>
/// Sources: andikleen/mce-test at HEAD (cases/coverage/soft-inj: non-panic/corrected,
/// corrected_hold, panic_npcc/uncorrected, recoverable_ucr/srar_usr_dcu_{irq,nmi}, refer/srao_ucna),
/// the newest copies in linux-test-project/ltp (testcases/kernel/mce-test, then testcases/mce-test)
/// for the files the HEAD index lacks, and andikleen/mce-test cases/soft-inj (pre-coverage layout)
/// for srar_usr_dcu. Configs: non-panic, panic and panic_npcc run with SER on and off; panic_noser
/// and poll_noser without SER; poll_ucr, panic_ucr and recoverable_ucr with SER.
///
/// Era: the suite was written against the 2.6.32 table ("Fatal Machine check", "Machine check from
/// unknown source", "Action required; unknown MCACOD" with its semicolon, the "Some CPUs didn't
/// answer in synchronization" timeout line), so it runs at <see cref="LinuxTableEra.V2632"/>; the
/// srar_usr_dcu cases need the first AR rule and run at <see cref="LinuxTableEra.V3"/>. Those runs
/// turn the post-injection poll off: the suite-era refer files (srao_corrected, the LTP srao_ucna)
/// show banks the #MC handler left were not logged before mce-test read /dev/mcelog. The modern
/// runs keep it on, which reproduces the HEAD refer/srao_ucna (the UCNA record is logged).
///
/// Cases of the older "recoverable" directory (tolerant = 2) target the 2.6.31 mce_64.c handler,
/// before the severity table, and are not encoded.
/// </remarks>
internal static class SoftInjCases
{
    private const string Pcc = "Processor context corrupt";
    private const string NoRestartIp = "In kernel and no restart IP";
    private const string NoEripv = "Neither restart nor error IP";
    private const string NoMcip = "MCIP not set in MCA handler";
    private const string OverflowedUc = "Overflowed uncorrected";
    private const string OldFatal = "Fatal Machine check";
    private const string ModernFatal = "Fatal machine check";
    private const string OldUnknown = "Machine check from unknown source";
    private const string ModernUnknown = "Fatal machine check from unknown source";
    private const string CurrentCpu = "Fatal machine check on current CPU";
    private const string ModernTimeout = "Timeout: Not all CPUs entered broadcast exception handler";
    private const string Hc = "andikleen/mce-test cases/coverage/soft-inj/";
    private const string Ltpk = "linux-test-project/ltp testcases/kernel/mce-test/cases/soft-inj/";
    private const string Ltp = "linux-test-project/ltp testcases/mce-test/cases/soft-inj/";
    private const string Old = "andikleen/mce-test cases/soft-inj/";
    private const string TruncNote = "modern SER kernels truncate ADDR to the MISC LSB granularity (Linux core.c mce_read_aux); the suite compares the untruncated ADDR";
    private const string TimeoutNote = "modern kernels panic at the rendezvous timeout and only that first fake panic prints (Linux core.c mce_timed_out)";

    public static readonly IReadOnlyList<SoftInjCase> All = Build();

    public static SoftInjCase Get(string key)
    {
        foreach (SoftInjCase c in All)
        {
            if (c.Key == key)
            {
                return c;
            }
        }

        throw new ArgumentException($"no soft-inj case '{key}'", nameof(key));
    }

    private static List<SoftInjCase> Build()
    {
        var cases = new List<SoftInjCase>();

        void Both(string dir, string name, string origin, string data, SoftInjExpect suite, SoftInjExpect modernNoSer, SoftInjExpect? modernSer = null)
        {
            cases.Add(new SoftInjCase(dir, name, false, origin, data, LinuxTableEra.V2632, suite, modernNoSer));
            cases.Add(new SoftInjCase(dir, name, true, origin, data, LinuxTableEra.V2632, suite, modernSer ?? modernNoSer));
        }

        void One(string dir, string name, bool ser, string origin, string data, SoftInjExpect suite, SoftInjExpect modern, LinuxTableEra era = LinuxTableEra.V2632)
            => cases.Add(new SoftInjCase(dir, name, ser, origin, data, era, suite, modern));

        var none = new SoftInjExpect();

        // ---- non-panic: corrected errors raised through machine_check_poll; the log must equal the data.
        Both("non-panic", "corrected", Hc + "non-panic/data/corrected", """
            # log corrected machine checks
            CPU 0 BANK 1
            STATUS CORRECTED
            ADDR 0xabcd
            HOLD
            CPU 1 BANK 0
            CPU 1 BANK 2
            STATUS CORRECTED
            MISC 0xabcd
            ADDR 0x1234
            HOLD
            CPU 0 BANK 0
            """,
            none,
            none,
            new SoftInjExpect
            {
                Log = """
                    CPU 0 BANK 1
                    STATUS CORRECTED
                    ADDR 0xabcd
                    CPU 1 BANK 2
                    STATUS CORRECTED
                    MISC 0xabcd
                    ADDR 0
                    """,
                Note = TruncNote + " (MISC 0xabcd has LSB 13, so ADDR 0x1234 becomes 0)",
            });
        Both("non-panic", "corrected_hold", Hc + "non-panic/data/corrected_hold", """
            # log two corrected machine checks
            CPU 0 BANK 1
            STATUS CORRECTED
            ADDR 0xabcd
            HOLD
            CPU 1 BANK 2
            STATUS CORRECTED
            ADDR 0x1234
            """, none, none);
        Both("non-panic", "corrected_over", Ltp + "non-panic/data/corrected_over", """
            CPU 0 BANK 2
            STATUS VAL OVER EN
            HOLD
            CPU 1 BANK 0
            """, none, none);
        Both("non-panic", "corrected_no_en", Ltpk + "non-panic/data/corrected_no_en", """
            CPU 0 BANK 3
            STATUS VAL
            HOLD
            CPU 1 BANK 0
            """, none, none);

        // ---- panic: PCC errors; the log is compared without RIP unless the case keeps it.
        var fatalOld = new SoftInjExpect { Panic = OldFatal, Reason = Pcc, LaterPanic = CurrentCpu, LaterReason = Pcc, RemoveRip = true };
        var fatalModern = new SoftInjExpect { Panic = ModernFatal, Reason = Pcc, RemoveRip = true };
        Both("panic", "fatal", Ltpk + "panic/data/fatal", """
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL S
            RIP 12343434
            MISC 11
            """, fatalOld, fatalModern);
        Both("panic", "fatal_irq", Ltpk + "panic/data/fatal_irq", """
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL S
            RIP 12343434
            MISC 11
            IN_IRQ
            """, fatalOld, fatalModern);
        Both("panic", "fatal_over", Ltpk + "panic/data/fatal_over", """
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL OVER S
            RIP 12343434
            MISC 11
            """, fatalOld, fatalModern);
        Both("panic", "fatal_ripv", Ltpk + "panic/data/fatal_ripv", """
            CPU 1 BANK 4
            MCGSTATUS MCIP RIPV
            STATUS FATAL S
            RIP 0x10:0x12343434
            """, fatalOld with { RemoveRip = false }, fatalModern with { RemoveRip = false });
        Both("panic", "fatal_eipv", Ltpk + "panic/data/fatal_eipv", """
            CPU 1 BANK 4
            MCGSTATUS MCIP EIPV
            STATUS FATAL S
            RIP 0x10:0x12343434
            """, fatalOld with { RemoveRip = false }, fatalModern with { RemoveRip = false });
        Both("panic", "fatal_userspace", Ltpk + "panic/data/fatal_userspace", """
            CPU 1 BANK 4
            MCGSTATUS MCIP EIPV
            STATUS FATAL S
            RIP 0x73:0x12343434
            """, fatalOld with { RemoveRip = false, Killed = true }, fatalModern with { RemoveRip = false, Killed = true });
        var timeoutOld = new SoftInjExpect { Panic = CurrentCpu, Reason = Pcc, Timeout = true, RemoveRip = true };
        var timeoutModern = new SoftInjExpect { Panic = ModernTimeout, Timeout = true, LaterPanic = CurrentCpu, LaterReason = Pcc, RemoveRip = true, Note = TimeoutNote };
        Both("panic", "fatal_timeout", Ltpk + "panic/data/fatal_timeout", """
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL S
            RIP 0x10:0x12343434
            MISC 0xb
            NOBROADCAST
            """, timeoutOld, timeoutModern);
        Both("panic", "fatal_timeout_ripv", Ltpk + "panic/data/fatal_timeout_ripv", """
            CPU 0 BANK 4
            MCGSTATUS MCIP RIPV
            STATUS FATAL S
            RIP 0x10:0x12343434
            MISC 0xb
            NOBROADCAST
            """, timeoutOld with { RemoveRip = false }, timeoutModern with { RemoveRip = false });
        Both("panic", "fatal_no_en", Ltp + "panic/data/fatal_no_en (refer: " + Ltpk + "panic/refer/fatal_no_en, empty)", """
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS UC VAL PCC S
            RIP 0x10:12343434
            MISC 11
            """,
            new SoftInjExpect { Panic = OldUnknown, Log = "", RemoveRip = true },
            new SoftInjExpect { Panic = ModernUnknown, Log = "", RemoveRip = true });

        // ---- panic_npcc: uncorrected errors without PCC that still panic.
        Both("panic_npcc", "fatal_severity", Ltpk + "panic_npcc/data/fatal_severity", """
            CPU 0 BANK 3
            MCGSTATUS RIPV EIPV MCIP
            # S is regarded as SRAO for SER_P = 1 and ignored otherwise
            STATUS UNCORRECTED S
            RIP 0x10:0x12343434
            MISC 0x2314
            ADDR 0xabcd1234
            HOLD

            CPU 1 BANK 1
            MCGSTATUS MCIP
            STATUS FATAL S
            RIP 0x10:0xabcdcdcd
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = Pcc, RemoveRip = true },
            new SoftInjExpect
            {
                Panic = ModernFatal,
                Reason = "Uncorrected",
                RemoveRip = true,
                Note = "modern kernels raise CPU 0's kernel-mode UC to PANIC (Linux severity.c mce_severity_intel), the tie with CPU 1 goes to the first CPU (Linux core.c mce_reign), so the reason is CPU 0's 'Uncorrected'",
            },
            new SoftInjExpect
            {
                Panic = ModernFatal,
                Reason = Pcc,
                RemoveRip = true,
                Log = """
                    CPU 0 BANK 3
                    MCGSTATUS RIPV EIPV MCIP
                    STATUS UNCORRECTED S
                    MISC 0x2314
                    ADDR 0xabc00000
                    CPU 1 BANK 1
                    MCGSTATUS MCIP
                    STATUS FATAL S
                    """,
                Note = TruncNote + " (MISC 0x2314 has LSB 20)",
            });
        Both("panic_npcc", "uncorrected", Hc + "panic_npcc/data/uncorrected", """
            # this should just kill the process
            CPU 0 BANK 2
            STATUS UNCORRECTED S
            MCGSTATUS EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            IN_PROC
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = NoRestartIp, LaterPanic = CurrentCpu, LaterReason = NoRestartIp },
            new SoftInjExpect { Panic = ModernFatal, Reason = NoRestartIp });
        Both("panic_npcc", "uncorrected_timeout", Ltpk + "panic_npcc/data/uncorrected_timeout", """
            # this should just kill the process
            CPU 0 BANK 2
            STATUS UNCORRECTED S
            MCGSTATUS EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            IN_PROC
            NOBROADCAST
            """,
            new SoftInjExpect { Panic = CurrentCpu, Reason = NoRestartIp, Timeout = true },
            new SoftInjExpect { Panic = ModernTimeout, Timeout = true, LaterPanic = CurrentCpu, LaterReason = NoRestartIp, Note = TimeoutNote });
        Both("panic_npcc", "uc_no_eripv", Ltpk + "panic_npcc/data/uc_no_eripv", """
            CPU 0 BANK 1
            STATUS UNCORRECTED S
            MCGSTATUS MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = NoEripv, RemoveRip = true },
            new SoftInjExpect { Panic = ModernFatal, Reason = NoEripv, RemoveRip = true });
        Both("panic_npcc", "uc_no_eripv_timeout", Ltpk + "panic_npcc/data/uc_no_eripv_timeout", """
            CPU 0 BANK 1
            STATUS UNCORRECTED S
            MCGSTATUS MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            NOBROADCAST
            """,
            new SoftInjExpect { Panic = CurrentCpu, Reason = NoEripv, Timeout = true, RemoveRip = true },
            new SoftInjExpect { Panic = ModernTimeout, Timeout = true, LaterPanic = CurrentCpu, LaterReason = NoEripv, RemoveRip = true, Note = TimeoutNote });
        Both("panic_npcc", "uc_no_mcip", Ltp + "panic_npcc/data/uc_no_mcip", """
            CPU 0 BANK 1
            STATUS UNCORRECTED S
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = NoMcip, RemoveRip = true },
            new SoftInjExpect { Panic = ModernFatal, Reason = NoMcip, RemoveRip = true });
        Both("panic_npcc", "uc_no_mcip_timeout", Ltp + "panic_npcc/data/uc_no_mcip_timeout", """
            CPU 0 BANK 1
            STATUS UNCORRECTED S
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            NOBROADCAST
            """,
            new SoftInjExpect { Panic = CurrentCpu, Reason = NoMcip, Timeout = true, RemoveRip = true },
            new SoftInjExpect { Panic = ModernTimeout, Timeout = true, LaterPanic = CurrentCpu, LaterReason = NoMcip, RemoveRip = true, Note = TimeoutNote });
        Both("panic_npcc", "unknown", Ltpk + "panic_npcc/data/unknown", """
            # this should just kill the process
            CPU 0 BANK 2
            STATUS UC S
            """,
            new SoftInjExpect { Panic = OldUnknown, Log = "" },
            new SoftInjExpect { Panic = ModernUnknown, Log = "" });

        // ---- panic_noser: overflowed uncorrected without SER.
        One("panic_noser", "uc_over", false, Ltp + "panic_noser/data/uc_over", """
            # this should just kill the process
            CPU 0 BANK 2
            STATUS UNCORRECTED OVER
            MCGSTATUS RIPV EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = OverflowedUc },
            new SoftInjExpect { Panic = ModernFatal, Reason = OverflowedUc });
        const string UcOverCorrectedLog = """
            CPU 0 BANK 2
            STATUS UNCORRECTED OVER
            MCGSTATUS RIPV EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            CPU 1 BANK 1
            MCGSTATUS RIPV MCIP
            STATUS CORRECTED
            RIP 0x13:0x12345678
            """;
        const string UcOverCorrectedNote = "refer/uc_over_corrected lists only CPU 0's record; with no_way_out set every CPU also logs its not-signalled banks (Linux core.c __mc_scan_banks), so CPU 1's corrected error is logged too";
        One("panic_noser", "uc_over_corrected", false, Ltp + "panic_noser/data/uc_over_corrected (refer: " + Old + "panic_noser/refer/uc_over_corrected)", """
            CPU 1 BANK 1
            MCGSTATUS RIPV MCIP
            STATUS CORRECTED
            RIP 0x13:0x12345678
            IN_PROC
            EXCP
            HOLD

            CPU 0 BANK 2
            STATUS UNCORRECTED OVER
            MCGSTATUS RIPV EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = OverflowedUc, Log = UcOverCorrectedLog, Note = UcOverCorrectedNote },
            new SoftInjExpect { Panic = ModernFatal, Reason = OverflowedUc, Log = UcOverCorrectedLog, Note = UcOverCorrectedNote });
        One("panic_noser", "uc_over_timeout", false, Ltp + "panic_noser/data/uc_over_timeout", """
            CPU 0 BANK 2
            STATUS UNCORRECTED OVER
            MCGSTATUS RIPV EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            NOBROADCAST
            """,
            new SoftInjExpect { Panic = CurrentCpu, Reason = OverflowedUc, Timeout = true },
            new SoftInjExpect { Panic = ModernTimeout, Timeout = true, LaterPanic = CurrentCpu, LaterReason = OverflowedUc, Note = TimeoutNote });

        // ---- panic_ucr: SER combinations that panic.
        One("panic_ucr", "s0_ar1", true, Ltpk + "panic_ucr/data/s0_ar1", """
            CPU 0 BANK 2
            STATUS UNCORRECTED AR
            MCGSTATUS RIPV EIPV MCIP
            ADDR 0x1234
            RIP 0x10:0xdeadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = "Illegal combination (UCNA with AR=1)" },
            new SoftInjExpect { Panic = ModernFatal, Reason = "Illegal combination (UCNA with AR=1)" });
        One("panic_ucr", "srar_over", true, Ltp + "panic_ucr/data/srar_over", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAR OVER
            MCGSTATUS EIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x1eadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = "Action required with lost events" },
            new SoftInjExpect { Panic = ModernFatal, Reason = "Action required with lost events" });
        One("panic_ucr", "srar_unkown", true, Ltpk + "panic_ucr/data/srar_unkown", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAR
            MCGSTATUS EIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x2eadbabe
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = "Action required; unknown MCACOD" },
            new SoftInjExpect
            {
                Panic = ModernFatal,
                Reason = "Action required: unknown MCACOD",
                Note = "the semicolon spelling is the 2.6.32 table's (Linux 2.6.32 mcheck/mce-severity.c)",
            });
        const string InferredEmpty = "the refer file is not in the index; the doc names refer/srar_no_en and, like panic/refer/fatal_no_en, it can only be empty: a NO-graded bank is cleared and never logged";
        One("panic_ucr", "srar_no_en", true, Ltpk + "panic_ucr/data/srar_no_en", """
            CPU 0 BANK 2
            STATUS VAL UC SRAR
            MCGSTATUS EIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x2eadbabe
            """,
            new SoftInjExpect { Panic = OldUnknown, Log = "", Note = InferredEmpty },
            new SoftInjExpect { Panic = ModernUnknown, Log = "", Note = InferredEmpty });
        One("panic_ucr", "srao_mem_scrub_noripv", true, Ltpk + "panic_ucr/data/srao_mem_scrub_noripv", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO 0xc0
            MCGSTATUS MCIP
            ADDR 0x1234
            MISC 0x8c
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = NoEripv },
            new SoftInjExpect
            {
                Panic = ModernFatal,
                Reason = NoEripv,
                Log = """
                    CPU 0 BANK 2
                    STATUS UNCORRECTED SRAO 0xc0
                    MCGSTATUS MCIP
                    ADDR 0x1000
                    MISC 0x8c
                    """,
                Note = TruncNote,
            });
        One("panic_ucr", "srao_ewb_noripv", true, Ltp + "panic_ucr/data/srao_ewb_noripv", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO 0x17a
            MCGSTATUS MCIP
            ADDR 0x1234
            MISC 0x8c
            """,
            new SoftInjExpect { Panic = OldFatal, Reason = NoEripv },
            new SoftInjExpect
            {
                Panic = ModernFatal,
                Reason = NoEripv,
                Log = """
                    CPU 0 BANK 2
                    STATUS UNCORRECTED SRAO 0x17a
                    MCGSTATUS MCIP
                    ADDR 0x1000
                    MISC 0x8c
                    """,
                Note = TruncNote,
            });

        // ---- poll_noser / poll_ucr: records raised through machine_check_poll.
        const string PollSkipNote = "no refer file is in the index, so cases.sh would compare against the data; but every poll rule in the reference skips this bank (Linux core.c machine_check_poll), so the expected log is taken to be empty (the case exercises the skip branch, as doc/cases/soft-inj_poll_ucr.txt describes)";
        One("poll_noser", "uc_poll", false, Ltpk + "poll_noser/data/uc_poll", """
            CPU 1 BANK 4
            MCGSTATUS MCIP
            STATUS UNCORRECTED
            RIP 12343434
            MISC 11
            POLL
            """,
            new SoftInjExpect { Log = "", Note = PollSkipNote },
            new SoftInjExpect { Log = "", Note = PollSkipNote });
        One("poll_ucr", "ucna", true, Ltpk + "poll_ucr/data/ucna", """
            CPU 0 BANK 2
            STATUS UNCORRECTED UCNA
            ADDR 0x1234
            MISC 0x8c
            POLL
            HOLD
            CPU 1 BANK 0
            """,
            new SoftInjExpect { MemoryFailurePfns = [] },
            new SoftInjExpect
            {
                Log = """
                    CPU 0 BANK 2
                    STATUS UNCORRECTED UCNA
                    ADDR 0x1000
                    MISC 0x8c
                    """,
                MemoryFailurePfns = [0x1],
                Note = TruncNote + "; the modern uc_decode_notifier also offlines the UCNA page",
            });
        One("poll_ucr", "ucna_over", true, Ltp + "poll_ucr/data/ucna_over", """
            CPU 0 BANK 2
            STATUS UNCORRECTED UCNA OVER
            ADDR 0x1234
            MISC 0x8c
            POLL
            """,
            new SoftInjExpect { MemoryFailurePfns = [] },
            new SoftInjExpect
            {
                Log = """
                    CPU 0 BANK 2
                    STATUS UNCORRECTED UCNA OVER
                    ADDR 0x1000
                    MISC 0x8c
                    """,
                MemoryFailurePfns = [0x1],
                Note = TruncNote + "; the modern uc_decode_notifier also offlines the UCNA page",
            });
        One("poll_ucr", "srar_poll", true, Ltpk + "poll_ucr/data/srar_poll", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAR
            MCGSTATUS EIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x2eadbabe
            POLL
            HOLD
            CPU 1 BANK 0
            """,
            new SoftInjExpect { Log = "", Note = PollSkipNote },
            new SoftInjExpect { Log = "", Note = PollSkipNote });
        One("poll_ucr", "fatal_poll", true, Ltpk + "poll_ucr/data/fatal_poll", """
            CPU 1 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL
            RIP 12343434
            MISC 11
            POLL
            """,
            new SoftInjExpect { RemoveRip = true },
            new SoftInjExpect
            {
                Log = "",
                Note = "the 2.6.32 poller skips only S=1 banks under SER, so it logs this PCC bank; the modern poller leaves PCC banks to #MC (Linux core.c machine_check_poll)",
            });

        // ---- recoverable_ucr: SRAO and SRAR that do not panic.
        One("recoverable_ucr", "srao_mem_scrub", true, Ltpk + "recoverable_ucr/data/srao_mem_scrub", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO 0xc0
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            MISC 0x8c
            RIP 0x73:0x1eadbabe
            """,
            new SoftInjExpect { MemoryFailurePfns = [0x1], Killed = false },
            new SoftInjExpect
            {
                Log = """
                    CPU 0 BANK 2
                    STATUS UNCORRECTED SRAO 0xc0
                    MCGSTATUS RIPV MCIP
                    ADDR 0x1000
                    MISC 0x8c
                    RIP 0x73:0x1eadbabe
                    """,
                MemoryFailurePfns = [0x1],
                Killed = false,
                Note = TruncNote,
            });
        One("recoverable_ucr", "srao_ewb", true, Ltpk + "recoverable_ucr/data/srao_ewb", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO 0x17a
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            MISC 0x8c
            RIP 0x73:0x1eadbabe
            """,
            new SoftInjExpect { MemoryFailurePfns = [0x1], Killed = false },
            new SoftInjExpect
            {
                Log = """
                    CPU 0 BANK 2
                    STATUS UNCORRECTED SRAO 0x17a
                    MCGSTATUS RIPV MCIP
                    ADDR 0x1000
                    MISC 0x8c
                    RIP 0x73:0x1eadbabe
                    """,
                MemoryFailurePfns = [0x1],
                Killed = false,
                Note = TruncNote,
            });
        const string SraoOnly = """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x1eadbabe
            """;
        One("recoverable_ucr", "srao_corrected", true, Ltp + "recoverable_ucr/data/srao_corrected (refer: " + Ltpk + "recoverable_ucr/refer/srao_corrected)", """
            CPU 1 BANK 1
            MCGSTATUS RIPV MCIP
            STATUS CORRECTED
            EXCP
            HOLD

            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x1eadbabe
            """,
            new SoftInjExpect { Log = SraoOnly, MemoryFailurePfns = [] },
            new SoftInjExpect
            {
                Log = SraoOnly + "\nCPU 1 BANK 1\nSTATUS CORRECTED",
                MemoryFailurePfns = [],
                Note = "the #MC handler leaves CPU 1's not-signalled corrected bank to the poller (Linux core.c __mc_scan_banks), which logs it after the #MC cleared MCG_STATUS; the LTP-era refer predates this (the HEAD refer/srao_ucna shows the same effect for a UCNA)",
            });
        One("recoverable_ucr", "srao_no_en", true, Ltp + "recoverable_ucr/data/srao_no_en", """
            CPU 0 BANK 2
            STATUS VAL UC SRAO
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x1eadbabe
            """,
            new SoftInjExpect { Panic = OldUnknown, Log = "" },
            new SoftInjExpect { Panic = ModernUnknown, Log = "" });
        One("recoverable_ucr", "srao_over", true, Ltp + "recoverable_ucr/data/srao_over", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO OVER
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x1eadbabe
            """, none, none);
        One("recoverable_ucr", "srao_ucna", true, Ltp + "recoverable_ucr/data/srao_ucna (refer: " + Ltpk + "recoverable_ucr/refer/srao_ucna; HEAD: " + Hc + "recoverable_ucr/refer/srao_ucna)", """
            CPU 1 BANK 1
            MCGSTATUS RIPV MCIP
            STATUS UNCORRECTED UCNA
            EXCP
            HOLD

            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO
            MCGSTATUS RIPV MCIP
            ADDR 0x1234
            RIP 0x73:0x1eadbabe
            """,
            new SoftInjExpect { Log = SraoOnly },
            new SoftInjExpect
            {
                Log = SraoOnly + "\nCPU 1 BANK 1\nSTATUS UNCORRECTED UCNA",
                RemoveRip = true,
                Note = "matches the HEAD refer (SRAO plus the UCNA, RIP removed) except MCGSTATUS: the poller logs the UCNA after the #MC cleared MCG_STATUS (Linux core.c do_machine_check), the refer shows RIPV MCIP",
            });
        var srarOld = new SoftInjExpect { Killed = true, MemoryFailurePfns = [0x12345] };
        One("recoverable_ucr", "srar_usr_dcu", true, Old + "recoverable_ucr/data/srar_usr_dcu", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAR 0x134
            MCGSTATUS RIPV MCIP EIPV
            ADDR 0x12345000
            MISC 0x8c
            RIP 0x73:0x1eadbabe
            NOBROADCAST
            """,
            srarOld,
            new SoftInjExpect { Panic = ModernTimeout, Timeout = true, Killed = true, MemoryFailurePfns = [0x12345], Note = TimeoutNote + "; v3.x at tolerant 1 did not panic on a timeout" },
            LinuxTableEra.V3);
        One("recoverable_ucr", "srar_usr_dcu_nmi", true, Hc + "recoverable_ucr/data/srar_usr_dcu_nmi", """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAR 0x134
            MCGSTATUS RIPV MCIP EIPV
            ADDR 0x12345000
            MISC 0x8c
            RIP 0x73:0x1eadbabe
            """,
            srarOld, srarOld, LinuxTableEra.V3);
        One("recoverable_ucr", "srar_usr_dcu_irq", true, Hc + "recoverable_ucr/data/srar_usr_dcu_irq", """
            CPU 3 BANK 2
            STATUS UNCORRECTED SRAR 0x134
            MCGSTATUS RIPV MCIP EIPV
            ADDR 0x12345000
            MISC 0x8c
            RIP 0x73:0x1eadbabe
            IRQBROADCAST
            """,
            srarOld, srarOld, LinuxTableEra.V3);

        return cases;
    }
}
