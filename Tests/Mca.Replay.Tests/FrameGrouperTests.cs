using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Tests;

/// <summary>The grouping behind every frame: each machine's items in the engine's order, whatever the interleaving.</summary>
public sealed class FrameGrouperTests
{
    private const int First = 5_000;

    [Theory]
    [InlineData(3, 1)]
    [InlineData(600, 7)]   // more machines than the grouper starts with: its per-machine arrays grow mid-count
    [InlineData(1_200, 2)]
    public void Group_KeepsEachMachinesItemsInEngineOrder(int machines, int seed)
    {
        var rng = new Random(seed);
        var events = new List<HandlerEvent>();
        var inputs = new List<RecordedInput>();
        var hashes = new List<MachineStateHash>();
        for (int k = 0; k < machines * 4; k++)
        {
            int m = First + rng.Next(machines);
            events.Add(new HandlerEvent { TimeNs = k, Machine = m, Kind = HandlerEventKind.PollFound, Cpu = (short)(k % 7), Arg = k });
            if (rng.Next(3) == 0)
            {
                inputs.Add(new RecordedInput(m, new ErrorInjection { TimeNs = k, Cpu = k % 5, Count = k }));
            }
        }

        for (int m = 0; m < machines; m += 3)
        {
            hashes.Add(new MachineStateHash(First + m, (ulong)m * 31));
        }

        var grouper = new FrameGrouper();
        grouper.Group(4, 2, First, events.ToArray(), inputs.ToArray(), hashes.ToArray());
        var sections = grouper.ToSections(events.ToArray(), inputs.ToArray());

        var expected = Enumerable.Range(First, machines)
            .Select(m => (Machine: m, Events: events.Where(e => e.Machine == m).ToArray(), Inputs: inputs.Where(i => i.Machine == m).ToArray(),
                Hash: hashes.Where(h => h.Machine == m).Select(h => (ulong?)h.Hash).FirstOrDefault()))
            .Where(x => x.Events.Length > 0 || x.Inputs.Length > 0 || x.Hash is not null)
            .ToArray();
        Assert.Equal(expected.Length, grouper.MachineCount);
        Assert.Equal(expected.Length, sections.Length);
        Assert.Equal(events.Count, grouper.TotalEvents);
        Assert.Equal(inputs.Count, grouper.TotalInputs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Machine, sections[i].Machine);
            Assert.Equal(expected[i].Events, sections[i].Events);
            Assert.Equal(expected[i].Inputs.Select(x => x.Error.TimeNs), sections[i].Inputs.Select(x => x.Error.TimeNs));
            Assert.Equal(expected[i].Hash, sections[i].StateHash);
        }

        // Grouping again reuses the buffers and forgets the previous epoch.
        grouper.Group(5, 2, First, events.Take(3).ToArray(), [], []);
        Assert.Equal(events.Take(3).Select(e => e.Machine).Distinct().Count(), grouper.MachineCount);
    }

    [Theory]
    [InlineData(First - 1)]
    [InlineData(First + (1 << 20))]
    public void Group_RefusesAMachineOutsideTheBatch(int machine)
    {
        var grouper = new FrameGrouper();
        HandlerEvent[] events = [new HandlerEvent { Machine = First }, new HandlerEvent { Machine = machine }];
        var e = Assert.Throws<ArgumentException>(() => grouper.Group(0, 0, First, events, [], []));
        Assert.Contains($"machine {machine} is not in the batch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_RefusesTwoHashesForOneMachine()
    {
        var grouper = new FrameGrouper();
        MachineStateHash[] hashes = [new(First + 1, 1), new(First + 1, 2)];
        var e = Assert.Throws<ArgumentException>(() => grouper.Group(3, 0, First, [], [], hashes));
        Assert.Contains("two state hashes", e.Message, StringComparison.Ordinal);
    }
}
