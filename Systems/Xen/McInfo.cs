using System.Diagnostics;

namespace Mca.Systems.Xen;

/// <summary>
/// One telemetry payload, <c>struct mc_info</c> (Xen public xen-mca.h): a global block,
/// optionally an extended block, bank blocks and recovery blocks, in the order they were added,
/// packed into at most <see cref="SizeMaxBytes"/> bytes. A block that does not fit is dropped and
/// <see cref="McInfoFlags.Uncomplete"/> is set, exactly as <c>x86_mcinfo_reserve</c>'s callers do.
/// </summary>
/// <remarks>
/// Block sizes are <c>sizeof</c> of the xen-mca.h structs on x86-64 (all multiples of 8, so the
/// 8-byte round-up changes nothing): <c>mcinfo_common</c> 4 = type u16 + size u16;
/// <c>mcinfo_global</c> 32 = common 4 + domid 2 + vcpuid 2 + socketid 4 + coreid 2 + threadid 2 +
/// apicid 4 + flags 4 + gstatus 8; <c>mcinfo_bank</c> 48 = common 4 + bank 2 + domid 2 + status,
/// addr, misc, ctrl2, tsc 5 x 8; <c>mcinfo_extended</c> 520 = common 4 + mc_msrs 4 + 32 x
/// <c>mcinfo_msr</c> 16; <c>mcinfo_recovery</c> 24 = common 4 + bank 2 + action_flags 1 +
/// action_types 1 + a 16-byte union. The capacity check is Xen's: blocks may fill 768 bytes measured
/// from <c>mi_data</c> (Xen compares against <c>mi_data + sizeof(struct mc_info)</c>, 8 bytes more
/// than <c>mi_data</c> really holds). So a global block and 15 banks fit (752 bytes), a 16th bank
/// does not, and with an extended block 4 banks fit. Instances are allocated once and reused.
/// </remarks>
internal sealed class McInfo
{
    /// <summary><c>MCINFO_MAXSIZE</c>.</summary>
    public const int SizeMaxBytes = 768;
    public const int GlobalSizeBytes = 32;
    public const int BankSizeBytes = 48;
    public const int ExtendedSizeBytes = 520;
    public const int RecoverySizeBytes = 24;
    /// <summary>Entries of <c>mcinfo_extended.mc_msr</c>.</summary>
    public const int ExtendedMsrsMax = 32;
    /// <summary>Most bank blocks that can ever fit (global + 15 x 48 = 752).</summary>
    public const int BanksMax = (SizeMaxBytes - GlobalSizeBytes) / BankSizeBytes;
    /// <summary>Most recovery blocks that can ever fit.</summary>
    public const int RecoveriesMax = (SizeMaxBytes - GlobalSizeBytes) / RecoverySizeBytes;
    /// <summary>Most blocks of any kind that can ever fit.</summary>
    public const int BlocksMax = 1 + RecoveriesMax;

    private readonly McBankRecord[] _banks = new McBankRecord[BanksMax];
    private readonly McRecoveryRecord[] _recoveries = new McRecoveryRecord[RecoveriesMax];
    private readonly McBlockType[] _blocks = new McBlockType[BlocksMax];
    private McGlobal _global;
    private int _bankCount;
    private int _recoveryCount;
    private int _blockCount;
    private int _usedBytes;
    private int _extendedMsrCount;
    private bool _hasGlobal;
    private bool _hasExtended;

    /// <summary><c>mi-&gt;flags</c>.</summary>
    public McInfoFlags Flags { get; set; }

    /// <summary><c>mi_nentries</c>: blocks stored.</summary>
    public int EntryCount => _blockCount;

    /// <summary>Bytes of blocks stored (at most <see cref="SizeMaxBytes"/>).</summary>
    public int UsedBytes => _usedBytes;

    /// <summary>Whether a global block is present (always, once a logout has filled the record).</summary>
    public bool HasGlobal => _hasGlobal;

    /// <summary>The global block. Valid only when <see cref="HasGlobal"/>.</summary>
    public ref McGlobal Global => ref _global;

    /// <summary>Number of bank blocks.</summary>
    public int BankCount => _bankCount;

    /// <summary>The bank blocks in the order added; writable (memory recovery sets <c>mc_domid</c> and rewrites the address).</summary>
    public Span<McBankRecord> Banks => _banks.AsSpan(0, _bankCount);

    /// <summary>Number of recovery blocks.</summary>
    public int RecoveryCount => _recoveryCount;

    /// <summary>The recovery blocks in the order added.</summary>
    public ReadOnlySpan<McRecoveryRecord> Recoveries => _recoveries.AsSpan(0, _recoveryCount);

    /// <summary>Whether an extended-state block (<c>MC_TYPE_EXTENDED</c>) is present.</summary>
    public bool HasExtended => _hasExtended;

