using Mca.Systems.Hardware;
using Mca.Systems.Xen;
using static Mca.Systems.Tests.Xen.StatusBits;

namespace Mca.Systems.Tests.Xen;

public class HandlerTableTests
{
    private const ulong Srao = Val | Uc | En | S | MiscV | AddrV;
    private const ulong Srar = Val | Uc | En | S | Ar | MiscV | AddrV;

    /// <summary>Records every call and returns a fixed result.</summary>
    private struct RecordingHandler : IMemoryErrorHandler
    {
        public McerResult Returns;
        public List<(int Index, ushort Bank, McerResult Preset)> Calls;

        public McerResult Handle(int recordIndex, ref McBankRecord bank, McerResult preset)
        {
            Calls.Add((recordIndex, bank.Bank, preset));
            bank.DomId = 7; // handlers may edit the record
            return Returns;
        }
    }

    private static RecordingHandler Recording(McerResult returns) => new() { Returns = returns, Calls = [] };

    private static McBankRecord Bank(int bank, ulong status) => McBankRecord.FromRegisters(bank, status, 0x180020, 0x86);

    [Theory]
    [InlineData(0xBF2000008000017AUL, McerResult.Reset)]
    [InlineData(Val | Uc | En | S | Ar | Over, McerResult.Reset)]
    [InlineData(0xBD000000004000CFUL, McerResult.Continue)]
    [InlineData(Srar | 0x134, McerResult.Continue)]
    [InlineData(0xBC20000080000136UL, McerResult.Continue)]
    [InlineData(0x9400000000000151UL, McerResult.Continue)]
    [InlineData(0UL, McerResult.Continue)]
    public void UrgentAction_FatalResetsElseContinues(ulong status, McerResult expected)
    {
        Assert.Equal(expected, UrgentTable.UrgentAction(status, ser: true));
    }

    [Fact]
    public void UrgentAction_UcWithoutSer_Resets()
    {
        Assert.Equal(McerResult.Reset, UrgentTable.UrgentAction(0xBD000000004000CFUL, ser: false));
    }

    [Fact]
    public void UrgentRun_WorstOverBanks_EmptyIsNoError()
    {
        Assert.Equal(McerResult.NoError, UrgentTable.Run([], ser: true));
        Assert.Equal(McerResult.Continue, UrgentTable.Run([Bank(1, Val), Bank(2, Srao | 0xC0)], ser: true));
        Assert.Equal(McerResult.Reset, UrgentTable.Run([Bank(1, Val), Bank(2, Val | Pcc | Uc), Bank(3, Val)], ser: true));
    }

    [Theory]
    [InlineData(0x5UL, false, false)] // RIPV | MCIP
    [InlineData(0x4UL, false, true)] // RIPV = 0, EIPV = 0
    [InlineData(0x4UL, true, true)] // EIPV = 0 even in a guest
    [InlineData(0x6UL, true, false)] // EIPV = 1 in a guest: restartable
    [InlineData(0x6UL, false, true)] // EIPV = 1 but Xen was interrupted: "Xen is not pre-emptible"
    public void IsUnrestartable_RipvEipvGuest(ulong mcgStatus, bool guest, bool expected)
    {
        Assert.Equal(expected, UrgentTable.IsUnrestartable(mcgStatus, guest));
    }

    [Fact]
    public void IsCpuFatal_UrgentResetOrUnrestartable()
    {
        McBankRecord[] srao = [Bank(8, 0xBD000000004000CFUL)];
        McBankRecord[] pcc = [Bank(7, 0xBF2000008000017AUL)];
        Assert.False(UrgentTable.IsCpuFatal(0x5, interruptedGuest: false, srao, ser: true));
        Assert.True(UrgentTable.IsCpuFatal(0x4, interruptedGuest: true, srao, ser: true));
        Assert.True(UrgentTable.IsCpuFatal(0x5, interruptedGuest: true, pcc, ser: true));
    }

    [Theory]
    [InlineData(0xC0UL)]
    [InlineData(0xC7UL)]
    [InlineData(0xCFUL)]
    [InlineData(0x17AUL)]
    public void Deferred_SraoMemoryCode_CallsHandlerWithPresetContinue(ulong code)
    {
        var h = Recording(McerResult.Recovered);
        var bank = Bank(8, Srao | code);
        Assert.Equal(McerResult.Recovered, DeferredTable.BankAction(3, ref bank, ser: true, ref h));
        Assert.Equal([(3, (ushort)8, McerResult.Continue)], h.Calls);
        Assert.Equal(7, bank.DomId);
    }

