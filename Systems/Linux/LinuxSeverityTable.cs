using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

/// <summary>
/// The Intel machine-check grading tables of the Linux kernel (Linux arch/x86/kernel/cpu/mce/severity.c): ordered rules,
/// first match wins, then the post-match raise. Tables are precomputed arrays of
/// <see cref="LinuxSeverityRule"/>; grading allocates nothing.
/// </summary>
public static class LinuxSeverityTable
{
    private const ulong Val = MciStatusBits.Val;
    private const ulong Over = MciStatusBits.Over;
    private const ulong Uc = MciStatusBits.Uc;
    private const ulong En = MciStatusBits.En;
    private const ulong Pcc = MciStatusBits.Pcc;
    private const ulong S = MciStatusBits.S;
    private const ulong Ar = MciStatusBits.Ar;
    private const ulong UcS = Uc | S;
    private const ulong UcAr = Uc | Ar;
    private const ulong UcSar = Uc | S | Ar;
    /// <summary>MCI_ADDR in severity.c: ADDRV and MISCV.</summary>
    private const ulong AddrMisc = MciStatusBits.AddrV | MciStatusBits.MiscV;
    /// <summary>
    /// The MCACOD mask of the modern table: bits 15:0 without bit 12, the F (corrected filtering) bit,
    /// so an uncorrected signature still matches with F set (Linux asm/mce.h MCACOD 0xefff).
    /// </summary>
    private const ulong McacodMask = 0xEFFF;
    /// <summary>The modern scrub mask, 0xC0-0xCF with bit 12 skipped (Linux asm/mce.h MCACOD_SCRUBMSK 0xeff0).</summary>
    private const ulong ScrubMask = 0xEFF0;
    /// <summary>The old tables' MCACOD mask, all of bits 15:0 (Linux v3.x mce-severity.c 08dda402 and 2.6.32 mce-severity.c MCACOD 0xffff).</summary>
    private const ulong OldMcacodMask = 0xFFFF;
    /// <summary>The old tables' scrub mask (Linux v3.x mce-severity.c 08dda402 MCACOD_SCRUBMSK 0xfff0; 2.6.32 mce-severity.c 0xfff0).</summary>
    private const ulong OldScrubMask = 0xFFF0;
    private const ulong Scrub = (ulong)Hardware.Mcacod.MemScrubFirst;
    private const ulong L3Wb = (ulong)Hardware.Mcacod.L3ExplicitWriteback;
    private const ulong DataLoad = (ulong)Hardware.Mcacod.DataLoad;
    private const ulong InstrFetch = (ulong)Hardware.Mcacod.InstructionFetch;
    private const ulong Ripv = McgStatusBits.Ripv;
    private const ulong Eipv = McgStatusBits.Eipv;
    private const ulong Mcip = McgStatusBits.Mcip;

