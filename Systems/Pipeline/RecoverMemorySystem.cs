using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 6 (docs/design.md): the softirq's deferred work on the processing CPU. Current Xen runs the
/// deferred handler table on every CPU's pending telemetry, with mcaction's page offline,
/// impacted-domain judgement and per-vCPU vMCE (Xen mce.c mce_softirq, mcaction.c mc_memerr_dhandler,
/// vmce.c); the RFC's most offending CPU gathers vmce_data items (domain, pCPU set) and injects one
/// vMCE per item (Xen 32e8dd573b mce_intel.c mce_actions; Xen MCA RFC, xen-devel Feb 2009). Both end
/// with VIRQ_MCA to dom0.
/// </summary>
internal sealed class RecoverMemorySystem
{
    private readonly MachineBatch _batch;
    private readonly VmceInjector _injector;
    /// <summary>vmce_data items of the current event: (domain index, pCPU) pairs in first-seen order, with the first bank slot that impacts the domain.</summary>
    private readonly List<(int DomainIndex, int Cpu, int Cookie, int Slot)> _items = new(64);

    public RecoverMemorySystem(MachineBatch batch)
    {
        _batch = batch;
        _injector = new VmceInjector(batch);
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new RecoverMemoryDue(this);
        _batch.World.ForEachRow<MachineState, RecoverMemoryDue>(machines, ref due);
    }

    /// <summary>The system's work on one machine due this round (its row is its index in the batch).</summary>
    private void Visit(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up || !s.McePending)
        {
            return;
        }

        if (!s.ResetPending)
        {
            if (_batch.Policy.Rendezvous == RendezvousStyle.Common)
            {
                ProcessDeferred(m, ref s);
            }
            else
            {
                MceActions(m);
            }

            // VIRQ_MCA from the processing CPU whether or not anything was processed (Xen mce.c mce_softirq).
            s.VirqPending = true;
        }