    /// <summary><c>mc_msrs</c> of the extended block (the register values themselves are not modelled).</summary>
    public int ExtendedMsrCount => _extendedMsrCount;

    /// <summary>The type of every block in storage order (what a consumer walking <c>mi_data</c> sees).</summary>
    public ReadOnlySpan<McBlockType> Blocks => _blocks.AsSpan(0, _blockCount);

    /// <summary>The bank block at <paramref name="index"/> (storage order among banks).</summary>
    public ref McBankRecord Bank(int index)
    {
        if ((uint)index >= (uint)_bankCount)
        {
            ThrowIndex(nameof(index), index, _bankCount);
        }

        return ref _banks[index];
    }

    /// <summary><c>mcinfo_clear</c>: an empty record.</summary>
    public void Clear()
    {
        _global = default;
        _hasGlobal = false;
        _hasExtended = false;
        _extendedMsrCount = 0;
        _bankCount = 0;
        _recoveryCount = 0;
        _blockCount = 0;
        _usedBytes = 0;
        Flags = McInfoFlags.None;
    }

    /// <summary>Adds the global block; it must be the first block and a record holds one.</summary>
    public void SetGlobal(in McGlobal global)
    {
        if (_hasGlobal || _blockCount != 0)
        {
            throw new InvalidOperationException("the global block must be the first and only global block of an mc_info; call Clear() first");
        }

        // Xen public xen-mca.h: the record starts with MC_TYPE_GLOBAL, which always fits
        bool reserved = TryReserve(McBlockType.Global, GlobalSizeBytes);
        Debug.Assert(reserved, "an empty mc_info always has room for the global block");
        _global = global;
        _hasGlobal = true;
    }

    /// <summary>Appends the extended-state block (Intel, MCG_EXT_P and EIPV); false and UNCOMPLETE if it does not fit.</summary>
    public bool TryAddExtended(int msrCount)
    {
        if ((uint)msrCount > ExtendedMsrsMax)
        {
            throw new ArgumentOutOfRangeException(nameof(msrCount), msrCount, "expected 0..32 extended MSRs");
        }

        if (_hasExtended)
        {
            throw new InvalidOperationException("an mc_info carries at most one extended block in this model");
        }

        if (!TryReserve(McBlockType.Extended, ExtendedSizeBytes))
        {
            return false;
        }

        _hasExtended = true;
        _extendedMsrCount = msrCount;
        return true;
    }

    /// <summary>Appends a bank block (<c>mca_init_bank</c>); false and UNCOMPLETE if it does not fit.</summary>
    public bool TryAddBank(in McBankRecord bank)
    {
        if (!TryReserve(McBlockType.Bank, BankSizeBytes))
        {
            return false;
        }

        _banks[_bankCount++] = bank;
        return true;
    }

    /// <summary>Appends a recovery block (<c>mci_action_add_pageoffline</c>); false and UNCOMPLETE if it does not fit.</summary>
    public bool TryAddRecovery(in McRecoveryRecord recovery)
    {
        if (!TryReserve(McBlockType.Recovery, RecoverySizeBytes))
        {
            return false;
        }

        _recoveries[_recoveryCount++] = recovery;
        return true;
    }

    /// <summary>Copies every block and flag of <paramref name="source"/> into this record.</summary>
    public void CopyFrom(McInfo source)
    {
        ArgumentNullException.ThrowIfNull(source);
        _global = source._global;
        _hasGlobal = source._hasGlobal;
        _hasExtended = source._hasExtended;
        _extendedMsrCount = source._extendedMsrCount;
        _bankCount = source._bankCount;
        _recoveryCount = source._recoveryCount;
        _blockCount = source._blockCount;
        _usedBytes = source._usedBytes;
        Flags = source.Flags;
        source._banks.AsSpan(0, _bankCount).CopyTo(_banks);
        source._recoveries.AsSpan(0, _recoveryCount).CopyTo(_recoveries);
        source._blocks.AsSpan(0, _blockCount).CopyTo(_blocks);
    }

    private bool TryReserve(McBlockType type, int sizeBytes)
    {
        if (type != McBlockType.Global && !_hasGlobal)
        {
            throw new InvalidOperationException("call SetGlobal first: every mc_info starts with its global block");
        }

        // Xen public xen-mca.h: MCINFO_FLAGS_UNCOMPLETE is set in mi->flags when a block does not fit (768 bytes, MCINFO_MAXSIZE)
        if (_usedBytes + sizeBytes > SizeMaxBytes)
        {
            Flags |= McInfoFlags.Uncomplete;
            return false;
        }

        Debug.Assert(_blockCount < BlocksMax, "the byte budget bounds the block count");
        _blocks[_blockCount++] = type;
        _usedBytes += sizeBytes;
        return true;
    }

    private static void ThrowIndex(string name, int value, int count) =>
        throw new ArgumentOutOfRangeException(name, value, $"expected 0..{count - 1}");
}