    /// <summary>The modern table: Linux severity.c severities[] in order, numbered from 1 (rule 6 appears twice: KERNEL and KERNEL_RECOV).</summary>
    private static readonly LinuxSeverityRule[] Modern =
    [
        // Linux severity.c rule 1
        new(1, LinuxSeverity.No, "Invalid", Val, 0),
        // Linux severity.c rule 2
        new(2, LinuxSeverity.No, "Not enabled", En, 0, exceptionOnly: true),
        // Linux severity.c rule 3
        new(3, LinuxSeverity.Panic, "Processor context corrupt", Pcc, Pcc),
        // Linux severity.c rule 4
        new(4, LinuxSeverity.Panic, "MCIP not set in MCA handler", 0, 0, Mcip, 0, exceptionOnly: true),
        // Linux severity.c rule 5
        new(5, LinuxSeverity.Panic, "Neither restart nor error IP", 0, 0, Ripv | Eipv, 0, exceptionOnly: true),
        // Linux severity.c rule 6 (KERNEL)
        new(6, LinuxSeverity.Panic, "In kernel and no restart IP", 0, 0, Ripv, 0, context: RuleContext.Kernel, exceptionOnly: true),
        // Linux severity.c rule 6 (repeated for KERNEL_RECOV)
        new(6, LinuxSeverity.Panic, "In kernel and no restart IP", 0, 0, Ripv, 0, context: RuleContext.KernelRecov, exceptionOnly: true),
        // Linux severity.c rule 7
        new(7, LinuxSeverity.Keep, "Corrected error", Uc, 0, ser: RuleSer.NoSer),
        // Linux severity.c rule 8: S and OVER are not examined
        new(8, LinuxSeverity.Ao, "Action optional: memory scrubbing error", UcAr | ScrubMask, Uc | Scrub, ser: RuleSer.Ser),
        // Linux severity.c rule 9
        new(9, LinuxSeverity.Ao, "Action optional: last level cache writeback error", UcAr | McacodMask, Uc | L3Wb, ser: RuleSer.Ser),
        // Linux severity.c rule 10: Skylake-SP quirk; never matches (no CPU model is modelled)
        new(10, LinuxSeverity.Ao, "Uncorrected Patrol Scrub Error", Uc | AddrMisc | 0xFFFF_EFF0, AddrMisc | 0x0010_00C0, ser: RuleSer.Ser, skylakeXQuirk: true),
        // Linux severity.c rule 11: OVER is ignored
        new(11, LinuxSeverity.Ucna, "Uncorrected no action required", UcSar, Uc, ser: RuleSer.Ser),
        // Linux severity.c rule 12
        new(12, LinuxSeverity.Panic, "Illegal combination (UCNA with AR=1)", Over | UcSar, UcAr, ser: RuleSer.Ser),
        // Linux severity.c rule 13
        new(13, LinuxSeverity.Keep, "Non signaled machine check", S, 0, ser: RuleSer.Ser),
        // Linux severity.c rule 14
        new(14, LinuxSeverity.Panic, "Action required with lost events", Over | UcSar, Over | UcSar, ser: RuleSer.Ser),
        // Linux severity.c rule 15 (CONFIG_MEMORY_FAILURE, assumed built in)
        new(15, LinuxSeverity.Keep, "Action required but unaffected thread is continuable", Over | UcSar | AddrMisc, UcSar | AddrMisc, Ripv | Eipv, Ripv, ser: RuleSer.Ser),
        // Linux severity.c rule 16
        new(16, LinuxSeverity.Ar, "Action required: data load in error recoverable area of kernel", Over | UcSar | AddrMisc | McacodMask, UcSar | AddrMisc | DataLoad, ser: RuleSer.Ser, context: RuleContext.KernelRecov),
        // Linux severity.c rule 17
        new(17, LinuxSeverity.Ar, "Action required: data load error in a user process", Over | UcSar | AddrMisc | McacodMask, UcSar | AddrMisc | DataLoad, ser: RuleSer.Ser, context: RuleContext.User),
        // Linux severity.c rule 18
        new(18, LinuxSeverity.Ar, "Action required: instruction fetch error in a user process", Over | UcSar | AddrMisc | McacodMask, UcSar | AddrMisc | InstrFetch, ser: RuleSer.Ser, context: RuleContext.User),
        // Linux severity.c rule 19
        new(19, LinuxSeverity.Panic, "Data load in unrecoverable area of kernel", Over | UcSar | AddrMisc | McacodMask, UcSar | AddrMisc | DataLoad, ser: RuleSer.Ser, context: RuleContext.Kernel),
        // Linux severity.c rule 20
        new(20, LinuxSeverity.Panic, "Instruction fetch error in kernel", Over | UcSar | AddrMisc | McacodMask, UcSar | AddrMisc | InstrFetch, ser: RuleSer.Ser, context: RuleContext.Kernel),
        // Linux severity.c rule 21
        new(21, LinuxSeverity.Panic, "Action required: unknown MCACOD", Over | UcSar, UcSar, ser: RuleSer.Ser),
        // Linux severity.c rule 22
        new(22, LinuxSeverity.Some, "Action optional: unknown MCACOD", Over | UcSar, UcS, ser: RuleSer.Ser),
        // Linux severity.c rule 23
        new(23, LinuxSeverity.Some, "Action optional with lost events", Over | UcSar, Over | UcS, ser: RuleSer.Ser),
        // Linux severity.c rule 24
        new(24, LinuxSeverity.Panic, "Overflowed uncorrected", Over | Uc, Over | Uc),
        // Linux severity.c rule 25
        new(25, LinuxSeverity.Uc, "Uncorrected", Uc, Uc),
        // Linux severity.c rule 26: always matches
        new(26, LinuxSeverity.Some, "No match", 0, 0),
    ];

