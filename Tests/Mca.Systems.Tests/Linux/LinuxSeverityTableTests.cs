using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>One theory per rule of the modern table (Linux severity.c), plus the gates, the raise and the old eras.</summary>
public class LinuxSeverityTableTests
{
    private const ulong Val = 1UL << 63;
    private const ulong Over = 1UL << 62;
    private const ulong Uc = 1UL << 61;
    private const ulong En = 1UL << 60;
    private const ulong MiscV = 1UL << 59;
    private const ulong AddrV = 1UL << 58;
    private const ulong Pcc = 1UL << 57;
    private const ulong S = 1UL << 56;
    private const ulong Ar = 1UL << 55;
    private const ulong Ripv = 1;
    private const ulong Eipv = 2;
    private const ulong Mcip = 4;
    private const ulong McgAll = Mcip | Ripv | Eipv;
    private const ulong Srar = Val | En | Uc | S | Ar;
    private const ulong SrarAddr = Srar | AddrV | MiscV;

    private const LinuxContext K = LinuxContext.Kernel;
    private const LinuxContext U = LinuxContext.User;
    private const LinuxContext R = LinuxContext.KernelRecov;

    private static void AssertGrade(ulong status, ulong mcg, bool ser, LinuxContext context, bool excp, LinuxSeverity severity, int rule, string message)
    {
        LinuxGrade grade = LinuxSeverityTable.Grade(status, mcg, ser, context, excp);
        Assert.Equal(new LinuxGrade(severity, message, rule), grade);
    }

    [Theory]
    [InlineData(0UL, McgAll, true, U, true)]
    [InlineData(Uc | En | Pcc | S, McgAll, false, K, true)]
    [InlineData(En, 0UL, true, U, false)]
    public void Grade_Rule01ValClear_IsNoInvalid(ulong status, ulong mcg, bool ser, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, ser, ctx, excp, LinuxSeverity.No, 1, "Invalid");

    [Theory]
    [InlineData(Val | Uc | S, McgAll, true, U)]
    [InlineData(Val | Uc | Pcc, McgAll, false, K)]
    public void Grade_Rule02EnClearInException_IsNoNotEnabled(ulong status, ulong mcg, bool ser, LinuxContext ctx)
        => AssertGrade(status, mcg, ser, ctx, true, LinuxSeverity.No, 2, "Not enabled");

    [Fact]
    public void Grade_Rule02EnClearFromPoll_IsNotExcpGatedRule()
    {
        // EXCP gate: from the poller the same bank falls through to the SER rules.
        AssertGrade(Val | Uc | S, McgAll, true, U, false, LinuxSeverity.Some, 22, "Action optional: unknown MCACOD");
    }

    [Theory]
    [InlineData(Val | En | Uc | Pcc, Mcip, true, K, true)]
    [InlineData(Val | En | Uc | Pcc | S | Over, McgAll, false, U, false)]
    [InlineData(Val | En | Pcc, 0UL, true, U, false)]
    public void Grade_Rule03Pcc_IsPanicProcessorContextCorrupt(ulong status, ulong mcg, bool ser, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, ser, ctx, excp, LinuxSeverity.Panic, 3, "Processor context corrupt");

    [Theory]
    [InlineData(Val | En | Uc | S, Ripv | Eipv, true, U)]
    [InlineData(Val | En | Uc, 0UL, false, K)]
    public void Grade_Rule04McipClearInException_IsPanicMcipNotSet(ulong status, ulong mcg, bool ser, LinuxContext ctx)
        => AssertGrade(status, mcg, ser, ctx, true, LinuxSeverity.Panic, 4, "MCIP not set in MCA handler");

