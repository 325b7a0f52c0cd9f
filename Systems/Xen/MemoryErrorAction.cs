using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>How the unmap → fill → inject chain of memory recovery ended for an owned page (Xen mcaction.c mc_memerr_dhandler).</summary>
internal enum VmceDelivery : byte
{
    /// <summary>Unmap, fill_vmsr_data and inject_vmce all succeeded.</summary>
    Delivered,
    /// <summary><c>unmmap_broken_page</c> failed (PV domU, shadow-mode HVM, ...).</summary>
    UnmapFailed,
    /// <summary><c>fill_vmsr_data</c> failed (<see cref="VmceFill"/>: MCIP still set, ...).</summary>
    FillFailed,
    /// <summary><c>inject_vmce</c> failed (<see cref="VmceInject"/>: mce_pending set, no callback, ...).</summary>
    InjectFailed,
}

/// <summary>How the era 4.0/4.1 owned-page path ended.</summary>
internal enum Era40Delivery : byte
{
    Delivered,
    /// <summary><c>mca_ctl_conflict</c>: the guest cleared CTL bits the host has set; vMCE suppressed, no crash.</summary>
    CtlConflict,
    FillFailed,
    InjectFailed,
}

/// <summary>The console lines memory recovery prints (see <see cref="XenConsole.MemoryErrorLines"/>).</summary>
[Flags]
internal enum MemoryErrorMessages : byte
{
    None = 0,
    /// <summary>dprintk "No physical address provided for memory error".</summary>
    NoPhysicalAddress = 1 << 0,
    /// <summary>dprintk "Failed to offline page &lt;mfn&gt; for MCE error".</summary>
    OfflineFailed = 1 << 1,
    /// <summary>"MCE: This error page is ownded by DOM &lt;D&gt;" (typo exact).</summary>
    OwnedBy = 1 << 2,
    /// <summary>"Unmap broken memory &lt;mfn&gt; for DOM&lt;D&gt; failed".</summary>
    UnmapFailed = 1 << 3,
    /// <summary>"Fill vMCE# data for DOM&lt;D&gt; failed".</summary>
    FillFailed = 1 << 4,
    /// <summary>"inject vMCE to DOM&lt;D&gt; failed".</summary>
    InjectFailed = 1 << 5,
}

/// <summary>Everything <c>mc_memerr_dhandler</c> decides for one bank; apply it with <see cref="MemoryErrorAction.Apply"/>.</summary>
internal readonly record struct MemoryErrorDecision
{
    /// <summary>The bank's final result.</summary>
    public McerResult Result { get; init; }
    /// <summary>Which console lines to print, in the order of the enum.</summary>
    public MemoryErrorMessages Messages { get; init; }
    /// <summary>The machine frame, <c>addr &gt;&gt; 12</c> (0 when the address was not physical).</summary>
    public ulong Mfn { get; init; }
    /// <summary>Whether a page-offline recovery record is appended to the telemetry.</summary>
    public bool AddRecoveryRecord { get; init; }
    /// <summary>The <c>offline_page</c> status word for the recovery record.</summary>
    public ulong OfflineStatus { get; init; }
    /// <summary>Whether the bank's <c>mc_domid</c> becomes <see cref="Owner"/>.</summary>
    public bool SetBankDomId { get; init; }
    /// <summary>The page owner D when <see cref="SetBankDomId"/>.</summary>
    public ushort Owner { get; init; }
    /// <summary>Whether the unmap → fill → inject chain ran (owned by a real domain).</summary>
    public bool VmceAttempted { get; init; }
    /// <summary>Whether the bank address was rewritten to the guest address (after a successful unmap).</summary>
    public bool RewriteAddress { get; init; }
    /// <summary>Whether <c>domain_crash(D)</c> is called.</summary>
    public bool CrashOwner { get; init; }

    /// <summary>The recovery record for hardware bank <paramref name="bank"/>.</summary>
    public McRecoveryRecord RecoveryRecord(ushort bank) => McRecoveryRecord.PageOffline(bank, Mfn, OfflineStatus);
}

/// <summary>
/// Memory-error recovery as a pure decision (Xen mcaction.c <c>mc_memerr_dhandler</c>):
/// physical-address check, <c>offline_page</c>, the offline-status table, and the vMCE chain for
/// a page owned by a domain. The pipeline performs the side effects (<see cref="Apply"/>, page
/// offline, <see cref="VmceFill"/>, <see cref="VmceInject"/>, domain crash).
/// </summary>
internal static class MemoryErrorAction
{
    /// <summary>x86 <c>PAGE_SHIFT</c>.</summary>
    public const int PageShift = 12;
    private const ulong PageOffsetMask = (1UL << PageShift) - 1;

    /// <summary>The machine frame of a bank address.</summary>
    public static ulong Mfn(ulong addr) => addr >> PageShift;