    /// <summary>
    /// The v3.x table (Linux v3.x mcheck/mce-severity.c): the 2.6.32 rules without the dead SOME rule,
    /// plus the HT-thread KEEP and the USER data-load AR rules (built with CONFIG_MEMORY_FAILURE), and
    /// the unknown-SRAR rule without its MCACOD condition. Like 2.6.32 it has no EXCP gates and grades
    /// UCNA as KEEP; its AO rules keep the 2.6.32 S=1/OVER=0 condition (assumed: the reference only
    /// says modern rule 8 stopped examining S and OVER).
    /// </summary>
    private static readonly LinuxSeverityRule[] V3 =
    [
        // modern rule 1; the old mce-severity.c has no EXCP notion, so rules 2, 4, 5 and 6 are unconditional
        new(1, LinuxSeverity.No, "Invalid", Val, 0),
        // modern rule 2 (old form: no EXCP gate, no raise)
        new(2, LinuxSeverity.No, "Not enabled", En, 0),
        // modern rule 3 (old form: no EXCP gate, no raise)
        new(3, LinuxSeverity.Panic, "Processor context corrupt", Pcc, Pcc),
        // modern rule 4 (old form: no EXCP gate, no raise)
        new(4, LinuxSeverity.Panic, "MCIP not set in MCA handler", 0, 0, Mcip, 0),
        // modern rule 5 (old form: no EXCP gate, no raise)
        new(5, LinuxSeverity.Panic, "Neither restart nor error IP", 0, 0, Ripv | Eipv, 0),
        // modern rule 6 (old form: no EXCP gate, no raise)
        new(6, LinuxSeverity.Panic, "In kernel and no restart IP", 0, 0, Ripv, 0, context: RuleContext.Kernel),
        // modern rule 7 (old form: no EXCP gate, no raise)
        new(7, LinuxSeverity.Keep, "Corrected error", Uc, 0, ser: RuleSer.NoSer),
        // Linux v3.x mce-severity.c: old kernels graded UCNA as KEEP
        new(8, LinuxSeverity.Keep, "Uncorrected no action required", UcSar, Uc, ser: RuleSer.Ser),
        // modern rule 12 (old form: no EXCP gate, no raise)
        new(9, LinuxSeverity.Panic, "Illegal combination (UCNA with AR=1)", Over | UcSar, UcAr, ser: RuleSer.Ser),
        // modern rule 13: the 2.6.32/v3 text is spelled "signalled"
        new(10, LinuxSeverity.Keep, "Non signalled machine check", S, 0, ser: RuleSer.Ser),
        // modern rule 14 (old form: no EXCP gate, no raise)
        new(11, LinuxSeverity.Panic, "Action required with lost events", Over | UcSar, Over | UcSar, ser: RuleSer.Ser),
        // Linux v3.x mce-severity.c added the HT-thread KEEP rule (EIPV=0)
        new(12, LinuxSeverity.Keep, "HT thread notices Action required: data load error", Over | UcSar | AddrMisc | OldMcacodMask, UcSar | AddrMisc | DataLoad, Eipv, 0, ser: RuleSer.Ser),
        // Linux v3.x mce-severity.c added the USER-only AR data-load rule
        new(13, LinuxSeverity.Ar, "Action required: data load error", Over | UcSar | AddrMisc | OldMcacodMask, UcSar | AddrMisc | DataLoad, ser: RuleSer.Ser, context: RuleContext.User),
        // Linux v3.x mce-severity.c: the unknown-SRAR rule lost its MCACOD condition
        new(14, LinuxSeverity.Panic, "Action required: unknown MCACOD", Over | UcSar, UcSar, ser: RuleSer.Ser),
        // Linux 2.6.32/v3.x mce-severity.c: AO rules required S=1 and OVER=0
        new(15, LinuxSeverity.Ao, "Action optional: memory scrubbing error", Over | UcSar | OldScrubMask, UcS | Scrub, ser: RuleSer.Ser),
        // modern rule 9 (old form: no EXCP gate, no raise)
        new(16, LinuxSeverity.Ao, "Action optional: last level cache writeback error", Over | UcSar | OldMcacodMask, UcS | L3Wb, ser: RuleSer.Ser),
        // modern rule 22 (old form: no EXCP gate, no raise)
        new(17, LinuxSeverity.Some, "Action optional: unknown MCACOD", Over | UcSar, UcS, ser: RuleSer.Ser),
        // modern rule 23 (old form: no EXCP gate, no raise)
        new(18, LinuxSeverity.Some, "Action optional with lost events", Over | UcSar, Over | UcS, ser: RuleSer.Ser),
        // modern rule 24 (old form: no EXCP gate, no raise)
        new(19, LinuxSeverity.Panic, "Overflowed uncorrected", Over | Uc, Over | Uc),
        // modern rule 25 (old form: no EXCP gate, no raise)
        new(20, LinuxSeverity.Uc, "Uncorrected", Uc, Uc),
        // modern rule 26 (old form: no EXCP gate, no raise)
        new(21, LinuxSeverity.Some, "No match", 0, 0),
    ];

