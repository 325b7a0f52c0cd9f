using CsCheck;
using Mca.Systems.Hardware;
using Mca.Systems.Xen;
using static Mca.Systems.Tests.Xen.StatusBits;

namespace Mca.Systems.Tests.Xen;

public class BankWriteRulesTests
{
    private const ulong Ce = Val | En | AddrV | 0x151;
    private const ulong Ucna = Val | Uc | En | MiscV | AddrV | 0x136;
    private const ulong Srao = Val | Uc | En | MiscV | AddrV | S | 0xC0;
    private const ulong Srar = Val | Uc | En | MiscV | AddrV | S | Ar | 0x134;
    private const ulong Fatal = Val | Uc | En | Pcc | 0x400;

    private static ulong CountOf(ulong status) => (ulong)MciStatusBits.CeCount(status);

    [Fact]
    public void Merge_EmptyBank_WritesNewRecord()
    {
        var r = BankWriteRules.Merge(0, 0, 0, Srao, 0x1000, 0x86, ser: true);
        Assert.Equal(new BankRegisters(Srao, 0x1000, 0x86), r);
    }

    [Fact]
    public void Merge_EmptyBankCe_CountsOne()
    {
        var r = BankWriteRules.Merge(0, 0, 0, Ce, 0x2000, 0, ser: true);
        Assert.Equal(1UL, CountOf(r.Status));
        Assert.False(Has(r.Status, Over));
    }

    [Theory]
    [InlineData(Ucna)]
    [InlineData(Srao)]
    [InlineData(Srar)]
    public void Merge_UcrOverwritesCe(ulong ucr)
    {
        ulong ce = MciStatusBits.WithCeCount(Ce, 3);
        var r = BankWriteRules.Merge(ce, 0x2000, 0x11, ucr, 0x3000, 0x86, ser: true);
        Assert.Equal(0x3000UL, r.Addr);
        Assert.Equal(0x86UL, r.Misc);
        Assert.Equal(ucr | Over, MciStatusBits.WithCeCount(r.Status, 0));
        Assert.Equal(3UL, CountOf(r.Status)); // the bank's counter carries over, no increment for a UC error
    }

    [Theory]
    [InlineData(Ucna)]
    [InlineData(Srao)]
    [InlineData(Srar)]
    public void Merge_CeNeverOverwritesUcr(ulong ucr)
    {
        var r = BankWriteRules.Merge(ucr, 0x3000, 0x86, Ce, 0x2000, 0, ser: true);
        Assert.Equal(0x3000UL, r.Addr);
        Assert.Equal(ucr | Over, MciStatusBits.WithCeCount(r.Status, 0));
        Assert.Equal(1UL, CountOf(r.Status)); // the corrected error is still counted
    }

    [Theory]
    [InlineData(Ucna, Srao)]
    [InlineData(Srao, Ucna)]
    [InlineData(Srao, Srar)]
    [InlineData(Srar, Srao)]
    [InlineData(Ucna, Srar)]
    [InlineData(Srar, Srar)]
    public void Merge_UcrNeverOverwritesUcr_StickySAr(ulong first, ulong second)
    {
        var r = BankWriteRules.Merge(first, 0x1000, 0x86, second, 0x9000, 0x42, ser: true);
        Assert.Equal(0x1000UL, r.Addr);
        Assert.Equal(0x86UL, r.Misc);
        Assert.True(Has(r.Status, Over));
        Assert.Equal((first | second) & (S | Ar), r.Status & (S | Ar));
        Assert.Equal(first & 0xFFFF, r.Status & 0xFFFF);
    }

    [Fact]
    public void Merge_SraoThenSrar_KeepsFirstRecordWithSAndArAndNeedsReset()
    {
        // Intel SDM vol. 3B 15.6.4 (Table 15-7): SRAO followed by SRAR keeps the first record, leaves S = 1 and AR = 1 set, and requires a reset.
        var r = BankWriteRules.Merge(Srao, 0x1000, 0x86, Srar, 0x9000, 0x86, ser: true);
        Assert.Equal(0xC0UL, r.Status & 0xFFFF);
        Assert.True(Has(r.Status, S) && Has(r.Status, Ar) && Has(r.Status, Over));
        Assert.Equal(XenMceType.Fatal, IntelMca.CheckMceType(r.Status, ser: true));
    }

    [Theory]
    [InlineData(Ucna)]
    [InlineData(Srao)]
    [InlineData(Srar)]
    [InlineData(Ce)]
    public void Merge_PccOverwritesUcrAndCe(ulong first)
    {
        var r = BankWriteRules.Merge(first, 0x1000, 0x86, Fatal, 0x5000, 0, ser: true);
        Assert.Equal(0x5000UL, r.Addr);
        Assert.Equal(0x400UL, r.Status & 0xFFFF);
        Assert.True(Has(r.Status, Pcc) && Has(r.Status, Over));
        Assert.Equal(first & (S | Ar), r.Status & (S | Ar)); // sticky from the overwritten UCR
    }