    [Theory]
    [InlineData(0xD0UL)]
    [InlineData(0x134UL)]
    [InlineData(0x10C0UL)]
    [InlineData(0x017BUL)]
    public void Deferred_SraoOtherCode_ContinuesWithoutHandler(ulong code)
    {
        var h = Recording(McerResult.Recovered);
        var bank = Bank(8, Srao | code);
        Assert.Equal(McerResult.Continue, DeferredTable.BankAction(0, ref bank, ser: true, ref h));
        Assert.Empty(h.Calls);
    }

    [Theory]
    [InlineData(0x134UL)]
    [InlineData(0x150UL)]
    public void Deferred_SrarMemoryCode_CallsHandlerWithPresetReset(ulong code)
    {
        var h = Recording(McerResult.Reset);
        var bank = Bank(2, Srar | code);
        Assert.Equal(McerResult.Reset, DeferredTable.BankAction(0, ref bank, ser: true, ref h));
        Assert.Equal([(0, (ushort)2, McerResult.Reset)], h.Calls);
    }

    [Fact]
    public void Deferred_SrarUnknownCode_ResetsWithoutHandler()
    {
        var h = Recording(McerResult.Recovered);
        var bank = Bank(2, Srar | 0x17A);
        Assert.Equal(McerResult.Reset, DeferredTable.BankAction(0, ref bank, ser: true, ref h));
        Assert.Empty(h.Calls);
    }

    [Theory]
    [InlineData(0xBC20000080000136UL, McerResult.Continue)] // UCNA
    [InlineData(0x9400000000000151UL, McerResult.Continue)] // CE
    [InlineData(Val | Uc, McerResult.Continue)] // spurious
    [InlineData(0xBF2000008000017AUL, McerResult.Reset)] // PCC (even with an SRAO-looking code)
    [InlineData(Val | Uc | En | S | Ar | Over | 0x134, McerResult.Reset)] // SRAR + OVER is fatal, never reaches the SRAR handler
    public void Deferred_DefaultHandler_FatalResetsElseContinues(ulong status, McerResult expected)
    {
        var h = Recording(McerResult.Recovered);
        var bank = Bank(1, status);
        Assert.Equal(expected, DeferredTable.BankAction(0, ref bank, ser: true, ref h));
        Assert.Empty(h.Calls);
    }

    [Fact]
    public void DeferredRun_WorstWins_InSeverityOrder()
    {
        var h = Recording(McerResult.Recovered);
        McBankRecord[] banks = [Bank(1, Srao | 0xC0), Bank(2, 0x9400000000000151UL)];
        Assert.Equal(McerResult.Continue, DeferredTable.Run(banks.AsSpan(), ser: true, ref h));

        h = Recording(McerResult.Recovered);
        McBankRecord[] recovered = [Bank(1, Srao | 0xC0), Bank(2, Srao | 0x17A)];
        Assert.Equal(McerResult.Recovered, DeferredTable.Run(recovered.AsSpan(), ser: true, ref h));
        Assert.Equal(2, h.Calls.Count);
    }

    [Fact]
    public void DeferredRun_StopsAtFirstReset()
    {
        var h = Recording(McerResult.Recovered);
        McBankRecord[] banks = [Bank(1, Srao | 0xC0), Bank(2, Srar | 0x17A), Bank(3, Srao | 0xC5)];
        Assert.Equal(McerResult.Reset, DeferredTable.Run(banks.AsSpan(), ser: true, ref h));
        Assert.Equal([(0, (ushort)1, McerResult.Continue)], h.Calls); // bank 3 never handled
        Assert.Equal(XenIds.DomIdInvalid, banks[2].DomId);
    }

    [Fact]
    public void DeferredRun_EmptyRecord_IsNoError()
    {
        var h = new PresetMemoryErrorHandler();
        Assert.Equal(McerResult.NoError, DeferredTable.Run(Span<McBankRecord>.Empty, ser: true, ref h));
    }

    [Fact]
    public void DeferredRun_OverMcInfo_EditsTheRecordInPlace()
    {
        var info = new McInfo();
        info.SetGlobal(McGlobal.Create(McFlags.Mce, 0x5, 0, 0));
        info.TryAddBank(Bank(8, 0xBD000000004000CFUL));
        var h = Recording(McerResult.Recovered);
        Assert.Equal(McerResult.Recovered, DeferredTable.Run(info, ser: true, ref h));
        Assert.Equal(7, info.Bank(0).DomId);
    }

