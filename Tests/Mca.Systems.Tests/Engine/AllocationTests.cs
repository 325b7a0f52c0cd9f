using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Pipeline;

namespace Mca.Systems.Tests.Engine;

/// <summary>
/// House style "Hot paths": nothing is allocated per step once the batch reached its working size. Runs in the
/// "Allocation" collection: batches share a process-wide stack of free telemetry pools, and tests running
/// beside this one would take pools from it and make this batch allocate new ones.
/// </summary>
[Collection("Allocation")]
public class AllocationTests
{
    /// <summary>Corrected bursts (CMCI), UCNA (poll and CMCI) and SRAO #MCs (page offline, vMCE) on a fixed set of pages.</summary>
    private sealed class SteadySource : IErrorSource
    {
        private readonly long[] _next;
        private readonly CounterRng[] _rng;

        public SteadySource(int machines)
        {
            _next = new long[machines];
            _rng = new CounterRng[machines];
            for (int i = 0; i < machines; i++)
            {
                _rng[i] = CounterRng.Create(3, (ulong)i, 1);
                _next[i] = 1 + _rng[i].NextLong(3_600_000_000_000);
            }
        }

        public long NextArrivalNs(int machineIndex) => _next[machineIndex];

        public ErrorInjection Take(int machineIndex)
        {
            ref var rng = ref _rng[machineIndex];
            long t = _next[machineIndex];
            _next[machineIndex] = t + 1 + rng.NextLong(3_600_000_000_000);
            const ulong Valid = MciStatusBits.Val | MciStatusBits.En | MciStatusBits.AddrV | MciStatusBits.MiscV;
            int kind = rng.NextInt(4);
            // Dom0 pages 0x2000.. and free pages 0x180..0x187: a bounded set, so page sets stop growing.
            ulong addr = kind == 3 ? (0x180UL + (ulong)rng.NextInt(8)) << 12 : (0x2000UL + (ulong)rng.NextInt(8)) << 12;
            return new ErrorInjection
            {
                TimeNs = t,
                Cpu = rng.NextInt(16),
                BankIndex = kind switch { 0 => 8, 1 => 4, 2 => 9, _ => 8 },
                Status = kind switch
                {
                    0 => Valid | 0x9FUL,
                    1 or 2 => Valid | MciStatusBits.Uc | 0x136UL,
                    _ => Valid | MciStatusBits.Uc | MciStatusBits.S | 0xC0UL,
                },
                Addr = addr,
                Misc = 0x86,
                McgStatus = McgStatusBits.Ripv,
                AutoSignal = true,
                Count = kind == 0 ? 1 + rng.NextLong(5) : 1,
            };
        }
    }

    [Theory]
    [InlineData("xen")]
    [InlineData("rfc2009")]
    public void RunUntil_SteadyState_AllocatesNothing(string policy)
    {
        const long Day = 86_400L * MachineSpec.NsPerSecond;
        var batch = MachineBatches.Create(MachineSpec.Default, HandlerPolicy.Parse(policy), 0, 32, seed: 1, new SteadySource(32));
        for (int d = 1; d <= 30; d++)
        {
            batch.RunUntil(d * Day);
            batch.Events.Clear();
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        long events = 0;
        for (int d = 31; d <= 60; d++)
        {
            batch.RunUntil(d * Day);
            events += batch.Events.Count;
            batch.Events.Clear();
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(events > 1000, $"the source keeps the handler busy ({events} events)");
        Assert.Equal(0, allocated);
    }
}