    [Theory]
    [InlineData(Val | En | Uc | S, Mcip, true, U)]
    [InlineData(Val | En | Uc | S | 0xC0, Mcip, true, K)]
    [InlineData(Val | En, Mcip, false, K)]
    public void Grade_Rule05NeitherRipvNorEipv_IsPanicNeitherRestartNorErrorIp(ulong status, ulong mcg, bool ser, LinuxContext ctx)
        => AssertGrade(status, mcg, ser, ctx, true, LinuxSeverity.Panic, 5, "Neither restart nor error IP");

    [Theory]
    [InlineData(Val | En | Uc | S, Mcip | Eipv, true, K)]
    [InlineData(Val | En | Uc | S, Mcip | Eipv, true, R)]
    [InlineData(Val | En, Mcip | Eipv, false, K)]
    public void Grade_Rule06KernelWithoutRipv_IsPanicInKernelAndNoRestartIp(ulong status, ulong mcg, bool ser, LinuxContext ctx)
        => AssertGrade(status, mcg, ser, ctx, true, LinuxSeverity.Panic, 6, "In kernel and no restart IP");

    [Fact]
    public void Grade_Rule06UserWithoutRipv_DoesNotApply()
    {
        AssertGrade(Val | En | Uc | S, Mcip | Eipv, true, U, true, LinuxSeverity.Some, 22, "Action optional: unknown MCACOD");
    }

    [Theory]
    [InlineData(Val | En, McgAll, K, true)]
    [InlineData(Val | En | Over | AddrV, 0UL, K, false)]
    [InlineData(Val | En | S | Ar, McgAll, U, true)]
    public void Grade_Rule07NoSerCorrected_IsKeepCorrectedError(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, false, ctx, excp, LinuxSeverity.Keep, 7, "Corrected error");

    [Theory]
    [InlineData(Val | En | Uc | S | 0xC0, Mcip | Ripv, U, true)]
    [InlineData(Val | En | Uc | 0xCF, 0UL, K, false)]
    [InlineData(Val | En | Uc | S | Over | AddrV | MiscV | 0xC3, Mcip | Ripv, K, true)]
    public void Grade_Rule08SerScrub_IsAoMemoryScrubbing(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Ao, 8, "Action optional: memory scrubbing error");

    [Theory]
    [InlineData(Val | En | Uc | S | 0x17A, Mcip | Ripv, U, true)]
    [InlineData(Val | En | Uc | 0x17A, 0UL, K, false)]
    public void Grade_Rule09SerL3Writeback_IsAoLastLevelCacheWriteback(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Ao, 9, "Action optional: last level cache writeback error");

    [Fact]
    public void Grade_Rule10SkylakeQuirk_NeverMatchesWithoutCpuModel()
    {
        // UC=0, ADDRV+MISCV, MSCOD 0x0010, MCACOD 0x00C0: only SKYLAKE_X stepping >= 4 banks 13-18 grade it AO.
        AssertGrade(Val | En | AddrV | MiscV | 0x0010_00C0, 0, true, K, false, LinuxSeverity.Keep, 13, "Non signaled machine check");
    }

    [Theory]
    [InlineData(Val | En | Uc, 0UL, K, false)]
    [InlineData(Val | En | Uc | Over | AddrV | MiscV, Mcip | Ripv, U, true)]
    [InlineData(Val | Uc | 0x134, 0UL, K, false)]
    public void Grade_Rule11SerUcna_IsUcnaUncorrectedNoActionRequired(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Ucna, 11, "Uncorrected no action required");

    [Theory]
    [InlineData(Val | En | Uc | Ar, McgAll, K, true)]
    [InlineData(Val | En | Uc | Ar | AddrV | 0x134, McgAll, U, false)]
    public void Grade_Rule12SerUcnaWithAr_IsPanicIllegalCombination(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Panic, 12, "Illegal combination (UCNA with AR=1)");

    [Theory]
    [InlineData(Val | En, McgAll, K, true)]
    [InlineData(Val | En | Over | AddrV, 0UL, K, false)]
    [InlineData(Val | En | Over | Uc | Ar, McgAll, U, true)]
    public void Grade_Rule13SerNotSignaled_IsKeepNonSignaled(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Keep, 13, "Non signaled machine check");