    [Theory]
    [InlineData(Ucna)]
    [InlineData(Srar)]
    [InlineData(Fatal)]
    [InlineData(Ce)]
    public void Merge_NothingOverwritesPcc(ulong second)
    {
        var r = BankWriteRules.Merge(Fatal, 0x5000, 0, second, 0x1000, 0x86, ser: true);
        Assert.Equal(0x5000UL, r.Addr);
        Assert.Equal(0x400UL, r.Status & 0xFFFF);
    }

    [Fact]
    public void Merge_WithoutSer_UcOverwritesCeAndIsNeverOverwritten()
    {
        var r = BankWriteRules.Merge(Ce, 0x2000, 0, Srao, 0x3000, 0x86, ser: false);
        Assert.Equal(0x3000UL, r.Addr);
        var kept = BankWriteRules.Merge(Ucna, 0x3000, 0x86, Fatal, 0x5000, 0, ser: false);
        Assert.Equal(0x3000UL, kept.Addr); // without SER there is no UCR class: UC with PCC does not replace UC
        Assert.False(Has(kept.Status, Pcc));
    }

    [Fact]
    public void Merge_WithoutSer_SAndArAreNotMerged()
    {
        var r = BankWriteRules.Merge(Val | Uc | En, 0x1000, 0, Val | Uc | En | S | Ar, 0x2000, 0, ser: false);
        Assert.False(Has(r.Status, S));
        Assert.False(Has(r.Status, Ar));
    }

    [Fact]
    public void Merge_CeThenCe_KeepsFirstUnlessYellowReplacesGreen()
    {
        ulong green = Ce | MciStatusBits.ThresholdGreen;
        ulong yellow = (Ce | MciStatusBits.ThresholdYellow) + 1;
        Assert.Equal(0x1000UL, BankWriteRules.Merge(green, 0x1000, 0, green + 1, 0x2000, 0, true).Addr);
        Assert.Equal(0x2000UL, BankWriteRules.Merge(green, 0x1000, 0, yellow, 0x2000, 0, true).Addr);
        Assert.Equal(0x1000UL, BankWriteRules.Merge(yellow, 0x1000, 0, yellow, 0x2000, 0, true).Addr);
        Assert.Equal(0x1000UL, BankWriteRules.Merge(yellow, 0x1000, 0, green, 0x2000, 0, true).Addr);
    }

    [Fact]
    public void Merge_OverSetWheneverValWasSet()
    {
        foreach (ulong first in new[] { Ce, Ucna, Srao, Srar, Fatal })
        {
            foreach (ulong second in new[] { Ce, Ucna, Srao, Srar, Fatal })
            {
                Assert.True(Has(BankWriteRules.Merge(first, 0, 0, second, 0, 0, true).Status, Over));
                Assert.False(Has(BankWriteRules.Merge(first & ~Val, 0, 0, second, 0, 0, true).Status, Over));
            }
        }
    }

    [Fact]
    public void Merge_CountSaturatesWithStickyTopBit()
    {
        ulong bank = MciStatusBits.WithCeCount(Ce, 0x7FFE);
        var r = BankWriteRules.Merge(bank, 0, 0, Ce, 0, 0, true);
        Assert.Equal(0x7FFFUL, CountOf(r.Status));
        r = BankWriteRules.Merge(r.Status, 0, 0, Ce, 0, 0, true);
        Assert.Equal(0x7FFFUL, CountOf(r.Status));
        Assert.True(Has(r.Status, MciStatusBits.CeCountOverflow));
    }

    [Fact]
    public void Merge_WithoutCmciP_LeavesBits52To38Alone()
    {
        ulong other = 0x5UL << 38;
        var r = BankWriteRules.Merge(0, 0, 0, Ce | other, 0, 0, ser: true, cmciP: false);
        Assert.Equal(Ce | other, r.Status);
    }

    [Fact]
    public void Merge_NewWithoutVal_Throws()
    {
        Assert.Throws<ArgumentException>(() => BankWriteRules.Merge(0, 0, 0, Uc, 0, 0, true));
    }

    [Fact]
    public void Classify_Classes()
    {
        Assert.Equal(OverwriteClass.Corrected, BankWriteRules.Classify(Ce | Pcc, true));
        Assert.Equal(OverwriteClass.Ucr, BankWriteRules.Classify(Srao, true));
        Assert.Equal(OverwriteClass.Uncorrected, BankWriteRules.Classify(Fatal, true));
        Assert.Equal(OverwriteClass.Uncorrected, BankWriteRules.Classify(Srao, false));
    }

