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

/// <summary>A warm buffer allocates nothing even when other buffers filled the shared stack with small arrays.</summary>
[Collection("Allocation")]
public class EventBufferWarmTests
{
    [Fact]
    public void WarmBuffer_SharedStackFullOfSmallArrays_AllocatesNothing()
    {
        static HandlerEvent E(int i) => new() { TimeNs = i, Kind = HandlerEventKind.ErrorArrived, Cpu = -1, Bank = -1, Domain = -1, Vcpu = -1 };
        // The warm buffer holds a large array when twenty other buffers, grown a little, give theirs back:
        // more than the shared stack keeps, and all smaller than a day of the warm buffer's events.
        var warm = new EventBuffer(16);
        for (int i = 0; i < 3_000; i++)
        {
            warm.Add(E(i));
        }

        var others = Enumerable.Range(0, 20).Select(_ => new EventBuffer(4)).ToArray();
        foreach (var o in others)
        {
            for (int i = 0; i < 6; i++)
            {
                o.Add(E(i));
            }
        }

        foreach (var o in others)
        {
            o.Clear();
        }

        warm.Clear();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int day = 0; day < 5; day++)
        {
            for (int i = 0; i < 3_000; i++)
            {
                warm.Add(E(i));
            }

            warm.Clear();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

/// <summary>Tests that measure allocation run alone: other tests' batches share the process-wide array stack.</summary>
[CollectionDefinition("Allocation", DisableParallelization = true)]
public sealed class AllocationCollection;
