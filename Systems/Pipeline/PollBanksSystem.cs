using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// Pipeline step 2 (docs/design.md): CMCI handlers of the CPUs a CMCI reached, then the poll-timer round if
/// one is due (Xen mce_intel.c cmci_interrupt, intel-nonfatal.c mce_checkregs). Found records go
/// NONURGENT to dom0 with VIRQ_MCA, or are dumped and dismissed when dom0 does not listen.
/// </summary>
internal sealed class PollBanksSystem
{
    /// <summary>Finds dom0 missed that are dismissed silently before dumps start (Xen intel-nonfatal.c mce_checkregs dumpcount).</summary>
    private const int PollDumpAfter = 10;

    private readonly MachineBatch _batch;

    public PollBanksSystem(MachineBatch batch)
    {
        _batch = batch;
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var due = new PollBanksDue(this);
        _batch.World.ForEachRow<MachineState, PollBanksDue>(machines, ref due);
    }

    /// <summary>The system's work on one machine due this round (its row is its index in the batch).</summary>
    private void Visit(int m, ref MachineState s)
    {
        if (s.Phase != MachinePhase.Up)
        {
            return;
        }

        var cpus = _batch.CpusOf(m);
        for (int c = 0; c < cpus.Length; c++)
        {
            if (cpus[c].CmciPending)
            {
                _batch.CpuForWrite(m, c).CmciPending = false;
                _batch.Emit(_batch.NewEvent(m, HandlerEventKind.CmciRaised) with { Cpu = (short)c });
                CmciLogout(m, c);
            }
        }

        // The round at an instant comes after every error of that instant (some wait for a CMCI handled in between).
        if (s.NextPollNs == s.NowNs && _batch.Source.NextArrivalNs(m) > s.NowNs)
        {
            PollRound(m, ref s);
        }
    }

    /// <summary>The pass over the machines due this round, through the ECS.</summary>
    private readonly struct PollBanksDue(PollBanksSystem system) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s) => system.Visit(row, ref s);
    }

    /// <summary>The CMCI handler: MCA_CMCI_HANDLER logout of the banks this CPU owns (Xen mce_intel.c cmci_interrupt).</summary>
    public void CmciLogout(int machine, int cpu)
    {
        ulong owned = _batch.CpusOf(machine)[cpu].CmciOwnedMask;
        if (owned == 0)
        {
            return;
        }

        var summary = McaLogout.Run(_batch, machine, cpu, LogoutSource.Cmci, owned);
        if (summary.Found > 0)
        {
            Deliver(machine, summary.Cookie, polled: false);
        }
    }

    private void PollRound(int machine, ref MachineState s)
    {
        var cpus = _batch.CpusOf(machine);
        bool everyBank = s.PostResetPollDue;
        ulong all = Pipeline.AllBanksMask(_batch.Spec);
        int cpusWithErrors = 0;
        // on_each_cpu(mce_checkregs): CPUs in index order; the first to read a shared bank clears it.
        for (int c = 0; c < cpus.Length; c++)
        {
            if (!cpus[c].Online)
            {
                continue;
            }

            // The RFC's post-reset poll reads every bank (PostResetLogging.FirstPoll).
            ulong mask = everyBank ? all : cpus[c].PollMask;
            if (mask == 0)
            {
                continue;
            }

            var summary = McaLogout.Run(_batch, machine, c, LogoutSource.Poller, mask);
            // adjust++ only when the logout found errors and got a telemetry entry (Xen intel-nonfatal.c mce_checkregs: bs.errcnt && mctc != NULL).
            if (summary.Found > 0 && summary.Cookie >= 0)
            {
                cpusWithErrors++;
                Deliver(machine, summary.Cookie, polled: true);
            }
        }

        s.PostResetPollDue = false;
        PollSchedule.AfterRound(ref s, cpusWithErrors);
    }

    /// <summary>Commit NONURGENT and raise VIRQ_MCA, or (dom0 not listening) dump and dismiss (Xen mce_intel.c cmci_interrupt, intel-nonfatal.c mce_checkregs).</summary>
    private void Deliver(int machine, int cookie, bool polled)
    {
        if (cookie < 0)
        {
            return;
        }

        if (Dom0Listening(machine))
        {
            _batch.Telemetry.Commit(machine, cookie, urgent: false);
            _batch.Machines[machine].VirqPending = true;
            return;
        }

        // CMCI dumps every find; the poller counts only the finds dom0 missed and dumps from the 10th on (Xen intel-nonfatal.c mce_checkregs dumpcount).
        if (!polled || ++_batch.Machines[machine].PollDumpCount >= PollDumpAfter)
        {
            _batch.Telemetry.TraceDump(machine, cookie);
        }

        _batch.Telemetry.Lose(machine, cookie, LossCause.VirqNotBound);
    }

    private bool Dom0Listening(int machine)
    {
        int d0 = _batch.DomainIndexOf(0);
        return d0 >= 0 && _batch.DomainsOf(machine)[d0].VirqMcaBound;
    }
}
