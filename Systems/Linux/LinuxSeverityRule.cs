namespace Mca.Systems.Linux;

/// <summary>SER gate of a grading rule (Linux severity.c).</summary>
internal enum RuleSer : byte
{
    Any,
    /// <summary>SER: only when MCG_CAP.SER_P (mca_cfg.ser) is set.</summary>
    Ser,
    /// <summary>NOSER: only when SER is off.</summary>
    NoSer,
}

/// <summary>Context gate of a grading rule; <see cref="Any"/> means the rule has no context.</summary>
internal enum RuleContext : byte
{
    Any,
    Kernel,
    User,
    KernelRecov,
}

/// <summary>
/// One row of a severity table: mask/result pairs on MCi_STATUS and MCG_STATUS, the gates, and
/// what a match yields. Rows are immutable and built once per era (<see cref="LinuxSeverityTable"/>).
/// </summary>
internal readonly struct LinuxSeverityRule
{
    public readonly ulong StatusMask;
    public readonly ulong StatusResult;
    public readonly ulong McgMask;
    public readonly ulong McgResult;
    public readonly RuleSer Ser;
    public readonly RuleContext Context;
    /// <summary>EXCP: only when grading inside the #MC handler.</summary>
    public readonly bool ExceptionOnly;
    /// <summary>
    /// Skylake-SP patrol-scrub quirk gate (CPU model SKYLAKE_X stepping 4+, banks 13-18). The
    /// simulator models no CPU model, so a rule with this gate never matches.
    /// </summary>
    public readonly bool SkylakeXQuirk;
    public readonly LinuxSeverity Severity;
    public readonly byte RuleNumber;
    public readonly string Message;

    public LinuxSeverityRule(
        byte ruleNumber,
        LinuxSeverity severity,
        string message,
        ulong statusMask,
        ulong statusResult,
        ulong mcgMask = 0,
        ulong mcgResult = 0,
        RuleSer ser = RuleSer.Any,
        RuleContext context = RuleContext.Any,
        bool exceptionOnly = false,
        bool skylakeXQuirk = false)
    {
        System.Diagnostics.Debug.Assert((statusResult & ~statusMask) == 0, "a status result bit outside its mask can never match");
        System.Diagnostics.Debug.Assert((mcgResult & ~mcgMask) == 0, "an MCG result bit outside its mask can never match");
        RuleNumber = ruleNumber;
        Severity = severity;
        Message = message;
        StatusMask = statusMask;
        StatusResult = statusResult;
        McgMask = mcgMask;
        McgResult = mcgResult;
        Ser = ser;
        Context = context;
        ExceptionOnly = exceptionOnly;
        SkylakeXQuirk = skylakeXQuirk;
    }

    public bool Matches(ulong status, ulong mcgStatus, bool ser, LinuxContext context, bool isException)
    {
        if ((status & StatusMask) != StatusResult || (mcgStatus & McgMask) != McgResult)
        {
            return false;
        }

        if ((Ser == RuleSer.Ser && !ser) || (Ser == RuleSer.NoSer && ser))
        {
            return false;
        }

        if (Context != RuleContext.Any && (int)Context - 1 != (int)context)
        {
            return false;
        }

        if (ExceptionOnly && !isException)
        {
            return false;
        }

        return !SkylakeXQuirk;
    }
}
