using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Systems.Tests.Engine;

/// <summary>EventBuffer keeps every event across growth and shares its large arrays between buffers.</summary>
[Collection("Allocation")]
public class EventBufferTests
{
    private static HandlerEvent Event(int i) => new() { TimeNs = i, Machine = i % 7, Kind = HandlerEventKind.ErrorArrived, Cpu = (short)(i % 16), Bank = -1, Domain = -1, Vcpu = -1, Arg = i };

    [Fact]
    public void Grow_KeepsEveryEventInOrder_ClearEmpties()
    {
        var buffer = new EventBuffer(4);
        for (int i = 0; i < 10_000; i++)
        {
            buffer.Add(Event(i));
        }

        Assert.Equal(10_000, buffer.Count);
        for (int i = 0; i < 10_000; i++)
        {
            Assert.Equal(Event(i), buffer.Events[i]);
        }

        buffer.Clear();
        Assert.Equal(0, buffer.Count);
        Assert.True(buffer.Events.IsEmpty);
        buffer.Add(Event(3));
        Assert.Equal(Event(3), buffer.Events[0]);
    }

    [Fact]
    public void ManyBuffersFilledInTurn_ShareTheirLargeArrays()
    {
        // Two fleets' worth of buffers; the second fleet grows into the arrays the first gave back.
        var first = Enumerable.Range(0, 40).Select(_ => new EventBuffer(16)).ToArray();
        var second = Enumerable.Range(0, 40).Select(_ => new EventBuffer(16)).ToArray();
        bool intact = true;
        void FillAll(EventBuffer[] buffers)
        {
            foreach (var b in buffers)
            {
                for (int i = 0; i < 5_000; i++)
                {
                    b.Add(Event(i));
                }

                intact &= b.Count == 5_000 && b.Events[4_999].Arg == 4_999 && b.Events[0].Arg == 0;
                b.Clear();
            }
        }

        FillAll(first);
        long before = GC.GetAllocatedBytesForCurrentThread();
        FillAll(second);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(intact);
        Assert.Equal(0, allocated);
    }
}

/// <summary>Tests that measure allocation run alone: other tests' batches share the process-wide array stack.</summary>
[CollectionDefinition("Allocation", DisableParallelization = true)]
public sealed class AllocationCollection;