    [Theory]
    [InlineData(Srar | Over, Mcip | Eipv, U, true)]
    [InlineData(SrarAddr | Over | 0x134, McgAll, R, true)]
    public void Grade_Rule14SerSrarOverflow_IsPanicLostEvents(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Panic, 14, "Action required with lost events");

    [Theory]
    [InlineData(SrarAddr | 0x134, Mcip | Ripv, U)]
    [InlineData(SrarAddr | 0x150, Mcip | Ripv, K)]
    [InlineData(SrarAddr, Mcip | Ripv, U)]
    public void Grade_Rule15SrarRipvWithoutEipv_IsKeepUnaffectedThreadContinuable(ulong status, ulong mcg, LinuxContext ctx)
        => AssertGrade(status, mcg, true, ctx, true, LinuxSeverity.Keep, 15, "Action required but unaffected thread is continuable");

    [Theory]
    [InlineData(SrarAddr | 0x134, McgAll)]
    [InlineData(SrarAddr | 0x134 | 0x0010_0000, McgAll)]
    public void Grade_Rule16DataLoadKernelRecov_IsAr(ulong status, ulong mcg)
        => AssertGrade(status, mcg, true, R, true, LinuxSeverity.Ar, 16, "Action required: data load in error recoverable area of kernel");

    [Theory]
    [InlineData(SrarAddr | 0x134, McgAll)]
    [InlineData(SrarAddr | 0x134, Mcip | Eipv)]
    public void Grade_Rule17DataLoadUser_IsAr(ulong status, ulong mcg)
        => AssertGrade(status, mcg, true, U, true, LinuxSeverity.Ar, 17, "Action required: data load error in a user process");

    [Theory]
    [InlineData(SrarAddr | 0x150, McgAll)]
    [InlineData(SrarAddr | 0x150, Mcip | Eipv)]
    public void Grade_Rule18InstructionFetchUser_IsAr(ulong status, ulong mcg)
        => AssertGrade(status, mcg, true, U, true, LinuxSeverity.Ar, 18, "Action required: instruction fetch error in a user process");

    [Theory]
    [InlineData(SrarAddr | 0x134, McgAll)]
    public void Grade_Rule19DataLoadKernel_IsPanic(ulong status, ulong mcg)
        => AssertGrade(status, mcg, true, K, true, LinuxSeverity.Panic, 19, "Data load in unrecoverable area of kernel");

    [Theory]
    [InlineData(SrarAddr | 0x150, McgAll)]
    public void Grade_Rule20InstructionFetchKernel_IsPanic(ulong status, ulong mcg)
        => AssertGrade(status, mcg, true, K, true, LinuxSeverity.Panic, 20, "Instruction fetch error in kernel");

    [Fact]
    public void Grade_SrarDataLoadUserWithFilterBit_IsArNotPanic()
    {
        // MCACOD 0x1134 = data load 0x134 with bit 12 (F) set: Linux asm/mce.h MCACOD 0xefff skips bit 12,
        // so rule 17 matches; with the full 0xffff mask it would fall through to rule 21 (PANIC).
        AssertGrade(SrarAddr | 0x1134, McgAll, true, U, true, LinuxSeverity.Ar, 17, "Action required: data load error in a user process");
        AssertGrade(SrarAddr | 0x1134, Mcip | Eipv, true, U, true, LinuxSeverity.Ar, 17, "Action required: data load error in a user process");
    }

