namespace Mca.Systems.Xen;

/// <summary>
/// A recovery block, <c>struct mcinfo_recovery</c> with the page-offline action (Xen mcaction.c
/// mc_memerr_dhandler): which bank, which machine frame, and the <c>offline_page</c> status word.
/// </summary>
internal struct McRecoveryRecord
{
    /// <summary><c>MC_ACTION_PAGE_OFFLINE</c>.</summary>
    public const byte ActionPageOffline = 1 << 0;
    /// <summary><c>MC_ACTION_CPU_OFFLINE</c> (never produced by Xen's Intel path).</summary>
    public const byte ActionCpuOffline = 1 << 1;

    /// <summary><c>mc_bank</c>.</summary>
    public ushort Bank;
    /// <summary><c>action_flags</c> (Xen leaves it 0).</summary>
    public byte ActionFlags;
    /// <summary><c>action_types</c>.</summary>
    public byte ActionTypes;
    /// <summary><c>page_retire.mfn</c>.</summary>
    public ulong Mfn;
    /// <summary><c>page_retire.status</c>: the <see cref="PageOfflineStatus"/> bits.</summary>
    public ulong OfflineStatus;

    /// <summary>A page-offline record.</summary>
    public static McRecoveryRecord PageOffline(ushort bank, ulong mfn, ulong offlineStatus) => new()
    {
        Bank = bank,
        ActionTypes = ActionPageOffline,
        Mfn = mfn,
        OfflineStatus = offlineStatus,
    };
}
