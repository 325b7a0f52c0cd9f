using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

public class McInfoTests
{
    private static McInfo WithGlobal()
    {
        var info = new McInfo();
        info.SetGlobal(McGlobal.Create(McFlags.Mce | McFlags.Recoverable, 0x5, cpu: 3, timeNs: 42));
        return info;
    }

    private static McBankRecord Bank(int i) => McBankRecord.FromRegisters(i, 0xBD000000004000CFUL, 0x180020, 0x86);

    [Fact]
    public void Sizes_MatchXenMcaHeader()
    {
        Assert.Equal(768, McInfo.SizeMaxBytes);
        Assert.Equal(32, McInfo.GlobalSizeBytes);
        Assert.Equal(48, McInfo.BankSizeBytes);
        Assert.Equal(520, McInfo.ExtendedSizeBytes);
        Assert.Equal(24, McInfo.RecoverySizeBytes);
        Assert.Equal(15, McInfo.BanksMax);
    }

    [Fact]
    public void TryAddBank_FifteenFit_SixteenthSetsUncomplete()
    {
        var info = WithGlobal();
        for (int i = 0; i < 15; i++)
        {
            Assert.True(info.TryAddBank(Bank(i)));
        }

        Assert.Equal(752, info.UsedBytes);
        Assert.Equal(McInfoFlags.None, info.Flags);
        Assert.False(info.TryAddBank(Bank(15)));
        Assert.Equal(McInfoFlags.Uncomplete, info.Flags);
        Assert.Equal(15, info.BankCount);
        Assert.Equal(16, info.EntryCount);
    }

    [Fact]
    public void TryAddRecovery_AfterFifteenBanks_DoesNotFit()
    {
        var info = WithGlobal();
        for (int i = 0; i < 15; i++)
        {
            info.TryAddBank(Bank(i));
        }

        Assert.False(info.TryAddRecovery(McRecoveryRecord.PageOffline(1, 0x180, 2)));
        Assert.True(info.Flags.HasFlag(McInfoFlags.Uncomplete));
    }

    [Fact]
    public void TryAddRecovery_FitsExactlyTo768()
    {
        // 32 + 14 x 48 = 704; two recoveries make 752; a 48-byte bank no longer fits but a 24-byte recovery (776) neither.
        var info = WithGlobal();
        for (int i = 0; i < 14; i++)
        {
            info.TryAddBank(Bank(i));
        }

        Assert.True(info.TryAddRecovery(McRecoveryRecord.PageOffline(1, 0x180, 2)));
        Assert.True(info.TryAddRecovery(McRecoveryRecord.PageOffline(2, 0x181, 2)));
        Assert.Equal(752, info.UsedBytes);
        Assert.False(info.TryAddBank(Bank(20)));
        Assert.False(info.TryAddRecovery(McRecoveryRecord.PageOffline(3, 0x182, 2)));
    }

    [Fact]
    public void TryAddExtended_LeavesRoomForFourBanks()
    {
        var info = WithGlobal();
        Assert.True(info.TryAddExtended(18));
        Assert.Equal(18, info.ExtendedMsrCount);
        for (int i = 0; i < 4; i++)
        {
            Assert.True(info.TryAddBank(Bank(i)));
        }

        Assert.Equal(744, info.UsedBytes);
        Assert.True(info.TryAddRecovery(McRecoveryRecord.PageOffline(0, 1, 2))); // exactly 768
        Assert.Equal(768, info.UsedBytes);
        Assert.False(info.TryAddBank(Bank(5)));
        Assert.Equal(
            [McBlockType.Global, McBlockType.Extended, McBlockType.Bank, McBlockType.Bank, McBlockType.Bank, McBlockType.Bank, McBlockType.Recovery],
            info.Blocks.ToArray());
    }

    [Fact]
    public void Blocks_RecordInsertionOrder()
    {
        var info = WithGlobal();
        info.TryAddBank(Bank(1));
        info.TryAddRecovery(McRecoveryRecord.PageOffline(1, 0x180, 2));
        info.TryAddBank(Bank(2));
        Assert.Equal([McBlockType.Global, McBlockType.Bank, McBlockType.Recovery, McBlockType.Bank], info.Blocks.ToArray());
        Assert.Equal(2, info.BankCount);
        Assert.Equal(1, info.RecoveryCount);
    }

    [Fact]
    public void SetGlobal_MustBeFirst_AndOthersNeedIt()
    {
        var empty = new McInfo();
        Assert.Throws<InvalidOperationException>(() => empty.TryAddBank(Bank(1)));
        var info = WithGlobal();
        Assert.Throws<InvalidOperationException>(() => info.SetGlobal(default));
        Assert.Throws<InvalidOperationException>(() => info.TryAddExtended(3) && info.TryAddExtended(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => info.TryAddExtended(33));
    }

    [Fact]
    public void Global_IsInitializedLikeMcaInitGlobal()
    {
        var info = WithGlobal();
        Assert.True(info.HasGlobal);
        Assert.Equal(XenIds.DomIdInvalid, info.Global.DomId);
        Assert.Equal(XenIds.VcpuIdInvalid, info.Global.VcpuId);
        Assert.Equal(3, info.Global.Cpu);
        Assert.Equal(42, info.Global.TimeNs);
        info.Global.CoreId = 9;
        Assert.Equal(9, info.Global.CoreId);
    }

    [Fact]
    public void FromRegisters_ReadsMiscAndAddrOnlyWhenValid()
    {
        var b = McBankRecord.FromRegisters(1, 0x9400000000000151UL, 0x1234, 0x86); // ADDRV, no MISCV
        Assert.Equal(0x1234UL, b.Addr);
        Assert.Equal(0UL, b.Misc);
        Assert.Equal(XenIds.DomIdInvalid, b.DomId);
        var c = McBankRecord.FromRegisters(1, 0x8000000000000151UL, 0x1234, 0x86);
        Assert.Equal(0UL, c.Addr);
        Assert.Throws<ArgumentOutOfRangeException>(() => McBankRecord.FromRegisters(70000, 0, 0, 0));
    }

    [Fact]
    public void ClearAndCopyFrom_RoundTrip()
    {
        var info = WithGlobal();
        info.TryAddExtended(2);
        info.TryAddBank(Bank(4));
        info.TryAddRecovery(McRecoveryRecord.PageOffline(4, 0x180, 6));
        info.Flags = McInfoFlags.Uncomplete;

        var copy = new McInfo();
        copy.CopyFrom(info);
        Assert.Equal(info.Blocks.ToArray(), copy.Blocks.ToArray());
        Assert.Equal(info.Banks.ToArray(), copy.Banks.ToArray());
        Assert.Equal(info.Recoveries.ToArray(), copy.Recoveries.ToArray());
        Assert.Equal(info.Global, copy.Global);
        Assert.Equal(info.UsedBytes, copy.UsedBytes);
        Assert.Equal(McInfoFlags.Uncomplete, copy.Flags);
        Assert.True(copy.HasExtended);

        copy.Clear();
        Assert.Equal(0, copy.EntryCount);
        Assert.Equal(0, copy.UsedBytes);
        Assert.False(copy.HasGlobal);
        Assert.False(copy.HasExtended);
        Assert.Equal(McInfoFlags.None, copy.Flags);
        Assert.Throws<ArgumentOutOfRangeException>(() => copy.Bank(0));
    }
}