    [Theory]
    // The other MCACOD rules use the same 0xefff mask (Linux asm/mce.h MCACOD).
    [InlineData(SrarAddr | 0x1134, R, LinuxSeverity.Ar, 16, "Action required: data load in error recoverable area of kernel")]
    [InlineData(SrarAddr | 0x1150, U, LinuxSeverity.Ar, 18, "Action required: instruction fetch error in a user process")]
    [InlineData(SrarAddr | 0x1134, K, LinuxSeverity.Panic, 19, "Data load in unrecoverable area of kernel")]
    [InlineData(SrarAddr | 0x1150, K, LinuxSeverity.Panic, 20, "Instruction fetch error in kernel")]
    [InlineData(Val | En | Uc | S | 0x117A, U, LinuxSeverity.Ao, 9, "Action optional: last level cache writeback error")]
    // Bit 11 is not skipped: 0x0934 is not a data load.
    [InlineData(SrarAddr | 0x0934, U, LinuxSeverity.Panic, 21, "Action required: unknown MCACOD")]
    public void Grade_McacodRulesWithFilterBit_MatchAsWithout(ulong status, LinuxContext ctx, LinuxSeverity severity, int rule, string message)
        => AssertGrade(status, McgAll, true, ctx, true, severity, rule, message);

    [Theory]
    // Linux asm/mce.h MCACOD_SCRUBMSK 0xeff0: 0x10C0-0x10CF is still a scrub error, signalled or from CMCI.
    [InlineData(Val | En | Uc | S | 0x10C0, Mcip | Ripv, U, true)]
    [InlineData(Val | En | Uc | 0x10CF, 0UL, K, false)]
    public void Grade_ScrubWithFilterBit_MatchesScrubRule(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Ao, 8, "Action optional: memory scrubbing error");

    [Theory]
    // The old tables mask MCACOD with 0xffff and scrub with 0xfff0 (Linux v3.x mce-severity.c 08dda402,
    // 2.6.32 mce-severity.c), so bit 12 makes the code unknown.
    [InlineData(LinuxTableEra.V3, SrarAddr | 0x1134, "Action required: unknown MCACOD", LinuxSeverity.Panic)]
    [InlineData(LinuxTableEra.V3, Val | En | Uc | S | 0x10C0, "Action optional: unknown MCACOD", LinuxSeverity.Some)]
    [InlineData(LinuxTableEra.V3, Val | En | Uc | S | 0x117A, "Action optional: unknown MCACOD", LinuxSeverity.Some)]
    [InlineData(LinuxTableEra.V2632, Val | En | Uc | S | 0x10C0, "Action optional unknown MCACOD", LinuxSeverity.Some)]
    [InlineData(LinuxTableEra.V2632, Val | En | Uc | S | 0x117A, "Action optional unknown MCACOD", LinuxSeverity.Some)]
    internal void Grade_OldEraWithFilterBit_KeepsFullMask(LinuxTableEra era, ulong status, string message, LinuxSeverity severity)
    {
        LinuxGrade grade = LinuxSeverityTable.Grade(era, status, McgAll, true, U, true);
        Assert.Equal(severity, grade.Severity);
        Assert.Equal(message, grade.Message);
    }

    [Theory]
    [InlineData(Srar, Mcip | Eipv, U)]
    [InlineData(Srar | AddrV | 0x134, Mcip | Eipv, U)]
    [InlineData(SrarAddr | 0x150, McgAll, R)]
    [InlineData(SrarAddr | 0x17A, McgAll, U)]
    public void Grade_Rule21SrarUnknownMcacod_IsPanic(ulong status, ulong mcg, LinuxContext ctx)
        => AssertGrade(status, mcg, true, ctx, true, LinuxSeverity.Panic, 21, "Action required: unknown MCACOD");

    [Theory]
    [InlineData(Val | En | Uc | S, Mcip | Ripv, U, true)]
    [InlineData(Val | En | Uc | S | AddrV | 0x134, McgAll, K, true)]
    public void Grade_Rule22SraoUnknownMcacod_IsSome(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Some, 22, "Action optional: unknown MCACOD");

