using Mca.Systems.Linux;

namespace Mca.Systems.Tests.Linux;

/// <summary>The bare-metal Linux #MC handler and mce-inject injection semantics (Linux mce/core.c; andikleen/mce-inject).</summary>
public class LinuxHandlerTests
{
    private const string HwErr = "[Hardware Error]: ";
    private static readonly LinuxMachineOptions Ser = new() { Ser = true };
    private static readonly LinuxMachineOptions NoSer = new() { Ser = false };

    private static LinuxRunResult Run(string text, LinuxMachineOptions options) => LinuxHandler.Run(SoftInjText.Parse(text), options);

    private static LinuxAction[] Of(LinuxRunResult r, LinuxActionKind kind) => [.. r.Actions.Where(a => a.Kind == kind)];

    [Theory]
    [InlineData("FATAL", "UNCORRECTED OVER", "Processor context corrupt")]
    [InlineData("UNCORRECTED OVER", "FATAL", "Overflowed uncorrected")]
    public void Reign_TiedPanicsOnTwoCpus_FirstCpuWins(string cpu0Status, string cpu1Status, string reason)
    {
        LinuxRunResult r = Run($"""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS {cpu0Status}
            RIP 0x73:0x1000
            HOLD
            CPU 1 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS {cpu1Status}
            RIP 0x73:0x2000
            """, NoSer);
        Assert.Equal("Fatal machine check", r.Panic);
        Assert.Equal(reason, r.Panics[0].Reason);
        Assert.Equal(HwErr + "Machine check: " + reason, r.Console[^2]);
    }

