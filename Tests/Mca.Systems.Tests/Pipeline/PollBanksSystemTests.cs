using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using static Mca.Systems.Tests.Pipeline.OneMachine;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>
/// Pipeline step 2's poll round on one machine of the default shape: which finds shorten the adaptive period
/// (adjust) and which count towards the console dump throttle (dumpcount), as in Xen intel-nonfatal.c
/// mce_checkregs and mce_work_fn.
/// </summary>
public class PollBanksSystemTests
{
    private const int PolledBank = 4; // PCU, package-scoped and without CMCI: in every policy's poll mask
    private const ulong Addr = 0x180040;

    /// <summary>Moves the machine to its next poll instant and runs the poll step there.</summary>
    private static void PollRound(OneMachine m, PollBanksSystem poll)
    {
        ref var s = ref m.Batch.Machines[0];
        s.NowNs = s.NextPollNs;
        poll.Run([0]);
    }

    [Theory]
    [InlineData("xen")]
    [InlineData("rfc2009")]
    public void FindWithTelemetry_DividesThePeriod(string policy)
    {
        var m = new OneMachine(HandlerPolicy.Parse(policy));
        m.Write(0, PolledBank, Corrected, Addr);

        PollRound(m, new PollBanksSystem(m.Batch));

        // One CPU found an error: period 8 s / (1 + 1) (Xen intel-nonfatal.c mce_work_fn).
        Assert.Single(m.Of(HandlerEventKind.PollFound));
        ref readonly var s = ref m.Batch.Machines[0];
        Assert.Equal(4 * MachineSpec.NsPerSecond, s.PollPeriodNs);
        Assert.Equal(12 * MachineSpec.NsPerSecond, s.NextPollNs);
    }

    [Theory]
    [InlineData("xen")]
    [InlineData("rfc2009")]
    public void FindWithoutTelemetryEntry_DoesNotCountAsAdjust(string policy)
    {
        // mce_checkregs counts adjust++ only for bs.errcnt && mctc != NULL (Xen intel-nonfatal.c): a find whose
        // reservation failed leaves the round empty for the timer, so the period doubles.
        var m = new OneMachine(HandlerPolicy.Parse(policy));
        for (int i = 0; i < 1000 && m.Batch.Telemetry.Reserve(0, urgent: false) >= 0; i++)
        {
        }

        m.Write(0, PolledBank, Corrected, Addr);

        PollRound(m, new PollBanksSystem(m.Batch));

        Assert.Single(m.Of(HandlerEventKind.PollFound));
        Assert.Contains(m.Events, e => e.Kind == HandlerEventKind.LogLost && e.Arg == (long)LossCause.PoolExhausted);
        ref readonly var s = ref m.Batch.Machines[0];
        Assert.Equal(16 * MachineSpec.NsPerSecond, s.PollPeriodNs);
        Assert.Equal(24 * MachineSpec.NsPerSecond, s.NextPollNs);
    }

    [Fact]
    public void Dom0Listening_FindsDoNotCountTowardsTheDumpThrottle()
    {
        // dumpcount grows only in the branch where dom0 has not enabled VIRQ_MCA (Xen intel-nonfatal.c mce_checkregs).
        var trace = new HandlerTrace(enabled: true);
        var m = new OneMachine(HandlerPolicy.Xen, trace: trace);
        var poll = new PollBanksSystem(m.Batch);
        for (int i = 0; i < 12; i++)
        {
            m.Write(0, PolledBank, Corrected, Addr);
            PollRound(m, poll);
        }

        Assert.Equal(0, m.Batch.Machines[0].PollDumpCount);
        Assert.Equal(12, m.Of(HandlerEventKind.TelemetryCommitted).Count());

        // dom0 stops listening: its first missed find is the throttle's first, so it is dismissed without a dump.
        int d0 = m.Batch.DomainIndexOf(0);
        m.Batch.DomainsOf(0)[d0].VirqMcaBound = false;
        m.Write(0, PolledBank, Corrected, Addr);
        PollRound(m, poll);

        Assert.Equal(1, m.Batch.Machines[0].PollDumpCount);
        Assert.DoesNotContain(trace.Console, l => l.StartsWith("POLLED occurred", StringComparison.Ordinal));
        Assert.Single(m.Events, e => e.Kind == HandlerEventKind.LogLost && e.Arg == (long)LossCause.VirqNotBound);
    }

    [Fact]
    public void Dom0Deaf_DumpsFromTheTenthMissedFind()
    {
        var trace = new HandlerTrace(enabled: true);
        var m = new OneMachine(HandlerPolicy.Xen, trace: trace);
        int d0 = m.Batch.DomainIndexOf(0);
        m.Batch.DomainsOf(0)[d0].VirqMcaBound = false;
        var poll = new PollBanksSystem(m.Batch);
        for (int i = 0; i < 12; i++)
        {
            m.Write(0, PolledBank, Corrected, Addr);
            PollRound(m, poll);
        }

        // ++dumpcount >= 10: finds 10, 11 and 12 are dumped, the first nine only dismissed (Xen intel-nonfatal.c).
        Assert.Equal(12, m.Batch.Machines[0].PollDumpCount);
        Assert.Equal(3, trace.Console.Count(l => l.StartsWith("POLLED occurred", StringComparison.Ordinal)));
        Assert.Equal(12, m.Events.Count(e => e.Kind == HandlerEventKind.LogLost && e.Arg == (long)LossCause.VirqNotBound));
    }
}