    [Theory]
    [InlineData(Val | En | Uc | S | Over, Mcip | Ripv, U)]
    [InlineData(Val | En | Uc | S | Over | 0x17B, Mcip | Ripv, K)]
    public void Grade_Rule23SraoOverflow_IsSomeLostEvents(ulong status, ulong mcg, LinuxContext ctx)
        => AssertGrade(status, mcg, true, ctx, true, LinuxSeverity.Some, 23, "Action optional with lost events");

    [Theory]
    [InlineData(Val | En | Uc | Over, McgAll, U, true)]
    [InlineData(Val | En | Uc | Over | S, McgAll, K, true)]
    [InlineData(Val | Uc | Over, 0UL, K, false)]
    public void Grade_Rule24NoSerOverflowedUncorrected_IsPanic(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, false, ctx, excp, LinuxSeverity.Panic, 24, "Overflowed uncorrected");

    [Theory]
    [InlineData(Val | En | Uc, McgAll, U)]
    [InlineData(Val | En | Uc | S | Ar | AddrV, Mcip | Eipv, U)]
    [InlineData(Val | En | Uc, McgAll, R)]
    public void Grade_Rule25NoSerUncorrectedOutsideKernel_IsUc(ulong status, ulong mcg, LinuxContext ctx)
        => AssertGrade(status, mcg, false, ctx, true, LinuxSeverity.Uc, 25, "Uncorrected");

    [Theory]
    [InlineData(Val | En | S, McgAll, K, true)]
    [InlineData(Val | En | S | Ar | AddrV | MiscV, 0UL, U, false)]
    public void Grade_Rule26SerCorrectedWithS_IsSomeNoMatch(ulong status, ulong mcg, LinuxContext ctx, bool excp)
        => AssertGrade(status, mcg, true, ctx, excp, LinuxSeverity.Some, 26, "No match");

    [Theory]
    [InlineData(Val | En | Uc, McgAll, false, true, 25, "Uncorrected")]
    [InlineData(Val | En | Uc, Mcip | Ripv, false, false, 25, "Uncorrected")]
    public void Grade_UcInKernel_RaisedToPanicKeepingMessage(ulong status, ulong mcg, bool ser, bool excp, int rule, string message)
        => AssertGrade(status, mcg, ser, K, excp, LinuxSeverity.Panic, rule, message);

    [Theory]
    [InlineData(Val | En | Uc | S | 0xC0, LinuxSeverity.Ao, 8)]
    [InlineData(Val | En | Uc | S, LinuxSeverity.Some, 22)]
    [InlineData(Val | En | Uc, LinuxSeverity.Ucna, 11)]
    public void Grade_BelowUcInKernel_NotRaised(ulong status, LinuxSeverity expected, int rule)
    {
        LinuxGrade grade = LinuxSeverityTable.Grade(status, McgAll, true, K, true);
        Assert.Equal(expected, grade.Severity);
        Assert.Equal(rule, grade.RuleNumber);
    }

    [Fact]
    public void Grade_UcInKernelRecovOrUser_NotRaised()
    {
        Assert.Equal(LinuxSeverity.Uc, LinuxSeverityTable.Grade(Val | En | Uc, McgAll, false, R, true).Severity);
        Assert.Equal(LinuxSeverity.Uc, LinuxSeverityTable.Grade(Val | En | Uc, McgAll, false, U, true).Severity);
        Assert.Equal(LinuxSeverity.Ar, LinuxSeverityTable.Grade(SrarAddr | 0x134, McgAll, true, R, true).Severity);
    }

    [Fact]
    public void Grade_SerGates_SerRulesNeedSerAndNoSerRuleNeedsNoSer()
    {
        // The scrub code without SER is a plain uncorrected error (rule 25), not AO.
        AssertGrade(Val | En | Uc | S | 0xC0, Mcip | Ripv, false, U, true, LinuxSeverity.Uc, 25, "Uncorrected");
        // A corrected error with SER is not rule 7.
        AssertGrade(Val | En, McgAll, true, U, true, LinuxSeverity.Keep, 13, "Non signaled machine check");
    }

