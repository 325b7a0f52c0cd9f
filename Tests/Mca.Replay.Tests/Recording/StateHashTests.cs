using Mca.Replay.Recording;
using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;
using Mca.Tests.Shared;

namespace Mca.Replay.Tests.Recording;

/// <summary>
/// The recorder's state hash keeps one hash per bank and CPU row and recomputes only rows the batch reported
/// written (its writable bank and CPU views report every row they hand out); the poll scan is kept per machine until
/// a bank is handed out writable. These tests run the random error mix (every class, interposed values, resets and
/// reboots) and check, many times per machine, that the cached hash equals one computed from every row
/// afresh: a bank write that forgot its mark, or a CPU write view that did not mark, would show here.
/// </summary>
public class StateHashTests
{
    public static TheoryData<string, bool, bool> Cases => new()
    {
        { "rfc2009", true, false },
        { "rfc2009", false, true },
        { "xen", true, false },
        { "xen", false, false },
        { "rfc2009-impacted", true, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void CachedRowHashes_EqualHashesFromEveryRow(string policy, bool ser, bool literal)
    {
        var spec = ser ? MachineSpec.Default : MachineSpec.DefaultNoSer;
        const int Machines = 12;
        long horizon = 30 * 86_400L * MachineSpec.NsPerSecond;
        var source = new InterposingSource(new RandomErrorSource(spec, 11, 100, Machines, horizon, 3 * 3600 * MachineSpec.NsPerSecond));
        var batch = MachineBatches.Create(spec, HandlerPolicy.Parse(policy), 100, Machines, 11, source, literalPolling: literal);
        var recorder = BatchRecorder.Attach(batch);
        var seen = new HashSet<ulong>();
        int checks = 0;
        for (long t = 0; t <= horizon; t += 6 * 3600 * MachineSpec.NsPerSecond)
        {
            batch.RunUntil(t);
            for (int m = 0; m < Machines; m++)
            {
                // Every other machine is checked before the cache is refreshed, so marks accumulate over several steps.
                if ((t / (6 * 3600 * MachineSpec.NsPerSecond) + m) % 2 == 0)
                {
                    ulong fresh = recorder.StateHashUncached(m);
                    Assert.Equal(fresh, recorder.StateHash(m));
                    Assert.Equal(batch.PollWouldFindUncached(m), batch.PollWouldFind(m));
                    seen.Add(fresh);
                    checks++;
                }
            }

            batch.Events.Clear();
        }

        Assert.True(source.Interposed > 10, $"interposed errors arrived ({source.Interposed})");
        Assert.True(seen.Count > checks / 2, $"the state changes between checks ({seen.Count} distinct hashes in {checks} checks)");
    }

    [Fact]
    public void StateHash_DoesNotDependOnWhereTheMachineSits()
    {
        // The same fleet machine (id 205) at row 5 of a batch and alone in a batch of one.
        var spec = MachineSpec.Default;
        long horizon = 20 * 86_400L * MachineSpec.NsPerSecond;
        var fleet = MachineBatches.Create(spec, HandlerPolicy.Rfc2009, 200, 8, 3, new RandomErrorSource(spec, 3, 200, 8, horizon, 3600 * MachineSpec.NsPerSecond));
        var alone = MachineBatches.Create(spec, HandlerPolicy.Rfc2009, 205, 1, 3, new RandomErrorSource(spec, 3, 205, 1, horizon, 3600 * MachineSpec.NsPerSecond));
        var fleetRecorder = BatchRecorder.Attach(fleet);
        var aloneRecorder = BatchRecorder.Attach(alone);
        for (long t = 0; t <= horizon; t += 86_400L * MachineSpec.NsPerSecond)
        {
            fleet.RunUntil(t);
            alone.RunUntil(t);
            Assert.Equal(fleetRecorder.StateHash(5), aloneRecorder.StateHash(0));
            Assert.NotEqual(fleetRecorder.StateHash(5), fleetRecorder.StateHash(4));
        }
    }

    /// <summary>Makes every fourth error an interposed injection (XEN_MC_msrinject with INTERPOSE).</summary>
    private sealed class InterposingSource(IErrorSource inner) : IErrorSource
    {
        private long _taken;

        public int Interposed { get; private set; }

        public long NextArrivalNs(int machineIndex) => inner.NextArrivalNs(machineIndex);

        public ErrorInjection Take(int machineIndex)
        {
            var e = inner.Take(machineIndex);
            if (_taken++ % 4 == 3)
            {
                e.Interposed = true;
                e.AutoSignal = false;
                Interposed++;
            }

            return e;
        }

        public void OnReset(int machineIndex, long timeNs) => inner.OnReset(machineIndex, timeNs);
    }
}