    /// <summary>The 2.6.32 table (Linux 2.6.32 mcheck/mce-severity.c).</summary>
    private static readonly LinuxSeverityRule[] V2632 =
    [
        // modern rule 1; the old mce-severity.c has no EXCP notion, so rules 2, 4, 5 and 6 are unconditional
        new(1, LinuxSeverity.No, "Invalid", Val, 0),
        // modern rule 2 (old form: no EXCP gate, no raise)
        new(2, LinuxSeverity.No, "Not enabled", En, 0),
        // modern rule 3 (old form: no EXCP gate, no raise)
        new(3, LinuxSeverity.Panic, "Processor context corrupt", Pcc, Pcc),
        // modern rule 4 (old form: no EXCP gate, no raise)
        new(4, LinuxSeverity.Panic, "MCIP not set in MCA handler", 0, 0, Mcip, 0),
        // modern rule 5 (old form: no EXCP gate, no raise)
        new(5, LinuxSeverity.Panic, "Neither restart nor error IP", 0, 0, Ripv | Eipv, 0),
        // modern rule 6 (old form: no EXCP gate, no raise)
        new(6, LinuxSeverity.Panic, "In kernel and no restart IP", 0, 0, Ripv, 0, context: RuleContext.Kernel),
        // modern rule 7 (old form: no EXCP gate, no raise)
        new(7, LinuxSeverity.Keep, "Corrected error", Uc, 0, ser: RuleSer.NoSer),
        // Linux 2.6.32/v3.x mce-severity.c: the extra, dead SOME rule (rule 2 already took EN=0)
        new(8, LinuxSeverity.Some, "Spurious not enabled", Over | Uc | En, Uc, ser: RuleSer.Ser),
        // Linux 2.6.32/v3.x mce-severity.c: UCNA -> KEEP
        new(9, LinuxSeverity.Keep, "Uncorrected no action required", UcSar, Uc, ser: RuleSer.Ser),
        // modern rule 12 (old form: no EXCP gate, no raise)
        new(10, LinuxSeverity.Panic, "Illegal combination (UCNA with AR=1)", Over | UcSar, UcAr, ser: RuleSer.Ser),
        // modern rule 13 (old form: no EXCP gate, no raise)
        new(11, LinuxSeverity.Keep, "Non signalled machine check", S, 0, ser: RuleSer.Ser),
        // modern rule 14 (old form: no EXCP gate, no raise)
        new(12, LinuxSeverity.Panic, "Action required with lost events", Over | UcSar, Over | UcSar, ser: RuleSer.Ser),
        // Linux 2.6.32/v3.x mce-severity.c: semicolon, MCACOD == 0 only, before the AO rules
        new(13, LinuxSeverity.Panic, "Action required; unknown MCACOD", Over | UcSar | OldMcacodMask, UcSar, ser: RuleSer.Ser),
        // Linux 2.6.32/v3.x mce-severity.c: the AO rules required S=1 and OVER=0
        new(14, LinuxSeverity.Ao, "Action optional: memory scrubbing error", Over | UcSar | OldScrubMask, UcS | Scrub, ser: RuleSer.Ser),
        // modern rule 9 (old form: no EXCP gate, no raise)
        new(15, LinuxSeverity.Ao, "Action optional: last level cache writeback error", Over | UcSar | OldMcacodMask, UcS | L3Wb, ser: RuleSer.Ser),
        // Linux 2.6.32/v3.x mce-severity.c: "Action optional unknown MCACOD" had no colon
        new(16, LinuxSeverity.Some, "Action optional unknown MCACOD", Over | UcSar, UcS, ser: RuleSer.Ser),
        // modern rule 23 (old form: no EXCP gate, no raise)
        new(17, LinuxSeverity.Some, "Action optional with lost events", Over | UcSar, Over | UcS, ser: RuleSer.Ser),
        // modern rule 24 (old form: no EXCP gate, no raise)
        new(18, LinuxSeverity.Panic, "Overflowed uncorrected", Over | Uc, Over | Uc),
        // modern rule 25 (old form: no EXCP gate, no raise)
        new(19, LinuxSeverity.Uc, "Uncorrected", Uc, Uc),
        // modern rule 26 (old form: no EXCP gate, no raise)
        new(20, LinuxSeverity.Some, "No match", 0, 0),
    ];