    [Fact]
    public void Grade_ExcpGatedPanics_DoNotApplyFromPoll()
    {
        // MCIP clear, neither RIPV nor EIPV, kernel: rules 4-6 are EXCP only.
        AssertGrade(Val | En | Uc | S, 0, true, K, false, LinuxSeverity.Some, 22, "Action optional: unknown MCACOD");
    }

    [Theory]
    [InlineData(0UL, (ushort)0x73, false, LinuxContext.User)]
    [InlineData(McgAll, (ushort)0x33, true, LinuxContext.User)]
    [InlineData(Mcip | Eipv, (ushort)0x10, true, LinuxContext.Kernel)]
    [InlineData(Mcip | Ripv, (ushort)0x10, true, LinuxContext.Kernel)]
    [InlineData(McgAll, (ushort)0x10, false, LinuxContext.Kernel)]
    [InlineData(McgAll, (ushort)0x10, true, LinuxContext.KernelRecov)]
    [InlineData(0UL, (ushort)0, true, LinuxContext.Kernel)]
    public void ContextOf_Modern_FollowsCsRipvEipvAndFixup(ulong mcg, ushort cs, bool fixup, LinuxContext expected)
        => Assert.Equal(expected, LinuxSeverityTable.ContextOf(mcg, cs, fixup));

    [Theory]
    [InlineData(Mcip | Eipv, (ushort)0x73, 0x4567UL, LinuxContext.User)]
    [InlineData(Mcip | Ripv, (ushort)0x73, 0x4567UL, LinuxContext.Kernel)]
    [InlineData(Mcip | Eipv, (ushort)0x73, 0UL, LinuxContext.Kernel)]
    [InlineData(McgAll, (ushort)0x10, 0x4567UL, LinuxContext.Kernel)]
    public void ContextOf_OldEras_UserNeedsEipvIpAndUserCs(ulong mcg, ushort cs, ulong ip, LinuxContext expected)
    {
        Assert.Equal(expected, LinuxSeverityTable.ContextOf(LinuxTableEra.V3, mcg, cs, ip, true));
        Assert.Equal(expected, LinuxSeverityTable.ContextOf(LinuxTableEra.V2632, mcg, cs, ip, true));
    }

    [Fact]
    public void ContextOf_ModernEraOverload_MatchesModern()
        => Assert.Equal(LinuxContext.KernelRecov, LinuxSeverityTable.ContextOf(LinuxTableEra.Modern, McgAll, 0x10, 0x1234, true));

