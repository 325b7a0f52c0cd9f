using Mca.Systems.Events;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Systems.Tests.Pipeline;

/// <summary>
/// Pipeline step 4 on one machine of the default shape: the verdict after a #MC in which no CPU found a valid
/// bank, in current Xen (mce.c mcheck_cmn_handler) and in the RFC era (Xen 32e8dd573b mce_intel.c mce_softirq).
/// </summary>
public class SelectSeveritySystemTests
{
    private static OneMachine RunNoBanks(HandlerPolicy policy, bool lmce)
    {
        var m = new OneMachine(policy);
        m.PendMce(3, lmce);
        new RendezvousMceSystem(m.Batch).Run([0]);
        new SelectSeveritySystem(m.Batch).Run([0]);
        return m;
    }

    [Fact]
    public void Common_BroadcastNoValidBank_NoPanic_ProcessingCpuChosen()
    {
        // Only a CPU with errcnt sets severity_cpu, and the check runs on `lmce || severity_cpu == cpu` (Xen mce.c mcheck_cmn_handler).
        var m = RunNoBanks(HandlerPolicy.Xen, lmce: false);
        Assert.False(m.Batch.Machines[0].ResetPending);
        Assert.Null(m.Batch.Handler.PanicMessages[0]);
        Assert.Single(m.Of(HandlerEventKind.ProcessingCpu));
    }

    [Fact]
    public void Common_LmceNoValidBank_PanicsNoValidMce()
    {
        var m = RunNoBanks(HandlerPolicy.Xen, lmce: true);
        Assert.True(m.Batch.Machines[0].ResetPending);
        Assert.Equal((byte)ResetReason.NoValidMce, m.Batch.Machines[0].ResetReason);
        Assert.Equal("Fatal machine check: MCE: No CPU found valid MCE, need reset", m.Batch.Handler.PanicMessages[0]);
    }

    [Fact]
    public void TwoRound_BroadcastNoValidBank_PanicsNotFoundSeverityCpu()
    {
        // The 2009 softirq checks severity_cpu on every CPU and panics while it is -1 (Xen 32e8dd573b mce_intel.c mce_softirq).
        var m = RunNoBanks(HandlerPolicy.Rfc2009, lmce: false);
        Assert.True(m.Batch.Machines[0].ResetPending);
        Assert.Equal("Fatal machine check: MCE: not found severity_cpu!", m.Batch.Handler.PanicMessages[0]);
    }
}
