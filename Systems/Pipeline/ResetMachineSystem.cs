using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 5 (docs/design.md): a machine whose handler panicked resets at once. Banks that were not
/// cleared stay sticky; interposed values and every telemetry record not yet fetched by dom0 are lost;
/// the machine is down for the reboot downtime, then boots (Xen mce.c mc_panic, intpose table;
/// mce_intel.c intel_mce_post_reset).
/// </summary>
internal sealed class ResetMachineSystem
{
    private readonly MachineBatch _batch;

    public ResetMachineSystem(MachineBatch batch)
    {
        _batch = batch;
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new ResetDue(this);
        _batch.World.ForEachRow<MachineState, ResetDue>(machines, ref due);
    }

    /// <summary>The system's pass over the machines due this round (machine rows are machine indices).</summary>
    private readonly struct ResetDue(ResetMachineSystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s)
        {
            if (s.Phase == MachinePhase.Up && s.ResetPending)
            {
                system.Reset(row, ref s);
            }
        }
    }

    private void Reset(int machine, ref MachineState s)
    {
        var batch = _batch;
        batch.Emit(batch.NewEvent(machine, HandlerEventKind.Reset) with { Arg = s.ResetReason });
        batch.Telemetry.LoseAll(machine, LossCause.ResetBeforeFetch);

        foreach (ref var bank in batch.BanksForWrite(machine))
        {
            if (bank.InterposedCpu >= 0)
            {
                if ((bank.InterposedStatus & MciStatusBits.Val) != 0)
                {
                    batch.Emit(batch.NewEvent(machine, HandlerEventKind.LogLost) with
                    {
                        Cpu = bank.InterposedCpu,
                        Bank = bank.BankIndex,
                        Status = bank.InterposedStatus,
                        Arg = (long)LossCause.InterposedLostOnReset,
                    });
                }

                bank.InterposedCpu = -1;
                bank.InterposedStatus = 0;
                bank.InterposedAddr = 0;
                bank.InterposedMisc = 0;
            }
        }

        foreach (ref var cpu in batch.CpusForWrite(machine))
        {
            cpu.McgStatus = 0;
            cpu.McgInterposed = false;
            cpu.InterposedMcgStatus = 0;
            cpu.CmciPending = false;
            cpu.PendingCookie = -1;
            cpu.FoundError = false;
            cpu.Fatal = false;
            cpu.InMce = false;
        }

        foreach (ref var dom in batch.DomainsOf(machine))
        {
            dom.RunState = DomainRunState.Restarting;
            dom.RestartAtNs = long.MaxValue;
            dom.NrInjection = 0;
        }

        batch.Handler.ForgetBrokenPages(machine);
        batch.Daemon.OnReset(machine);
        var queue = batch.Handler.RfcQueue;
        for (int i = queue.Count - 1; i >= 0; i--)
        {
            if (queue[i].Machine == machine)
            {
                queue.RemoveAt(i);
            }
        }

        s.Phase = MachinePhase.Down;
        s.UpAtNs = s.NowNs + batch.Spec.RebootDowntimeNs;
        s.NextPollNs = long.MaxValue;
        s.Dom0FetchAtNs = long.MaxValue;
        s.McePending = false;
        s.ResetPending = false;
        s.VirqPending = false;
        s.PostResetPollDue = false;
        batch.Source.OnReset(machine, s.NowNs);
    }
}
