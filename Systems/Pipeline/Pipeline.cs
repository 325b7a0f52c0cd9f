using System.Globalization;
using Mca.Ecs;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>
/// The handler pipeline of docs/design.md, run once per round over the machines that have work at
/// their current instant: reboot/restart, arrive, poll and CMCI, rendezvous, severity, recovery
/// and vMCE injection, reset, guests, dom0 log. Each system is a pass over those machines.
/// </summary>
internal sealed class Pipeline : IBatchPipeline
{
    private readonly MachineBatch _batch;
    private readonly ArriveErrorsSystem _arrive;
    private readonly PollBanksSystem _poll;
    private readonly RendezvousMceSystem _rendezvous;
    private readonly SelectSeveritySystem _severity;
    private readonly RecoverMemorySystem _recover;
    private readonly ResetMachineSystem _reset;
    private readonly HandleGuestVmceSystem _guest;
    private readonly LogDom0System _dom0;

    public Pipeline(MachineBatch batch)
    {
        _batch = batch;
        _arrive = new ArriveErrorsSystem(batch);
        _poll = new PollBanksSystem(batch);
        _rendezvous = new RendezvousMceSystem(batch);
        _severity = new SelectSeveritySystem(batch);
        _recover = new RecoverMemorySystem(batch);
        _reset = new ResetMachineSystem(batch);
        _guest = new HandleGuestVmceSystem(batch);
        _dom0 = new LogDom0System(batch);
    }

    public void Run(ReadOnlySpan<int> machines)
    {
        var wake = new WakeDue(this);
        _batch.World.ForEachRow<MachineState, WakeDue>(machines, ref wake);

        _arrive.Run(machines);
        _poll.Run(machines);
        _rendezvous.Run(machines);
        _severity.Run(machines);
        _reset.Run(machines);
        _recover.Run(machines);
        _reset.Run(machines);
        _guest.Run(machines);
        _reset.Run(machines);
        _dom0.Run(machines);
    }

    /// <summary>Step 0 over the machines due this round: reboot what is due up, skip empty polls, restart crashed domains.</summary>
    private readonly struct WakeDue(Pipeline pipeline) : IForEachRow<MachineState>
    {
        public void Update(int row, ref MachineState s)
        {
            if (s.Phase == MachinePhase.Down && s.UpAtNs <= s.NowNs)
            {
                pipeline.Boot(row, isReboot: true);
            }
            else if (s.Phase == MachinePhase.Up && !pipeline._batch.LiteralPolling)
            {
                PollSchedule.SkipEmptyRounds(ref s, s.NowNs);
            }

            pipeline.RestartDomains(row);
        }
    }

    /// <summary>
    /// Brings a machine up: CPU init (post-reset logout under current Xen), CMCI discovery and its
    /// logout, poll timer, guest vMCA registers; dom0 drains leftovers after binding VIRQ_MCA.
    /// </summary>
    public void Boot(int machine, bool isReboot)
    {
        var batch = _batch;
        var spec = batch.Spec;
        ref var m = ref batch.Machines[machine];
        m.Phase = MachinePhase.Up;
        if (isReboot)
        {
            m.NowNs = Math.Max(m.NowNs, m.UpAtNs);
            batch.Emit(batch.NewEvent(machine, HandlerEventKind.Rebooted));
            SkipCesWhileDown(machine, m.NowNs);
            batch.Daemon.OnBoot(machine);
        }

        var cpus = batch.CpusForWrite(machine);
        var banks = batch.BanksForWrite(machine);

        if (isReboot && batch.Policy.PostReset == PostResetLogging.BootLogout)
        {
            // intel_mce_post_reset: MCA_RESET logout of all banks, dump, commit NONURGENT (Xen mce_intel.c; a commit since 341c0e113f).
            ulong all = AllBanksMask(spec);
            for (int c = 0; c < cpus.Length; c++)
            {
                var s = McaLogout.Run(batch, machine, c, LogoutSource.Reset, all);
                if (s.Found > 0 && s.Cookie >= 0)
                {
                    batch.Telemetry.TraceDump(machine, s.Cookie);
                    batch.Telemetry.Commit(machine, s.Cookie, urgent: false);
                }
            }
        }

        // cmci_discover (Xen mce_intel.c): the first CPU to set CMCI_EN on a bank owns it; banks
        // without CMCI support go to every sharing CPU's poll mask (Xen 3e15c37e68 poll_bankmask), or
        // every bank does under the March 2009 poller (Xen 32e8dd573b non-fatal.c polls mca_allbanks).
        bool pollEveryBank = batch.Policy.PollBanks == PollBankSet.EveryBank;
        for (int c = 0; c < cpus.Length; c++)
        {
            cpus[c].CmciOwnedMask = 0;
            cpus[c].PollMask = 0;
        }

        ulong threshold = (ulong)Math.Min(spec.CmciThreshold, spec.CmciThresholdMax);
        for (int row = 0; row < banks.Length; row++)
        {
            ref var b = ref banks[row];
            bool cmci = spec.CmciSupported && spec.Banks[b.BankIndex].CmciCapable;
            b.CmciOwnerCpu = cmci ? (short)spec.FirstCpuOfInstance(row) : (short)-1;
            b.Ctl = ulong.MaxValue;
            b.Ctl2 = cmci ? threshold | MciCtl2Bits.CmciEn : 0;
        }

        for (int c = 0; c < cpus.Length; c++)
        {
            ref var cpu = ref cpus[c];
            cpu.McgStatus = 0;
            cpu.McgInterposed = false;
            cpu.PendingCookie = -1;
            for (int b = spec.FirstBank; b < spec.BankCount; b++)
            {
                ref var bank = ref banks[spec.BankInstanceOf(c, b)];
                if (bank.CmciOwnerCpu == c)
                {
                    cpu.CmciOwnedMask |= 1UL << b;
                }

                if (bank.CmciOwnerCpu < 0 || pollEveryBank)
                {
                    cpu.PollMask |= 1UL << b;
                }
            }
        }

        // After discovery, one CMCI-style logout of the owned banks so the count field restarts. Under
        // the RFC's post-reset rule the banks a reset left sticky are the first poll's to log, so the
        // discovery logout is skipped after a reboot (else they would be logged twice).
        if (!(isReboot && batch.Policy.PostReset == PostResetLogging.FirstPoll))
        {
            for (int c = 0; c < cpus.Length; c++)
            {
                _poll.CmciLogout(machine, c);
            }
        }

        PollSchedule.Start(ref m);
        m.PostResetPollDue = isReboot && batch.Policy.PostReset == PostResetLogging.FirstPoll;

        var domains = batch.DomainsOf(machine);
        for (int d = 0; d < domains.Length; d++)
        {
            domains[d].RunState = DomainRunState.Running;
            domains[d].NrInjection = 0;
            InitVcpus(machine, d);
        }

        // The classic dom0 driver drains once right after binding VIRQ_MCA (mce_dom0.c of classic-Xen kernels).
        if (isReboot && batch.Telemetry.HasCommitted(machine))
        {
            m.Dom0FetchAtNs = Math.Min(m.Dom0FetchAtNs, m.NowNs + spec.Dom0LogLatencyNs);
        }
    }