    [Fact]
    public void PresetHandler_ReturnsPreset()
    {
        var h = new PresetMemoryErrorHandler();
        var bank = Bank(2, Srar | 0x134);
        Assert.Equal(McerResult.Reset, DeferredTable.BankAction(0, ref bank, true, ref h));
        Assert.Equal(1, h.Calls);
    }

    [Fact]
    public void Era40_MatchesOnlyCodes_WhateverTheGrade()
    {
        var h = Recording(McerResult.Recovered);
        McBankRecord[] banks =
        [
            Bank(1, Val | 0xC5), // a corrected scrub error still matches in that era
            Bank(2, Srar | 0x134), // SRAR data load: not in the era-4.0 table
            Bank(3, Srao | 0x17A),
        ];
        Assert.Equal(McerResult.Recovered, DeferredTable.RunEra40(banks.AsSpan(), 0x5, ref h));
        Assert.Equal([(0, (ushort)1, McerResult.Reset), (2, (ushort)3, McerResult.Reset)], h.Calls);
    }

    [Fact]
    public void Era40_NoMatchingBank_IsNoError()
    {
        var h = Recording(McerResult.Recovered);
        McBankRecord[] banks = [Bank(1, 0xBC20000080000136UL)];
        Assert.Equal(McerResult.NoError, DeferredTable.RunEra40(banks.AsSpan(), 0x5, ref h));
    }

    [Theory]
    [InlineData(McgStatusBits.Ripv | McgStatusBits.Mcip, McerResult.Continue)] // "no action"
    [InlineData(McgStatusBits.Mcip, McerResult.Reset)] // need reset
    public void Era40_SraoWithOver_SkipsRecovery_ByRipv(ulong mcgStatus, McerResult expected)
    {
        var h = Recording(McerResult.Recovered);
        McBankRecord[] banks = [Bank(1, Srao | Over | 0xC0)];
        Assert.Equal(expected, DeferredTable.RunEra40(banks.AsSpan(), mcgStatus, ref h));
        Assert.Empty(h.Calls);
    }

    [Fact]
    public void Era40_StopsAtFirstReset()
    {
        var h = Recording(McerResult.Reset);
        McBankRecord[] banks = [Bank(1, Srao | 0xC0), Bank(3, Srao | 0x17A)];
        Assert.Equal(McerResult.Reset, DeferredTable.RunEra40(banks.AsSpan(), 0x5, ref h));
        Assert.Single(h.Calls);
    }

    [Theory]
    [InlineData(McerResult.Reset, DelayedDisposition.Panic, false)]
    [InlineData(McerResult.Recovered, DelayedDisposition.CommitRecovered, true)]
    [InlineData(McerResult.Continue, DelayedDisposition.CommitTainted, true)]
    [InlineData(McerResult.NoError, DelayedDisposition.Dismiss, false)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void DelayedAction_OutcomeTable(McerResult result, DelayedDisposition expected, bool commits)
    {
        Assert.Equal(expected, DelayedAction.Decide(result));
        Assert.Equal(commits, DelayedAction.Commits(expected));
    }

    [Fact]
    public void McerResult_OrderIsSeverity()
    {
        Assert.True(McerResult.NoError < McerResult.Recovered);
        Assert.True(McerResult.Recovered < McerResult.Continue);
        Assert.True(McerResult.Continue < McerResult.Reset);
        Assert.Equal(McerResult.Continue, McerResults.Worst(McerResult.Recovered, McerResult.Continue));
        Assert.Equal(McerResult.Reset, McerResults.Worst(McerResult.Reset, McerResult.NoError));
    }

    [Fact]
    public void Era40PanicReason_PccThenRipvThenRecoverable()
    {
        var pcc = McaSummary.Begin(0x4);
        pcc.AddBank(0xBF2000008000017AUL, true);
        Assert.Equal("State lost due to machine check exception.", UrgentTable.Era40PanicReason(pcc));

        var noRipv = McaSummary.Begin(0x4);
        noRipv.AddBank(0xBD000000004000CFUL, true);
        Assert.Equal("RIPV =0 can't resume execution!", UrgentTable.Era40PanicReason(noRipv));

        var unrecoverable = McaSummary.Begin(0x5);
        unrecoverable.AddBank(Val | Uc | En | Over, true);
        Assert.Equal("Machine check exception software recovery fail.", UrgentTable.Era40PanicReason(unrecoverable));

        var fine = McaSummary.Begin(0x5);
        fine.AddBank(0xBD000000004000CFUL, true);
        Assert.Null(UrgentTable.Era40PanicReason(fine));

        var corrected = McaSummary.Begin(0x4);
        corrected.AddBank(Val, true);
        Assert.Null(UrgentTable.Era40PanicReason(corrected));
    }
}