    /// <summary>
    /// Grades one bank with the modern table (Linux severity.c): first match wins, then a result
    /// of UC or worse in <see cref="LinuxContext.Kernel"/> becomes PANIC with the rule's message.
    /// </summary>
    /// <param name="status">MCi_STATUS.</param>
    /// <param name="mcgStatus">MCG_STATUS of the CPU that read the bank.</param>
    /// <param name="ser">MCG_CAP.SER_P (mca_cfg.ser).</param>
    /// <param name="context">The error context (<see cref="ContextOf(ulong, ushort, bool)"/>).</param>
    /// <param name="isException">EXCP: true inside #MC, false for the poller and CMCI.</param>
    public static LinuxGrade Grade(ulong status, ulong mcgStatus, bool ser, LinuxContext context, bool isException)
        => Grade(LinuxTableEra.Modern, status, mcgStatus, ser, context, isException);

    /// <summary>
    /// Grades one bank with the table of <paramref name="era"/>. The old eras have no EXCP gates
    /// (<paramref name="isException"/> is ignored) and, at the default tolerant = 1, no post-match raise.
    /// </summary>
    internal static LinuxGrade Grade(LinuxTableEra era, ulong status, ulong mcgStatus, bool ser, LinuxContext context, bool isException)
    {
        LinuxSeverityRule[] rules = RulesOf(era);
        for (int i = 0; i < rules.Length; i++)
        {
            ref readonly LinuxSeverityRule rule = ref rules[i];
            if (!rule.Matches(status, mcgStatus, ser, context, isException))
            {
                continue;
            }

            LinuxSeverity severity = rule.Severity;
            // Linux severity.c mce_severity_intel: >= UC in IN_KERNEL becomes PANIC, message kept.
            // Old kernels raised only when tolerant < 1; the default tolerant = 1 kept UC/AR unraised.
            if (era == LinuxTableEra.Modern && severity >= LinuxSeverity.Uc && context == LinuxContext.Kernel)
            {
                severity = LinuxSeverity.Panic;
            }

            return new LinuxGrade(severity, rule.Message, rule.RuleNumber);
        }

        throw new InvalidOperationException("unreachable: the last rule of every table always matches");
    }

    /// <summary>
    /// The modern error context (Linux severity.c error_context). <paramref name="cs"/> is
    /// the code segment as gathered: 0 when neither RIPV nor EIPV is set. <paramref name="kernelRecoverableFixup"/>
    /// says the faulting ip has an MCE-safe exception-table fixup (FAULT_MCE_SAFE, DEFAULT_MCE_SAFE,
    /// or a UACCESS fixup inside a copy from user).
    /// </summary>
    public static LinuxContext ContextOf(ulong mcgStatus, ushort cs, bool kernelRecoverableFixup)
    {
        // Linux severity.c error_context: (cs & 3) == 3 -> USER
        if ((cs & 3) == 3)
        {
            return LinuxContext.User;
        }

        // Linux severity.c error_context: unless RIPV and EIPV are both set -> KERNEL
        if ((mcgStatus & (Ripv | Eipv)) != (Ripv | Eipv))
        {
            return LinuxContext.Kernel;
        }

        // Linux severity.c error_context: the fixup type of the faulting ip decides
        return kernelRecoverableFixup ? LinuxContext.KernelRecov : LinuxContext.Kernel;
    }

    /// <summary>
    /// The error context of <paramref name="era"/>: modern as <see cref="ContextOf(ulong, ushort, bool)"/>;
    /// 2.6.32/v3.x: USER only if EIPV is set, ip != 0 and (cs &amp; 3) == 3, otherwise KERNEL.
    /// </summary>
    internal static LinuxContext ContextOf(LinuxTableEra era, ulong mcgStatus, ushort cs, ulong ip, bool kernelRecoverableFixup)
    {
        if (era == LinuxTableEra.Modern)
        {
            return ContextOf(mcgStatus, cs, kernelRecoverableFixup);
        }

        // Linux 2.6.32/v3.x mce-severity.c error_context
        return (mcgStatus & Eipv) != 0 && ip != 0 && (cs & 3) == 3 ? LinuxContext.User : LinuxContext.Kernel;
    }

    /// <summary>Number of rows in <paramref name="era"/>'s table (the modern rule 6 counts twice).</summary>
    internal static int RuleCount(LinuxTableEra era) => RulesOf(era).Length;

    private static LinuxSeverityRule[] RulesOf(LinuxTableEra era) => era switch
    {
        LinuxTableEra.Modern => Modern,
        LinuxTableEra.V3 => V3,
        LinuxTableEra.V2632 => V2632,
        _ => throw new ArgumentOutOfRangeException(nameof(era), era, "expected Modern, V3 or V2632"),
    };
}