        s.McePending = false;
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct RecoverMemoryDue(RecoverMemorySystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    /// <summary>mctelem_process_deferred for every online CPU, in CPU order (Xen mce.c mce_softirq, mctelem.c).</summary>
    private void ProcessDeferred(int machine, ref MachineState s)
    {
        var cpus = _batch.CpusForWrite(machine);
        for (int c = 0; c < cpus.Length; c++)
        {
            ref var cpu = ref cpus[c];
            int cookie = cpu.PendingCookie;
            if (cookie < 0)
            {
                continue;
            }

            cpu.PendingCookie = -1;
            var handler = new MemoryErrorHandler(this, machine, c, cookie);
            McerResult result = _batch.Telemetry.RunDeferredTable(machine, cookie, _batch.Spec.Ser, ref handler);
            _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.McerResult) with { Cpu = (short)c, Arg = (long)result });
            var disposition = DelayedAction.Decide(result);
            if (_batch.Trace.Enabled)
            {
                XenConsole.DelayedActionLines(disposition, _batch.Telemetry.Data(machine, cookie), c, _batch.Trace.XenSink!);
            }

            switch (disposition)
            {
                case DelayedDisposition.Panic:
                    _batch.Telemetry.Lose(machine, cookie, LossCause.ResetBeforeFetch);
                    s.ResetPending = true;
                    s.ResetReason = (byte)ResetReason.Unrecoverable;
                    XenPanic.Panic(_batch, machine, XenConsole.SoftwareRecoveryFailed);
                    return;
                case DelayedDisposition.CommitRecovered:
                case DelayedDisposition.CommitTainted:
                    _batch.Telemetry.Commit(machine, cookie, urgent: true);
                    break;
                default:
                    _batch.Telemetry.Dismiss(machine, cookie);
                    break;
            }
        }
    }

    /// <summary>
    /// mc_memerr_dhandler (Xen mcaction.c): page offline and classification by owner; for a domain
    /// page: unmap, address rewritten to the guest frame, fill and inject the vMCE, RECOVERED; any
    /// failure crashes the domain and keeps the preset result.
    /// </summary>
    internal McerResult MemoryError(int machine, int cpu, int cookie, ref McBankRecord bank, McerResult preset)
    {
        var batch = _batch;
        var spec = batch.Spec;
        if (!batch.Policy.PageOffline)
        {
            return preset;
        }

        if (!IntelMca.IsPhysicalAddress(bank.Status, bank.Misc))
        {
            batch.Trace.XenSink?.Add(XenConsole.NoPhysicalAddress());
            return preset;
        }

        long mfn = (long)MemoryErrorAction.Mfn(bank.Addr);
        var owner = spec.Memory.OwnerOf(mfn);
        bool alreadyBroken = batch.Handler.IsBroken(machine, mfn);
        // A frame dom0 had offlined and its owner freed is out of service: offline_page finds it offlined (Xen page_alloc.c).
        bool retired = batch.Pages.OutOfService(machine, mfn, batch.Machines[machine].NowNs);
        var offline = retired ? PageOfflineResult.Offlined() : owner.Kind switch
        {
            FrameOwnerKind.Invalid => PageOfflineResult.InvalidMfn(),
            FrameOwnerKind.XenFixed => PageOfflineResult.XenFixed(),
            FrameOwnerKind.Free => PageOfflineResult.Offlined(),
            FrameOwnerKind.XenHeap => PageOfflineResult.PendingXenHeap(),
            _ => alreadyBroken ? PageOfflineResult.Again() : PageOfflineResult.PendingOwned((ushort)owner.DomId),
        };
        batch.Emit(batch.NewEvent(machine, HandlerEventKind.PageOffline) with { Cpu = (short)cpu, Bank = (short)bank.Bank, Addr = (ulong)mfn, Arg = (long)offline.Outcome });
        if (offline.CallFailed)
        {
            batch.Trace.XenSink?.Add(XenConsole.OfflineFailed((ulong)mfn));
            return preset;
        }

        batch.Handler.MarkBroken(machine, mfn);
        batch.Telemetry.AddRecovery(machine, cookie, bank.Bank, mfn, offline.StatusWord);
        switch (offline.Outcome)
        {
            case PageOfflineOutcome.Offlined:
                return McerResult.Recovered;
            case PageOfflineOutcome.Again:
                // offline_page crashed the owner itself, "preventing recursive mce".
                _injector.CrashDomain(machine, batch.DomainIndexOf(owner.DomId), CrashReason.RecursiveMce);
                return McerResult.Continue;
            case PageOfflineOutcome.PendingOwned:
                break;
            default:
                return preset;
        }

        int d = batch.DomainIndexOf(owner.DomId);
        batch.Trace.XenSink?.Add(XenConsole.OwnedBy((ushort)owner.DomId));
        bank.DomId = (ushort)owner.DomId;
        ref var dom = ref batch.DomainsOf(machine)[d];
        if (dom.RunState != DomainRunState.Running)
        {
            return preset;
        }

        // unmmap_broken_page: dom0 is trusted; HVM without shadow gets p2m_ram_broken; PV domU or shadow fails.
        if (dom.DomId != 0 && (dom.Kind == DomainKind.Pv || dom.Shadow))
        {
            batch.Trace.XenSink?.Add(XenConsole.UnmapFailed((ulong)mfn, (ushort)dom.DomId));
            _injector.CrashDomain(machine, d, CrashReason.UnmapFailed);
            return preset;
        }

        bank.Addr = MemoryErrorAction.GuestAddress((ulong)owner.Gfn, bank.Addr);
        bool ok = _injector.InjectCurrentModel(machine, d, cpu, cookie, in bank);
        return ok ? McerResult.Recovered : preset;
    }

    /// <summary>
    /// The RFC's mce_actions on the most offending CPU: each UC bank whose physical page a domain owns
    /// adds (domain, pCPU) to vmce_data; telemetry is committed URGENT; then one vMCE per item to the
    /// policy's target (dom0, or the impacted domain).
    /// </summary>
    private void MceActions(int machine)
    {
        var batch = _batch;
        var spec = batch.Spec;
        var cpus = batch.CpusForWrite(machine);
        _items.Clear();
        for (int c = 0; c < cpus.Length; c++)
        {
            ref var cpu = ref cpus[c];
            int cookie = cpu.PendingCookie;
            if (cookie < 0)
            {
                continue;
            }

            cpu.PendingCookie = -1;
            int n = batch.Telemetry.BankCount(machine, cookie);
            for (int i = 0; i < n; i++)
            {
                batch.Telemetry.GetBank(machine, cookie, i, out int bankIndex, out ulong status, out ulong addr, out ulong misc);
                // Only errors that ask for action (SRAO, SRAR) become vmce_data items; a UCNA or CE
                // that the #MC logout swept up is logged, not injected.
                var type = IntelMca.CheckMceType(status, spec.Ser);
                if ((type != XenMceType.Srao && type != XenMceType.Srar) || !McaLogout.IsPhysical(status, misc))
                {
                    continue;
                }

                var owner = spec.Memory.OwnerOf((long)(addr >> MemoryMap.PageShift));
                if (owner.Kind != FrameOwnerKind.Domain)
                {
                    continue;
                }

                batch.Telemetry.SetBankDomain(machine, cookie, i, owner.DomId);
                int d = batch.DomainIndexOf(owner.DomId);
                if (!HasItem(d, c))
                {
                    _items.Add((d, c, cookie, i));
                }
            }

            batch.Telemetry.Commit(machine, cookie, urgent: true);
        }

        foreach (var (d, c, cookie, slot) in _items)
        {
            int target = batch.Policy.Target == VmceTarget.Dom0Only ? batch.DomainIndexOf(0) : d;
            if (target >= 0)
            {
                _injector.InjectRfcItem(machine, target, d, c, cookie, slot);
            }
        }
    }

    private bool HasItem(int domainIndex, int cpu)
    {
        foreach (var item in _items)
        {
            if (item.DomainIndex == domainIndex && item.Cpu == cpu)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The deferred table's memory-error callback (a struct, so the table makes no allocation).</summary>
    private readonly struct MemoryErrorHandler(RecoverMemorySystem owner, int machine, int cpu, int cookie) : IMemoryErrorHandler
    {
        public McerResult Handle(int recordIndex, ref McBankRecord bank, McerResult preset) => owner.MemoryError(machine, cpu, cookie, ref bank, preset);
    }
}