    private static readonly Gen<ulong> StatusGen =
        Gen.Select(Gen.ULong, Gen.Int[0, 5]).Select((bits, kind) => kind switch
        {
            0 => 0UL, // empty bank
            1 => bits & ~Uc, // random corrected
            2 => (bits | Val) & ~Uc, // valid corrected
            3 => bits | Val | Uc, // valid uncorrected (any class)
            _ => bits,
        });

    private static readonly Gen<ulong> CeGen = Gen.ULong.Select(bits => (bits | Val) & ~Uc);

    [Fact]
    public void FoldCorrected_EqualsRepeatedMerge()
    {
        Gen.Select(Gen.Select(StatusGen, Gen.ULong, Gen.ULong), Gen.Select(CeGen, Gen.ULong, Gen.ULong), Gen.Int[0, 40], Gen.Select(Gen.Bool, Gen.Bool))
            .Sample((existing, ce, count, flags) =>
            {
                var (status, addr, misc) = existing;
                var (ceStatus, ceAddr, ceMisc) = ce;
                var (ser, cmciP) = flags;
                var loop = new BankRegisters(status, addr, misc);
                for (int i = 0; i < count; i++)
                {
                    loop = BankWriteRules.Merge(loop.Status, loop.Addr, loop.Misc, ceStatus, ceAddr, ceMisc, ser, cmciP);
                }

                var fold = BankWriteRules.FoldCorrected(status, addr, misc, ceStatus, ceAddr, ceMisc, count, ser, cmciP);
                return loop == fold;
            });
    }

    [Fact]
    public void FoldCorrected_LargeCountSaturates()
    {
        Gen.Select(StatusGen, CeGen, Gen.Long[0x7000, 1L << 40]).Sample((status, ce, count) =>
        {
            var loop = new BankRegisters(status, 1, 2);
            for (int i = 0; i < 0x8002; i++)
            {
                loop = BankWriteRules.Merge(loop.Status, loop.Addr, loop.Misc, ce, 3, 4, true);
            }

            var fold = BankWriteRules.FoldCorrected(status, 1, 2, ce, 3, 4, count + 0x8002, true);
            return loop == fold && CountOf(fold.Status) == 0x7FFF;
        }, iter: 20);
    }

    [Fact]
    public void FoldCorrected_RejectsUncorrectedAndNegative()
    {
        Assert.Throws<ArgumentException>(() => BankWriteRules.FoldCorrected(0, 0, 0, Srao, 0, 0, 1, true));
        Assert.Throws<ArgumentOutOfRangeException>(() => BankWriteRules.FoldCorrected(0, 0, 0, Ce, 0, 0, -1, true));
        Assert.Equal(new BankRegisters(Srao, 1, 2), BankWriteRules.FoldCorrected(Srao, 1, 2, Ce, 0, 0, 0, true));
    }

    [Theory]
    [InlineData(1, 0x4000_0002UL, false)]
    [InlineData(2, 0x4000_0002UL, true)]
    [InlineData(9, 0x4000_0002UL, true)]
    [InlineData(9, 0x0000_0002UL, false)] // CMCI_EN clear
    [InlineData(9, 0x4000_0000UL, false)] // threshold 0
    public void CmciThresholdReached_CountAgainstCtl2(long count, ulong ctl2, bool expected)
    {
        Assert.Equal(expected, BankWriteRules.CmciThresholdReached(MciStatusBits.WithCeCount(Ce, count), ctl2));
    }

    [Fact]
    public void CmciThresholdCrossed_FiresOnceUntilCleared()
    {
        const ulong ctl2 = MciCtl2Bits.CmciEn | 2;
        var one = BankWriteRules.Merge(0, 0, 0, Ce, 0, 0, true);
        var two = BankWriteRules.Merge(one.Status, 0, 0, Ce, 0, 0, true);
        var three = BankWriteRules.Merge(two.Status, 0, 0, Ce, 0, 0, true);
        Assert.False(BankWriteRules.CmciThresholdCrossed(0, one.Status, ctl2));
        Assert.True(BankWriteRules.CmciThresholdCrossed(one.Status, two.Status, ctl2));
        Assert.False(BankWriteRules.CmciThresholdCrossed(two.Status, three.Status, ctl2));
        var folded = BankWriteRules.FoldCorrected(0, 0, 0, Ce, 0, 0, 5, true);
        Assert.True(BankWriteRules.CmciThresholdCrossed(0, folded.Status, ctl2));
    }
}