    /// <summary>
    /// The corrected errors a fault's streams had while the host was down never happened (model choice: nothing
    /// reads or scrubs the memory of a host in reset, and a bank's count restarts at boot), so they are dropped
    /// rather than delivered at once at boot, where thousands would arrive in one instant and exhaust the
    /// telemetry pool. Other errors of the downtime still arrive when the host is up (docs/design.md).
    /// </summary>
    private void SkipCesWhileDown(int machine, long bootNs)
    {
        if (_batch.Source is not ICeStreamSource streams)
        {
            return;
        }

        // Bounded: each pass removes at least the pending CE.
        while (streams.NextArrivalNs(machine) < bootNs && streams.PendingStream(machine, out _))
        {
            streams.SkipStream(machine, Math.Max(1, streams.StreamCount(machine, bootNs)));
        }
    }

    /// <summary>Brings crashed domains back once their restart time has come.</summary>
    private void RestartDomains(int machine)
    {
        ref var m = ref _batch.Machines[machine];
        if (m.Phase != MachinePhase.Up)
        {
            return;
        }

        var domains = _batch.DomainsOf(machine);
        for (int d = 0; d < domains.Length; d++)
        {
            ref var dom = ref domains[d];
            if (dom.RunState != DomainRunState.Running && dom.RestartAtNs <= m.NowNs)
            {
                dom.RunState = DomainRunState.Running;
                dom.NrInjection = 0;
                InitVcpus(machine, d);
                _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.DomainRestarted) with { Domain = dom.DomId });
                if (dom.DomId == 0 && _batch.Telemetry.HasCommitted(machine))
                {
                    m.Dom0FetchAtNs = Math.Min(m.Dom0FetchAtNs, m.NowNs + _batch.Spec.Dom0LogLatencyNs);
                }
            }
        }
    }

    private void InitVcpus(int machine, int domainIndex)
    {
        var spec = _batch.Spec;
        // Guest MCG_CAP: current model SER_P|TES_P|CMCI_P|2 (Xen vmce.c); March 2009: host cap without CMCI_P.
        ulong cap = _batch.Policy.Vmce == VmceModel.PerVcpuBank1
            ? VmceMsrs.GuestMcgCap(hostIntel: true, lmce: false)
            : spec.McgCap & ~McgCapBits.CmciP;
        foreach (ref var v in _batch.VcpusOf(machine, domainIndex))
        {
            v = new VcpuMca { McgCap = cap };
        }
    }

    internal static ulong AllBanksMask(MachineSpec spec) =>
        spec.BankCount == 64 ? ulong.MaxValue : (1UL << spec.BankCount) - 1;

    internal static string Hex16(ulong value) => value.ToString("x16", CultureInfo.InvariantCulture);
}