    [Theory]
    [InlineData(LinuxTableEra.V2632, Srar, "Action required; unknown MCACOD", LinuxSeverity.Panic)]
    [InlineData(LinuxTableEra.V2632, Srar | AddrV | MiscV | 0x134, "Uncorrected", LinuxSeverity.Uc)]
    [InlineData(LinuxTableEra.V2632, Val | En | Uc, "Uncorrected no action required", LinuxSeverity.Keep)]
    [InlineData(LinuxTableEra.V2632, Val | En | Uc | S, "Action optional unknown MCACOD", LinuxSeverity.Some)]
    [InlineData(LinuxTableEra.V2632, Val | En | Uc | 0xC0, "Uncorrected no action required", LinuxSeverity.Keep)]
    [InlineData(LinuxTableEra.V2632, Val | En | Uc | S | Over | 0xC0, "Action optional with lost events", LinuxSeverity.Some)]
    [InlineData(LinuxTableEra.V2632, Val | En, "Non signalled machine check", LinuxSeverity.Keep)]
    [InlineData(LinuxTableEra.V3, Srar | AddrV | MiscV | 0x134, "Action required: data load error", LinuxSeverity.Ar)]
    [InlineData(LinuxTableEra.V3, Srar | 0x17A, "Action required: unknown MCACOD", LinuxSeverity.Panic)]
    [InlineData(LinuxTableEra.V3, Val | En | Uc | S, "Action optional: unknown MCACOD", LinuxSeverity.Some)]
    [InlineData(LinuxTableEra.V3, Val | En | Uc | S | 0xC0, "Action optional: memory scrubbing error", LinuxSeverity.Ao)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void Grade_OldEraUserContext_UsesThatEraTable(LinuxTableEra era, ulong status, string message, LinuxSeverity severity)
    {
        LinuxGrade grade = LinuxSeverityTable.Grade(era, status, Mcip | Ripv | Eipv, true, U, true);
        Assert.Equal(severity, grade.Severity);
        Assert.Equal(message, grade.Message);
    }

    [Fact]
    public void Grade_V3HtThreadWithoutEipv_IsKeep()
    {
        LinuxGrade grade = LinuxSeverityTable.Grade(LinuxTableEra.V3, SrarAddr | 0x134, Mcip | Ripv, true, K, true);
        Assert.Equal(new LinuxGrade(LinuxSeverity.Keep, "HT thread notices Action required: data load error", 12), grade);
    }

    [Theory]
    [InlineData(LinuxTableEra.V3)]
    [InlineData(LinuxTableEra.V2632)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void Grade_OldEras_NoExcpGateAndNoRaise(LinuxTableEra era)
    {
        // "Not enabled" and "MCIP not set" apply from the poller too; UC in kernel stays UC (tolerant = 1).
        Assert.Equal("Not enabled", LinuxSeverityTable.Grade(era, Val | Uc | S, McgAll, true, K, false).Message);
        Assert.Equal("MCIP not set in MCA handler", LinuxSeverityTable.Grade(era, Val | En, Ripv, false, K, false).Message);
        Assert.Equal(LinuxSeverity.Uc, LinuxSeverityTable.Grade(era, Val | En | Uc, McgAll, false, K, true).Severity);
    }

    [Fact]
    public void RuleCount_PerEra_MatchesTables()
    {
        Assert.Equal(27, LinuxSeverityTable.RuleCount(LinuxTableEra.Modern));
        Assert.Equal(21, LinuxSeverityTable.RuleCount(LinuxTableEra.V3));
        Assert.Equal(20, LinuxSeverityTable.RuleCount(LinuxTableEra.V2632));
    }

    [Fact]
    public void Grade_ManyCalls_AllocateNothing()
    {
        LinuxSeverityTable.Grade(Val, 0, true, K, true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        int sum = 0;
        for (int i = 0; i < 10_000; i++)
        {
            sum += LinuxSeverityTable.Grade(Val | En | (uint)i, McgAll, (i & 1) == 0, (LinuxContext)(i % 3), (i & 2) == 0).RuleNumber;
            sum += LinuxSeverityTable.Grade(LinuxTableEra.V2632, Val | En | Uc | (uint)i, McgAll, true, U, true).RuleNumber;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(sum > 0);
    }

    [Theory]
    [InlineData(LinuxSeverity.No, "NO")]
    [InlineData(LinuxSeverity.Ucna, "UCNA")]
    [InlineData(LinuxSeverity.Keep, "KEEP")]
    [InlineData(LinuxSeverity.Some, "SOME")]
    [InlineData(LinuxSeverity.Ao, "AO")]
    [InlineData(LinuxSeverity.Uc, "UC")]
    [InlineData(LinuxSeverity.Ar, "AR")]
    [InlineData(LinuxSeverity.Panic, "PANIC")]
    public void ToKernelName_EachLevel_IsKernelSpelling(LinuxSeverity severity, string name)
        => Assert.Equal(name, severity.ToKernelName());

    [Fact]
    public void ToKernelName_OutOfRange_Throws()
        => Assert.Throws<ArgumentOutOfRangeException>(() => ((LinuxSeverity)8).ToKernelName());
}