    /// <summary>The guest address Xen writes back into the bank record: <c>(gfn &lt;&lt; 12) | page offset</c>.</summary>
    public static ulong GuestAddress(ulong gfn, ulong machineAddress)
    {
        // Xen mcaction.c mc_memerr_dhandler step 3: rewrite the bank address to the guest frame, (gfn << 12) | page offset
        return (gfn << PageShift) | (machineAddress & PageOffsetMask);
    }

    /// <summary>Whether the unmap → fill → inject chain runs: the page is owned (PENDING | OWNED) by a domain other than DOMID_XEN.</summary>
    public static bool RequiresVmce(PageOfflineResult offline)
    {
        // Xen mcaction.c mc_memerr_dhandler: for a page owned by domain D, if D is not DOMID_XEN run unmap, fill and inject
        return offline.Outcome == PageOfflineOutcome.PendingOwned && offline.Owner != XenIds.DomIdXen;
    }

    /// <summary>
    /// The vCPU to fill and inject (<see cref="VmceFill.Broadcast"/> = broadcast): the interrupted vCPU
    /// only if its id is valid, the running domain is the owner and, on Intel, MCG_STATUS.LMCE is set and
    /// that vCPU enabled LMCE in vMCG_EXT_CTL.
    /// </summary>
    /// <param name="runningVcpuMcgExtCtl">vMCG_EXT_CTL of vCPU <c>global.VcpuId</c> of the owner (ignored unless needed).</param>
    public static int ChooseVmceVcpu(in McGlobal global, ushort owner, bool hostIntel, ulong runningVcpuMcgExtCtl)
    {
        // Xen mcaction.c mc_memerr_dhandler step 2: broadcast unless vCPU valid, global mc_domid = D and (Intel) LMCE set and LMCE_EN in that vCPU
        if (global.VcpuId == XenIds.VcpuIdInvalid || global.DomId != owner)
        {
            return VmceFill.Broadcast;
        }

        if (hostIntel && ((global.McgStatus & McgStatusBits.Lmce) == 0 || (runningVcpuMcgExtCtl & VmceMsrs.McgExtCtlLmceEn) == 0))
        {
            return VmceFill.Broadcast;
        }

        return global.VcpuId;
    }

    /// <summary>
    /// The current-era decision for one bank that the SRAO/SRAR handler sent to memory recovery.
    /// </summary>
    /// <param name="preset">SRAO: CONTINUE; SRAR: RESET.</param>
    /// <param name="bank">The bank record (status, misc, addr as logged).</param>
    /// <param name="offline">What <c>offline_page</c> found; ignored when the address is not physical.</param>
    /// <param name="delivery">How the vMCE chain ended; ignored unless <see cref="RequiresVmce"/>.</param>
    public static MemoryErrorDecision Decide(McerResult preset, in McBankRecord bank, PageOfflineResult offline, VmceDelivery delivery)
    {
        // Xen mcaction.c mc_memerr_dhandler step 1: not physical -> "No physical address provided for memory error", result unchanged
        if (!IntelMca.IsPhysicalAddress(bank.Status, bank.Misc))
        {
            return new MemoryErrorDecision { Result = preset, Messages = MemoryErrorMessages.NoPhysicalAddress };
        }

        ulong mfn = Mfn(bank.Addr);

        // Xen mcaction.c mc_memerr_dhandler step 2: offline_page failure -> "Failed to offline page <mfn> for MCE error", result unchanged
        if (offline.CallFailed)
        {
            return new MemoryErrorDecision { Result = preset, Messages = MemoryErrorMessages.OfflineFailed, Mfn = mfn };
        }

        // Xen mcaction.c mc_memerr_dhandler step 3: append an MC_TYPE_RECOVERY record (bank, PAGE_OFFLINE, mfn, offline status)
        var decision = new MemoryErrorDecision
        {
            Result = preset,
            Mfn = mfn,
            AddRecoveryRecord = true,
            OfflineStatus = offline.StatusWord,
        };

        switch (offline.Outcome)
        {
            case PageOfflineOutcome.Offlined:
                // Xen mcaction.c mc_memerr_dhandler step 4: PG_OFFLINE_OFFLINED -> MCER_RECOVERED
                return decision with { Result = McerResult.Recovered };

            case PageOfflineOutcome.Again:
                // Xen mcaction.c mc_memerr_dhandler step 4: PG_OFFLINE_AGAIN -> MCER_CONTINUE (offline_page already crashed the owner)
                return decision with { Result = McerResult.Continue };

            case PageOfflineOutcome.PendingOwned:
                return DecideOwned(decision, offline.Owner, delivery);

            default:
                // Xen mcaction.c mc_memerr_dhandler step 4: PENDING without OWNED (Xen heap) and ANONYMOUS/FAILED -> result unchanged
                return decision;
        }
    }