    [Fact]
    public void Reign_OnlyNotSignalledUcna_PanicsFromUnknownSource()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS UNCORRECTED
            RIP 0x73:0x1000
            EXCP
            """, Ser);
        Assert.Equal("Fatal machine check from unknown source", r.Panic);
        Assert.Null(r.Panics[0].Reason);
        Assert.Empty(r.Logged);
    }

    [Fact]
    public void Reign_WorstIsSome_NoPanicAndRecordLogged()
    {
        LinuxRunResult r = Run("""
            CPU 2 BANK 5
            MCGSTATUS MCIP RIPV
            STATUS UNCORRECTED S
            RIP 0x73:0x1000
            """, Ser);
        Assert.Null(r.Panic);
        LoggedMce logged = Assert.Single(r.Logged);
        Assert.Equal(new LinuxGrade(LinuxSeverity.Some, "Action optional: unknown MCACOD", 22), logged.Grade);
        Assert.Equal(LinuxLogSource.MachineCheck, logged.Source);
        Assert.Equal((2, 5, 0x1000UL, (ushort)0x73), (logged.Cpu, logged.Bank, logged.Ip, logged.Cs));
    }

    [Fact]
    public void LocalMachineCheck_Fatal_PanicsLocallyWithoutRendezvous()
    {
        LinuxRunResult r = Run("""
            CPU 2 BANK 3
            MCGSTATUS MCIP LMCES
            STATUS FATAL
            NOBROADCAST
            """, Ser);
        Assert.Equal(
            [new LinuxPanic("Fatal local machine check", "Processor context corrupt", 2, 0, true), new LinuxPanic("Local fatal machine check!", "Processor context corrupt", 2, 0, false)],
            r.Panics);
        Assert.DoesNotContain(r.Console, line => line.Contains("not responding", StringComparison.Ordinal));
    }

    [Fact]
    public void LocalMachineCheck_UserDataLoad_KillsWithoutPanic()
    {
        LinuxRunResult r = Run("""
            CPU 1 BANK 2
            MCGSTATUS MCIP RIPV EIPV LMCES
            STATUS UNCORRECTED SRAR 0x134
            ADDR 0x5000
            MISC 0x8c
            RIP 0x73:0x400000
            NOBROADCAST
            """, Ser);
        Assert.Null(r.Panic);
        LinuxAction failure = Assert.Single(Of(r, LinuxActionKind.MemoryFailure));
        Assert.Equal((5UL, MemoryFailureFlags.ActionRequired, "kill_me_maybe"), (failure.Pfn, failure.Flags, failure.Via));
        Assert.Equal(LinuxSigbusCode.McErrAr, Assert.Single(Of(r, LinuxActionKind.Sigbus)).SigbusCode);
    }

    [Fact]
    public void MonarchTimeoutZero_NoRendezvous_EachCpuDecidesAlone()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL
            """, Ser with { MonarchTimeoutNs = 0 });
        LinuxPanic panic = Assert.Single(r.Panics);
        Assert.Equal(new LinuxPanic("Fatal machine check on current CPU", "Processor context corrupt", 0, 0, true), panic);
        Assert.DoesNotContain(r.Console, line => line.Contains("not responding", StringComparison.Ordinal));
    }

    [Fact]
    public void Timeout_TwoOfFourCpusEnter_ListsMissingCpusOncePerCpu()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV
            STATUS UNCORRECTED S
            RIP 0x73:0x1000
            HOLD
            CPU 2 BANK 1
            MCGSTATUS MCIP RIPV
            STATUS UNCORRECTED S
            RIP 0x73:0x2000
            NOBROADCAST
            """, Ser);
        Assert.Equal(2, r.Console.Count(line => line == "CPUs not responding to MCE broadcast (may include false positives): 1,3"));
        Assert.Equal("Timeout: Not all CPUs entered broadcast exception handler", r.Panic);
        Assert.Equal(2, r.Panics.Count);
        Assert.Equal(2, r.Logged.Count);
    }

    [Fact]
    public void Timeout_OldEra_NoPanicWithoutNoWayOut()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV
            STATUS UNCORRECTED S
            RIP 0x73:0x1000
            NOBROADCAST
            """, Ser with { Era = LinuxTableEra.V3 });
        Assert.Null(r.Panic);
        Assert.Single(r.Logged);
    }

    [Fact]
    public void MachineCheck_RecoverableBank_ClearedAndPageOfflined()
    {
        var m = new LinuxMachine(4, 10, ser: true);
        for (int cpu = 0; cpu < 4; cpu++)
        {
            m.SetMcgStatus(cpu, 0x5);
        }

        m.BeginInjection();
        m.WriteBank(0, 2, 0xBD000000000000C0, 0x7000, 0x8C);
        m.SetInterruptedContext(0, 0x1000, 0x73);
        m.MachineCheck([0, 1, 2, 3]);
        Assert.Equal(0UL, m.BankStatus(0, 2));
        Assert.Equal(0UL, m.McgStatus(0));
        Assert.Empty(m.Actions);
        m.ProcessLoggedRecords();
        LinuxAction failure = Assert.Single(m.Actions);
        Assert.Equal((LinuxActionKind.MemoryFailure, 7UL, MemoryFailureFlags.None, "uc_decode_notifier"), (failure.Kind, failure.Pfn, failure.Flags, failure.Via));
    }

    [Fact]
    public void MachineCheck_FatalBank_StaysSticky()
    {
        var m = new LinuxMachine(2, 4, ser: false);
        m.BeginInjection();
        m.SetMcgStatus(0, 0x4);
        m.SetMcgStatus(1, 0x5);
        m.WriteBank(0, 3, 0xB200000000000000, 0, 0);
        m.MachineCheck([0, 1]);
        Assert.Equal(0xB200000000000000UL, m.BankStatus(0, 3));
        Assert.Equal("Fatal machine check", m.Panics[0].Message);
    }

    [Fact]
    public void MachineCheck_KeepAndUcna_LeftForThePoller()
    {
        var m = new LinuxMachine(1, 4, ser: true);
        m.BeginInjection();
        m.SetMcgStatus(0, 0x5);
        m.SetInterruptedContext(0, 0x1000, 0x73);
        m.WriteBank(0, 1, 0xB000000000000000, 0, 0); // UCNA: VAL|UC|EN
        m.WriteBank(0, 2, 0x9000000000000000, 0, 0); // corrected
        m.WriteBank(0, 3, 0xB100000000000000, 0, 0); // SRAO, unknown MCACOD
        m.MachineCheck([0]);
        Assert.Equal(0xB000000000000000UL, m.BankStatus(0, 1));
        Assert.Equal(0x9000000000000000UL, m.BankStatus(0, 2));
        Assert.Equal(0UL, m.BankStatus(0, 3));
        Assert.Single(m.Logged);
        m.MachineCheckPoll(0);
        Assert.Equal(3, m.Logged.Count);
        Assert.Equal(LinuxSeverity.Ucna, m.Logged[1].Grade!.Value.Severity);
        Assert.Equal(LinuxLogSource.TimerPoll, m.Logged[2].Source);
        Assert.Equal(0UL, m.BankStatus(0, 1));
    }

    [Theory]
    // Modern SER: UC=0, EN=0 and UCNA are logged; S or PCC banks are left to #MC.
    [InlineData(LinuxTableEra.Modern, true, 0x9000000000000000UL, true)]
    [InlineData(LinuxTableEra.Modern, true, 0xA100000000000000UL, true)]
    [InlineData(LinuxTableEra.Modern, true, 0xB000000000000000UL, true)]
    [InlineData(LinuxTableEra.Modern, true, 0xB100000000000000UL, false)]
    [InlineData(LinuxTableEra.Modern, true, 0xB200000000000000UL, false)]
    // Modern without SER: every UC bank is skipped.
    [InlineData(LinuxTableEra.Modern, false, 0x9000000000000000UL, true)]
    [InlineData(LinuxTableEra.Modern, false, 0xA000000000000000UL, false)]
    [InlineData(LinuxTableEra.Modern, false, 0xB000000000000000UL, false)]
    // 2.6.32/v3.x: skip when SER ? S : UC.
    [InlineData(LinuxTableEra.V2632, true, 0xB200000000000000UL, true)]
    [InlineData(LinuxTableEra.V2632, true, 0xA100000000000000UL, false)]
    [InlineData(LinuxTableEra.V3, true, 0xB000000000000000UL, true)]
    [InlineData(LinuxTableEra.V3, false, 0xB000000000000000UL, false)]
    [InlineData(LinuxTableEra.V3, false, 0x9100000000000000UL, true)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void MachineCheckPoll_EraRules_LogOrLeaveBank(LinuxTableEra era, bool ser, ulong status, bool logged)
    {
        var m = new LinuxMachine(new LinuxMachineOptions { CpuCount = 1, BankCount = 2, Ser = ser, Era = era });
        m.BeginInjection();
        m.WriteBank(0, 1, status, 0, 0);
        m.MachineCheckPoll(0);
        Assert.Equal(logged, m.Logged.Count == 1);
        Assert.Equal(logged ? 0UL : status, m.BankStatus(0, 1));
        if (logged)
        {
            Assert.Equal(era == LinuxTableEra.Modern, m.Logged[0].Grade.HasValue);
        }
    }

    [Fact]
    public void Injection_FillerMcgStatus_IsMcipOfOriginalPlusRipvIfUc()
    {
        Assert.Equal(0x5UL, LinuxHandler.FillerMcgStatus(new MceRecord { McgStatus = 0x7, Status = 0xB000000000000000 }));
        Assert.Equal(0x1UL, LinuxHandler.FillerMcgStatus(new MceRecord { McgStatus = 0x3, Status = 0xB000000000000000 }));
        Assert.Equal(0x4UL, LinuxHandler.FillerMcgStatus(new MceRecord { McgStatus = 0x5, Status = 0x9000000000000000 }));
    }

    [Theory]
    [InlineData(0xB000000000000000UL, InjectFlags.None, true, true)]
    [InlineData(0xB000000000000000UL, InjectFlags.NoBroadcast, true, false)]
    [InlineData(0xB000000000000000UL, InjectFlags.Poll, false, false)]
    [InlineData(0x9000000000000000UL, InjectFlags.None, false, false)]
    [InlineData(0x9000000000000000UL, InjectFlags.Excp, true, true)]
    [InlineData(0UL, InjectFlags.IrqBroadcast, false, false)]
    public void Injection_RaisingAndBroadcast_FollowMceInject(ulong status, InjectFlags flags, bool exception, bool broadcast)
    {
        var record = new MceRecord { Status = status, Flags = flags };
        Assert.Equal(exception, LinuxHandler.RaisesException(record));
        Assert.Equal(broadcast, LinuxHandler.Broadcasts(record));
    }

    [Fact]
    public void Injection_HeldRecordsForDifferentCpus_InjectedTogether()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            STATUS CORRECTED
            HOLD
            CPU 1 BANK 1
            STATUS CORRECTED
            HOLD
            CPU 2 BANK 1
            STATUS CORRECTED
            """, Ser);
        Assert.Equal(1, r.InjectionCount);
        Assert.Equal([0, 1, 2], r.Logged.Select(l => l.Cpu));
        Assert.All(r.Logged, l => Assert.Equal((0, LinuxLogSource.InjectedPoll), (l.InjectionIndex, l.Source)));
    }

    [Fact]
    public void Injection_SecondHoldForSameCpu_ReplacesFirst()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            STATUS CORRECTED
            HOLD
            CPU 0 BANK 2
            STATUS CORRECTED
            HOLD
            CPU 1 BANK 1
            STATUS CORRECTED
            """, Ser);
        Assert.Equal([(0, 2), (1, 1)], r.Logged.Select(l => (l.Cpu, l.Bank)));
    }

    [Fact]
    public void Injection_TriggerForHeldCpu_SupersedesHeldRecord()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            STATUS CORRECTED
            HOLD
            CPU 0 BANK 2
            STATUS CORRECTED
            """, Ser);
        Assert.Equal(2, Assert.Single(r.Logged).Bank);
    }

    [Fact]
    public void Injection_HeldRecords_ClearedAfterInjectionAndTrailingHoldNeverInjected()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            STATUS CORRECTED
            HOLD
            CPU 1 BANK 1
            STATUS CORRECTED
            CPU 2 BANK 1
            STATUS CORRECTED
            CPU 3 BANK 1
            STATUS CORRECTED
            HOLD
            """, Ser);
        Assert.Equal(2, r.InjectionCount);
        Assert.Equal([(0, 0), (1, 0), (2, 1)], r.Logged.Select(l => (l.Cpu, l.InjectionIndex)));
    }

    [Fact]
    public void Injection_UcWithPoll_PolledNotRaisedAndNotBroadcast()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV
            STATUS UNCORRECTED S
            POLL
            """, Ser);
        Assert.Null(r.Panic);
        Assert.Empty(r.Logged);
    }

    [Fact]
    public void Injection_CorrectedWithExcp_BroadcastsAndFindsNothing()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV
            STATUS CORRECTED
            EXCP
            """, Ser);
        Assert.Equal("Fatal machine check from unknown source", r.Panic);
        Assert.Empty(r.Logged);
    }

    [Fact]
    public void FakePanic_TwoFatalInjections_OnlyFirstPrinted()
    {
        const string Fatal = """
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL
            """;
        LinuxRunResult r = Run(Fatal + "\n" + Fatal.Replace("BANK 4", "BANK 5", StringComparison.Ordinal), Ser);
        Assert.Equal(2, r.InjectionCount);
        Assert.Equal(2, r.Logged.Count);
        Assert.Single(r.Console, line => line.Contains("Fake kernel panic", StringComparison.Ordinal));
        Assert.Equal([true, false], r.Panics.Select(p => p.Printed));
        Assert.False(r.Halted);
    }

    [Fact]
    public void Injection_NewRecordOnCpu_ReplacesStickyBankOfEarlierInjection()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL
            CPU 0 BANK 2
            STATUS UNCORRECTED S
            MCGSTATUS MCIP RIPV
            RIP 0x73:0x1000
            """, Ser);
        Assert.Equal([(4, 0), (2, 1)], r.Logged.Select(l => (l.Bank, l.InjectionIndex)));
        Assert.Single(r.Panics);
    }

    [Fact]
    public void RealPanic_FirstFatalInjection_HaltsTheRun()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 4
            MCGSTATUS MCIP
            STATUS FATAL
            CPU 0 BANK 1
            STATUS CORRECTED
            """, Ser with { FakePanic = false });
        Assert.True(r.Halted);
        Assert.Equal(1, r.InjectionCount);
        Assert.Equal("Kernel panic - not syncing: Fatal machine check", r.Console[^1]);
        Assert.Single(r.Panics);
        Assert.Single(r.Logged);
    }

    [Fact]
    public void Actions_UserDataLoadWithoutRipv_KillMeMaybeMustKill()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP EIPV
            STATUS UNCORRECTED SRAR 0x134
            ADDR 0x12345678
            MISC 0x8c
            RIP 0x73:0x400000
            """, Ser);
        Assert.Null(r.Panic);
        Assert.Equal(
            [
                new LinuxAction { Kind = LinuxActionKind.MemoryFailure, Pfn = 0x12345, Address = 0x12345000, Flags = MemoryFailureFlags.ActionRequired | MemoryFailureFlags.MustKill, Result = MemoryFailureResult.Recovered, Via = "kill_me_maybe" },
                new LinuxAction { Kind = LinuxActionKind.Sigbus, Pfn = 0x12345, Address = 0x12345000, SigbusCode = LinuxSigbusCode.McErrAr, Via = "memory_failure" },
            ],
            r.Actions);
    }

    [Fact]
    public void Actions_UserDataLoadWithCoarseAddress_KillMeNow()
    {
        // MISC LSB 13 > PAGE_SHIFT: the AR rule still matches, but the address is not usable.
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS UNCORRECTED SRAR 0x134
            ADDR 0x12345678
            MISC 0x8d
            RIP 0x73:0x400000
            """, Ser);
        LinuxAction kill = Assert.Single(r.Actions);
        Assert.Equal((LinuxActionKind.Sigbus, LinuxSigbusCode.Kernel, "kill_me_now"), (kill.Kind, kill.SigbusCode, kill.Via));
    }

    [Fact]
    public void Actions_KernelRecoverableDataLoad_FixupWithoutPanic()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS UNCORRECTED SRAR 0x134
            ADDR 0x9000
            MISC 0x8c
            RIP 0x10:0xffffffff81001000
            """, Ser with { McSafeFixupIps = [0xffffffff81001000] });
        Assert.Null(r.Panic);
        Assert.Equal("Action required: data load in error recoverable area of kernel", r.Logged[0].Grade!.Value.Message);
        LinuxAction fixup = Assert.Single(r.Actions);
        Assert.Equal((LinuxActionKind.KernelFixup, 0xffffffff81001000UL, "fixup_exception"), (fixup.Kind, fixup.Ip, fixup.Via));
    }

    [Fact]
    public void Actions_CopyFromUser_FixupAndKillMeNever()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS UNCORRECTED SRAR 0x134
            ADDR 0x9000
            MISC 0x8c
            RIP 0x10:0xffffffff81002000
            """, Ser with { CopyFromUserFixupIps = [0xffffffff81002000] });
        Assert.Null(r.Panic);
        Assert.Equal([LinuxActionKind.KernelFixup, LinuxActionKind.MemoryFailure], r.Actions.Select(a => a.Kind));
        Assert.Equal((9UL, MemoryFailureFlags.None, "kill_me_never"), (r.Actions[1].Pfn, r.Actions[1].Flags, r.Actions[1].Via));
    }

    [Fact]
    public void Actions_DataLoadInKernelWithoutFixup_Panics()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS UNCORRECTED SRAR 0x134
            ADDR 0x9000
            MISC 0x8c
            RIP 0x10:0xffffffff81001000
            """, Ser);
        Assert.Equal("Fatal machine check", r.Panic);
        Assert.Equal("Data load in unrecoverable area of kernel", r.Panics[0].Reason);
    }

    [Theory]
    [InlineData("ADDR 0x3000\nMISC 0x8c", "kill_me_maybe")]
    [InlineData("ADDR 0x3000", "kill_me_now")]
    public void Actions_UcWithoutRipvInUserNoSer_KillsCurrentTask(string aux, string via)
    {
        LinuxRunResult r = Run($"""
            CPU 0 BANK 1
            MCGSTATUS MCIP EIPV
            STATUS UNCORRECTED
            {aux}
            RIP 0x73:0x400000
            NOBROADCAST
            """, NoSer with { MonarchTimeoutNs = 0 });
        Assert.Null(r.Panic);
        Assert.Equal(via, r.Actions[0].Via);
        Assert.Contains(r.Actions, a => a.Kind == LinuxActionKind.Sigbus);
    }

    [Fact]
    public void Actions_UcWithRipvInUserNoSer_NoKill()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 1
            MCGSTATUS MCIP RIPV EIPV
            STATUS UNCORRECTED
            RIP 0x73:0x400000
            """, NoSer);
        Assert.Null(r.Panic);
        Assert.Equal(LinuxSeverity.Uc, Assert.Single(r.Logged).Grade!.Value.Severity);
        Assert.Empty(r.Actions);
    }

    [Fact]
    public void Actions_AoTwiceOnSamePage_SecondFindsItPoisoned()
    {
        const string Scrub = """
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO 0xc0
            MCGSTATUS RIPV MCIP
            ADDR 0x4000
            MISC 0x8c
            RIP 0x73:0x1000
            """;
        LinuxRunResult r = Run(Scrub + "\n" + Scrub, Ser);
        Assert.Equal([MemoryFailureResult.Recovered, MemoryFailureResult.AlreadyPoisoned], r.Actions.Select(a => a.Result));
        Assert.All(r.Actions, a => Assert.Equal((4UL, "uc_decode_notifier"), (a.Pfn, a.Via)));
    }

    [Fact]
    public void Actions_AoWithoutMisc_NoMemoryFailure()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 2
            STATUS UNCORRECTED SRAO 0xc0
            MCGSTATUS RIPV MCIP
            ADDR 0x4000
            RIP 0x73:0x1000
            """, Ser);
        Assert.Equal(LinuxSeverity.Ao, Assert.Single(r.Logged).Grade!.Value.Severity);
        Assert.Empty(r.Actions);
    }

    [Fact]
    public void PrintMce_FatalKernelRecord_MatchesKernelFormat()
    {
        LinuxRunResult r = Run("""
            CPU 0 BANK 3
            MCGSTATUS MCIP RIPV
            STATUS FATAL
            ADDR 0x1234
            MISC 0x86
            RIP 0x10:0xffffffff81234567
            """, NoSer);
        Assert.Equal(
            [
                HwErr + "CPU 0: Machine Check Exception: 5 Bank 3: be00000000000000",
                HwErr + "RIP !INEXACT! 10:<ffffffff81234567>",
                HwErr + "TSC 0 ADDR 1234 MISC 86",
                HwErr + "PROCESSOR 0:0 TIME 0 SOCKET 0 APIC 0 microcode 0",
                HwErr + "Run the above through 'mcelog --ascii'",
                HwErr + "Machine check: Processor context corrupt",
                HwErr + "Fake kernel panic: Fatal machine check",
            ],
            r.Console);
    }

    [Fact]
    public void PrintMce_RecordStamps_PrintedFromInjectedRecord()
    {
        MceRecord record = SoftInjText.Parse("CPU 1 BANK 0\nMCGSTATUS RIPV EIPV\nSTATUS FATAL\nRIP 0x73:0x1000")[0] with
        {
            Tsc = 0xabc,
            Time = 1_700_000_000,
            SocketId = 1,
            ApicId = 0x12,
        };
        LinuxRunResult r = LinuxHandler.Run([record], Ser);
        Assert.Contains(HwErr + "CPU 1: Machine Check: 3 Bank 0: b200000000000000", r.Console);
        Assert.Contains(HwErr + "RIP 73:<0000000000001000>", r.Console);
        Assert.Contains(HwErr + "TSC abc", r.Console);
        Assert.Contains(HwErr + "PROCESSOR 0:0 TIME 1700000000 SOCKET 1 APIC 12 microcode 0", r.Console);
        Assert.Equal("Processor context corrupt", r.Panics[0].Reason);
    }

    [Fact]
    public void PanicPrint_CorrectedThenUncorrectedThenFinal()
    {
        LinuxRunResult r = Run("""
            CPU 1 BANK 1
            MCGSTATUS RIPV MCIP
            STATUS CORRECTED
            EXCP
            HOLD
            CPU 2 BANK 1
            MCGSTATUS RIPV EIPV MCIP
            STATUS UNCORRECTED S
            RIP 0x73:0x1000
            HOLD
            CPU 3 BANK 2
            STATUS UNCORRECTED OVER
            MCGSTATUS RIPV EIPV MCIP
            RIP 0x10:0xdeadbabe
            """, NoSer);
        string[] banks = [.. r.Console.Where(l => l.Contains("Machine Check", StringComparison.Ordinal)).Select(l => l[HwErr.Length..l.IndexOf(':', HwErr.Length)])];
        Assert.Equal(["CPU 1", "CPU 2", "CPU 3"], banks);
        Assert.Equal("Overflowed uncorrected", r.Panics[0].Reason);
    }

    [Fact]
    public void Run_SameInputTwice_IdenticalResults()
    {
        string data = SoftInjCases.Get("panic_npcc/fatal_severity (ser)").Data;
        LinuxRunResult a = Run(data, Ser);
        LinuxRunResult b = Run(data, Ser);
        Assert.Equal(a.Console, b.Console);
        Assert.Equal(a.Logged, b.Logged);
        Assert.Equal(a.Actions, b.Actions);
        Assert.Equal(a.Panics, b.Panics);
    }

    [Fact]
    public void Run_CpuNotOnline_ThrowsNamingLineAndRange()
    {
        var record = new MceRecord { Cpu = 4, Line = 7 };
        ArgumentException e = Assert.Throws<ArgumentException>(() => LinuxHandler.Run([record], Ser));
        Assert.Contains("line 7: CPU 4 is not online (expected 0..3)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_BankMissing_ThrowsBeforeInjectingAnything()
    {
        MceRecord good = new() { Cpu = 0, Bank = 1, Status = 0x9000000000000000 };
        MceRecord bad = new() { Cpu = 0, Bank = 10, Line = 3 };
        ArgumentException e = Assert.Throws<ArgumentException>(() => LinuxHandler.Run([good, bad], Ser));
        Assert.Contains("line 3: BANK 10 does not exist (expected 0..9)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 10, 1L, "CpuCount 0")]
    [InlineData(4, 65, 1L, "BankCount 65")]
    [InlineData(4, 10, -1L, "MonarchTimeoutNs -1")]
    public void Options_OutOfRange_Throw(int cpus, int banks, long timeout, string expected)
    {
        var options = new LinuxMachineOptions { CpuCount = cpus, BankCount = banks, MonarchTimeoutNs = timeout };
        ArgumentException e = Assert.Throws<ArgumentException>(() => new LinuxMachine(options));
        Assert.StartsWith(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Machine_DuplicateCpuInOneMachineCheck_Throws()
    {
        var m = new LinuxMachine(2, 2, ser: true);
        Assert.Throws<ArgumentException>(() => m.MachineCheck([1, 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.WriteBank(0, 2, 0, 0, 0));
    }
}