    /// <summary>
    /// The era 4.0/4.1 UCR handler (<c>intel_UCR_handler</c>): preset NEED_RESET; recovery needs only a
    /// non-zero address (no physical-mode check) and prints nothing when <c>offline_page</c> fails.
    /// Results map as: MCA_RECOVERED → RECOVERED; plain NEED_RESET → RESET (the caller panics);
    /// NEED_RESET | OWNER (owned page whose vMCE was suppressed or failed, or owned by DOMID_XEN) →
    /// CONTINUE, because that era compared the result with <c>==</c> and so did not panic. No
    /// recovery record is appended in that era.
    /// </summary>
    public static MemoryErrorDecision DecideEra40(in McBankRecord bank, PageOfflineResult offline, Era40Delivery delivery)
    {
        var reset = new MemoryErrorDecision { Result = McerResult.Reset, Mfn = Mfn(bank.Addr) };

        // Xen 4.0/4.1 mce_intel.c: the UCR handler presets need-reset; no address, failure, AGAIN or no owner keep it
        if (bank.Addr == 0 || offline.CallFailed)
        {
            return reset;
        }

        switch (offline.Outcome)
        {
            case PageOfflineOutcome.Offlined:
                // Xen mcaction.c mc_memerr_dhandler step 4 (same in 4.0/4.1): a free page retired is recovered
                return reset with { Result = McerResult.Recovered };

            case PageOfflineOutcome.PendingOwned:
                var owned = reset with
                {
                    Result = McerResult.Continue,
                    Messages = MemoryErrorMessages.OwnedBy,
                    SetBankDomId = true,
                    Owner = offline.Owner,
                };

                if (offline.Owner == XenIds.DomIdXen)
                {
                    return owned;
                }

                return delivery switch
                {
                    Era40Delivery.Delivered => owned with { Result = McerResult.Recovered, VmceAttempted = true, RewriteAddress = true },
                    Era40Delivery.CtlConflict => owned,
                    Era40Delivery.FillFailed => owned with { VmceAttempted = true, RewriteAddress = true, CrashOwner = true, Messages = owned.Messages | MemoryErrorMessages.FillFailed },
                    Era40Delivery.InjectFailed => owned with { VmceAttempted = true, RewriteAddress = true, CrashOwner = true, Messages = owned.Messages | MemoryErrorMessages.InjectFailed },
                    _ => throw new ArgumentOutOfRangeException(nameof(delivery), delivery, "expected an Era40Delivery value"),
                };

            default:
                return reset;
        }
    }

    /// <summary>
    /// Applies a decision to the bank record and the telemetry: sets <c>mc_domid</c>, rewrites the
    /// address to <paramref name="gfn"/>'s guest address, and appends the recovery record to
    /// <paramref name="info"/> (which may set UNCOMPLETE). Returns false if the record did not fit.
    /// </summary>
    public static bool Apply(in MemoryErrorDecision decision, ref McBankRecord bank, ulong gfn, McInfo? info)
    {
        if (decision.SetBankDomId)
        {
            // Xen mcaction.c mc_memerr_dhandler: set the bank's mc_domid = D
            bank.DomId = decision.Owner;
        }

        if (decision.RewriteAddress)
        {
            bank.Addr = GuestAddress(gfn, bank.Addr);
        }

        if (decision.AddRecoveryRecord && info != null)
        {
            return info.TryAddRecovery(decision.RecoveryRecord(bank.Bank));
        }

        return true;
    }

    private static MemoryErrorDecision DecideOwned(MemoryErrorDecision decision, ushort owner, VmceDelivery delivery)
    {
        // Xen mcaction.c mc_memerr_dhandler: owned by D -> "MCE: This error page is ownded by DOM <D>", bank mc_domid = D
        if (owner == XenIds.DomIdCow)
        {
            throw new InvalidOperationException("a broken page shared copy-on-write (DOMID_COW) is a BUG() in Xen: not modelled");
        }

        var owned = decision with { Messages = MemoryErrorMessages.OwnedBy, SetBankDomId = true, Owner = owner };
        if (owner == XenIds.DomIdXen)
        {
            return owned;
        }

        owned = owned with { VmceAttempted = true };
        return delivery switch
        {
            // Xen mcaction.c mc_memerr_dhandler step 5: on success MCER_RECOVERED
            VmceDelivery.Delivered => owned with { Result = McerResult.Recovered, RewriteAddress = true },
            // Xen mcaction.c mc_memerr_dhandler step 6: any failure -> domain_crash(D), result stays at the preset
            VmceDelivery.UnmapFailed => owned with { CrashOwner = true, Messages = owned.Messages | MemoryErrorMessages.UnmapFailed },
            VmceDelivery.FillFailed => owned with { CrashOwner = true, RewriteAddress = true, Messages = owned.Messages | MemoryErrorMessages.FillFailed },
            VmceDelivery.InjectFailed => owned with { CrashOwner = true, RewriteAddress = true, Messages = owned.Messages | MemoryErrorMessages.InjectFailed },
            _ => throw new ArgumentOutOfRangeException(nameof(delivery), delivery, "expected a VmceDelivery value"),
        };
    }
}
