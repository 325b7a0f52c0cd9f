using CsCheck;
using Mca.Systems.Xen;

namespace Mca.Systems.Tests.Xen;

public class McTelemetryTests
{
    private static void AssertSound(McTelemetry t) => Assert.Null(t.FindInvariantViolation());

    private static int Committed(McTelemetry t, TelemetryClass cls)
    {
        int c = t.Reserve(cls);
        t.Commit(c);
        return c;
    }

    [Fact]
    public void Reserve_UrgentTakesLowestFreeSlotFromZero()
    {
        var t = new McTelemetry(4);
        for (int i = 0; i < 10; i++)
        {
            Assert.Equal(i, t.Reserve(TelemetryClass.Urgent));
        }

        // The eleventh urgent reservation raids the first free non-urgent slot.
        Assert.Equal(10, t.Reserve(TelemetryClass.Urgent));
        Assert.Equal(TelemetryClass.Urgent, t.ClassOf(10));
        AssertSound(t);
    }

    [Fact]
    public void Reserve_NonUrgentSearchesOnlyTenToTwentyNine()
    {
        var t = new McTelemetry(1);
        for (int i = 0; i < 20; i++)
        {
            Assert.Equal(10 + i, t.Reserve(TelemetryClass.NonUrgent));
        }

        Assert.Equal(McTelemetry.NoCookie, t.Reserve(TelemetryClass.NonUrgent));
        Assert.Equal(1, t.DropCount);
        Assert.Equal(10, t.FreeCount); // the urgent slots stay free
        Assert.Equal(0, t.Reserve(TelemetryClass.Urgent));
        AssertSound(t);
    }

    [Fact]
    public void Reserve_Exhausted_ReturnsNoCookieAndCountsDrops()
    {
        var t = new McTelemetry(1);
        for (int i = 0; i < 30; i++)
        {
            Assert.NotEqual(McTelemetry.NoCookie, t.Reserve(TelemetryClass.Urgent));
        }

        Assert.Equal(McTelemetry.NoCookie, t.Reserve(TelemetryClass.Urgent));
        Assert.Equal(McTelemetry.NoCookie, t.Reserve(TelemetryClass.NonUrgent));
        Assert.Equal(2, t.DropCount);
        Assert.Equal(0, t.FreeCount);
    }

    [Fact]
    public void Reserve_UrgentRaidingStarvesNonUrgent()
    {
        var t = new McTelemetry(1);
        for (int i = 0; i < 30; i++)
        {
            t.Reserve(TelemetryClass.Urgent);
        }

        t.Dismiss(3); // a free urgent slot does not help a non-urgent reservation
        Assert.Equal(McTelemetry.NoCookie, t.Reserve(TelemetryClass.NonUrgent));
        Assert.Equal(3, t.Reserve(TelemetryClass.Urgent));
    }

    [Fact]
    public void StateMachine_FreeUncommittedCommittedProcessingFree()
    {
        var t = new McTelemetry(1);
        int c = t.Reserve(TelemetryClass.NonUrgent);
        Assert.Equal(TelemetryEntryState.Uncommitted, t.State(c));
        t.Commit(c);
        Assert.Equal(TelemetryEntryState.Committed, t.State(c));
        Assert.Equal(FetchResult.Ok, t.Fetch(TelemetryClass.NonUrgent, out int fetched));
        Assert.Equal(c, fetched);
        Assert.Equal(TelemetryEntryState.Processing, t.State(c));
        Assert.True(t.Ack(TelemetryClass.NonUrgent, c));
        Assert.Equal(TelemetryEntryState.Free, t.State(c));
        AssertSound(t);
    }

    [Fact]
    public void Dismiss_ReturnsUncommittedToFree()
    {
        var t = new McTelemetry(1);
        int c = t.Reserve(TelemetryClass.Urgent);
        t.Dismiss(c);
        Assert.Equal(TelemetryEntryState.Free, t.State(c));
        Assert.Equal(30, t.FreeCount);
        Assert.Throws<InvalidOperationException>(() => t.Dismiss(c));
        Assert.Throws<InvalidOperationException>(() => t.Commit(c));
        Assert.Throws<InvalidOperationException>(() => t.Data(c));
    }

    [Fact]
    public void Misuse_Throws()
    {
        var t = new McTelemetry(2);
        int c = Committed(t, TelemetryClass.Urgent);
        Assert.Throws<InvalidOperationException>(() => t.Commit(c));
        Assert.Throws<InvalidOperationException>(() => t.Dismiss(c));
        Assert.Throws<InvalidOperationException>(() => t.Defer(c, 0, false));
        int d = t.Reserve(TelemetryClass.Urgent);
        t.Defer(d, 1, false);
        Assert.Throws<InvalidOperationException>(() => t.Commit(d));
        Assert.Throws<InvalidOperationException>(() => t.Defer(d, 1, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Defer(t.Reserve(TelemetryClass.Urgent), 2, false));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.State(30));
        Assert.Throws<ArgumentOutOfRangeException>(() => t.Reserve((TelemetryClass)5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new McTelemetry(0));
        AssertSound(t);
    }

    [Fact]
    public void Commit_IsLifo_FetchReturnsChronologicalOldestFirst()
    {
        var t = new McTelemetry(1);
        int a = Committed(t, TelemetryClass.Urgent);
        int b = Committed(t, TelemetryClass.Urgent);
        int c = Committed(t, TelemetryClass.Urgent);
        Assert.Equal(3, t.CommittedCount(TelemetryClass.Urgent));

        Assert.Equal(FetchResult.Ok, t.Fetch(TelemetryClass.Urgent, out int first));
        Assert.Equal(a, first);
        Assert.Equal(0, t.CommittedCount(TelemetryClass.Urgent));
        Assert.Equal(3, t.ProcessingCount(TelemetryClass.Urgent));

        // Repeated fetches return the same record until it is acknowledged.
        t.Fetch(TelemetryClass.Urgent, out int again);
        Assert.Equal(a, again);

        Assert.True(t.Ack(TelemetryClass.Urgent, a));
        t.Fetch(TelemetryClass.Urgent, out int second);
        Assert.Equal(b, second);
        Assert.True(t.Ack(TelemetryClass.Urgent, b));
        t.Fetch(TelemetryClass.Urgent, out int third);
        Assert.Equal(c, third);
        Assert.True(t.Ack(TelemetryClass.Urgent, c));
        Assert.Equal(FetchResult.NoData, t.Fetch(TelemetryClass.Urgent, out int none));
        Assert.Equal(McTelemetry.NoCookie, none);
        AssertSound(t);
    }

    [Fact]
    public void Fetch_AppendsLaterCommitsAfterEarlierProcessing()
    {
        var t = new McTelemetry(1);
        int a = Committed(t, TelemetryClass.NonUrgent);
        t.Fetch(TelemetryClass.NonUrgent, out _);
        int b = Committed(t, TelemetryClass.NonUrgent);
        int c = Committed(t, TelemetryClass.NonUrgent);
        t.Fetch(TelemetryClass.NonUrgent, out int head);
        Assert.Equal(a, head);
        Assert.Equal(3, t.ProcessingCount(TelemetryClass.NonUrgent));
        t.Ack(TelemetryClass.NonUrgent, a);
        t.Fetch(TelemetryClass.NonUrgent, out head);
        Assert.Equal(b, head);
        t.Ack(TelemetryClass.NonUrgent, b);
        t.Fetch(TelemetryClass.NonUrgent, out head);
        Assert.Equal(c, head);
        AssertSound(t);
    }

    [Fact]
    public void Ack_OnlyTheHeadOfThatClassIsFreed()
    {
        var t = new McTelemetry(1);
        int a = Committed(t, TelemetryClass.Urgent);
        int b = Committed(t, TelemetryClass.Urgent);
        int n = Committed(t, TelemetryClass.NonUrgent);
        t.Fetch(TelemetryClass.Urgent, out _);
        t.Fetch(TelemetryClass.NonUrgent, out _);

        Assert.False(t.Ack(TelemetryClass.Urgent, b)); // not the head
        Assert.False(t.Ack(TelemetryClass.NonUrgent, a)); // head of the other class
        Assert.False(t.Ack(TelemetryClass.Urgent, n));
        Assert.False(t.Ack(TelemetryClass.Urgent, McTelemetry.NoCookie));
        Assert.Equal(TelemetryEntryState.Processing, t.State(b));
        Assert.True(t.Ack(TelemetryClass.Urgent, a));
        Assert.False(t.Ack(TelemetryClass.Urgent, a)); // already freed
        Assert.True(t.Ack(TelemetryClass.NonUrgent, n));
        AssertSound(t);
    }

    [Fact]
    public void Classes_AreSeparateQueues_RaidedSlotKeepsUrgentClass()
    {
        var t = new McTelemetry(1);
        for (int i = 0; i < 10; i++)
        {
            t.Reserve(TelemetryClass.Urgent);
        }

        int raided = t.Reserve(TelemetryClass.Urgent);
        Assert.Equal(10, raided);
        t.Commit(raided);
        Assert.Equal(FetchResult.NoData, t.Fetch(TelemetryClass.NonUrgent, out _));
        Assert.Equal(FetchResult.Ok, t.Fetch(TelemetryClass.Urgent, out int got));
        Assert.Equal(raided, got);
    }

    private struct Recorder : IDeferredTelemetryHandler
    {
        public List<int> Seen;
        public Func<int, bool> Keep;

        public bool Process(int cookie, McInfo info)
        {
            Seen.Add(cookie);
            return Keep(cookie);
        }
    }

    [Fact]
    public void ProcessDeferred_ReplaysOldestFirst_CommitsOrDismisses()
    {
        var t = new McTelemetry(2);
        int a = t.Reserve(TelemetryClass.Urgent);
        int b = t.Reserve(TelemetryClass.Urgent);
        int c = t.Reserve(TelemetryClass.Urgent);
        t.Defer(a, 1, false);
        t.Defer(b, 1, false);
        t.Defer(c, 1, false);
        Assert.True(t.HasDeferred(1));
        Assert.False(t.HasDeferred(0));
        Assert.True(t.IsDeferred(b));
        Assert.Equal(3, t.DeferredCount(1, lmce: false));

        var r = new Recorder { Seen = [], Keep = cookie => cookie != b };
        Assert.Equal(3, t.ProcessDeferred(1, lmce: false, ref r));
        Assert.Equal([a, b, c], r.Seen);
        Assert.False(t.HasDeferred(1));
        Assert.Equal(TelemetryEntryState.Committed, t.State(a));
        Assert.Equal(TelemetryEntryState.Free, t.State(b));
        Assert.Equal(TelemetryEntryState.Committed, t.State(c));

        t.Fetch(TelemetryClass.Urgent, out int first);
        Assert.Equal(a, first);
        AssertSound(t);
    }

    [Fact]
    public void Defer_Lmce_GoesToLmceListUntilANonLocalDeferMovesIt()
    {
        var t = new McTelemetry(1);
        int l1 = t.Reserve(TelemetryClass.Urgent);
        int l2 = t.Reserve(TelemetryClass.Urgent);
        t.Defer(l1, 0, lmce: true);
        t.Defer(l2, 0, lmce: true);
        Assert.True(t.HasDeferredLmce(0));
        Assert.False(t.HasDeferred(0));

        int g = t.Reserve(TelemetryClass.Urgent);
        t.Defer(g, 0, lmce: false);
        Assert.False(t.HasDeferredLmce(0));
        Assert.Equal(3, t.DeferredCount(0, lmce: false));

        // With pending non-empty, a later LMCE deferral also goes to pending.
        int l3 = t.Reserve(TelemetryClass.Urgent);
        t.Defer(l3, 0, lmce: true);
        Assert.False(t.HasDeferredLmce(0));

        var r = new Recorder { Seen = [], Keep = _ => true };
        t.ProcessDeferred(0, lmce: false, ref r);
        Assert.Equal([l1, l2, g, l3], r.Seen);
        AssertSound(t);
    }

    [Fact]
    public void ProcessDeferred_LmceList_LeavesPendingAlone()
    {
        var t = new McTelemetry(1);
        int l = t.Reserve(TelemetryClass.Urgent);
        t.Defer(l, 0, lmce: true);
        var r = new Recorder { Seen = [], Keep = _ => false };
        Assert.Equal(0, t.ProcessDeferred(0, lmce: false, ref r)); // the pending list is empty
        Assert.Equal(1, t.ProcessDeferred(0, lmce: true, ref r));
        Assert.Equal([l], r.Seen);
        Assert.Equal(30, t.FreeCount);
    }

    private struct DeferringHandler : IDeferredTelemetryHandler
    {
        public McTelemetry Pool;
        public int NewCookie;

        public bool Process(int cookie, McInfo info)
        {
            NewCookie = Pool.Reserve(TelemetryClass.Urgent);
            Pool.Defer(NewCookie, 0, lmce: false);
            return true;
        }
    }

    [Fact]
    public void ProcessDeferred_EntriesDeferredMeanwhile_WaitForTheNextRound()
    {
        var t = new McTelemetry(1);
        int a = t.Reserve(TelemetryClass.Urgent);
        t.Defer(a, 0, false);
        var h = new DeferringHandler { Pool = t };
        Assert.Equal(1, t.ProcessDeferred(0, false, ref h));
        Assert.True(t.HasDeferred(0));
        Assert.True(t.IsDeferred(h.NewCookie));
        AssertSound(t);
    }

    private struct MisbehavingHandler : IDeferredTelemetryHandler
    {
        public McTelemetry Pool;

        public bool Process(int cookie, McInfo info)
        {
            Pool.Commit(cookie);
            return true;
        }
    }

    [Fact]
    public void ProcessDeferred_HandlerCommittingItsOwnEntry_Throws()
    {
        var t = new McTelemetry(1);
        int a = t.Reserve(TelemetryClass.Urgent);
        t.Defer(a, 0, false);
        var h = new MisbehavingHandler { Pool = t };
        Assert.Throws<InvalidOperationException>(() => t.ProcessDeferred(0, false, ref h));
    }

    [Fact]
    public void PanicDumpHandler_DumpsAndDismisses()
    {
        var t = new McTelemetry(1);
        int a = t.Reserve(TelemetryClass.Urgent);
        t.Data(a).SetGlobal(McGlobal.Create(McFlags.Mce | McFlags.Uncorrectable, 0x5, 0, 0));
        t.Data(a).TryAddBank(McBankRecord.FromRegisters(7, 0xBF2000008000017AUL, 0x180020, 0x86));
        t.Defer(a, 0, false);
        var lines = new List<string>();
        var h = new PanicDumpHandler(lines);
        t.ProcessDeferred(0, false, ref h);
        Assert.Equal(1, h.Dumped);
        Assert.Equal(2, lines.Count);
        Assert.Equal(TelemetryEntryState.Free, t.State(a));
    }

    [Fact]
    public void Reserve_ClearsThePayload()
    {
        var t = new McTelemetry(1);
        int a = t.Reserve(TelemetryClass.Urgent);
        t.Data(a).SetGlobal(McGlobal.Create(McFlags.Mce, 0x5, 0, 0));
        t.Dismiss(a);
        Assert.Equal(a, t.Reserve(TelemetryClass.Urgent));
        Assert.False(t.Data(a).HasGlobal);
    }

    [Fact]
    public void Reset_RestoresInitialStateAndGrowsCpuLists()
    {
        var t = new McTelemetry(1);
        for (int i = 0; i < 31; i++)
        {
            t.Reserve(TelemetryClass.Urgent);
        }

        t.Defer(0, 0, false);
        t.Reset(8);
        Assert.Equal(8, t.CpuCount);
        Assert.Equal(30, t.FreeCount);
        Assert.Equal(0, t.DropCount);
        Assert.False(t.HasDeferred(0));
        t.Defer(t.Reserve(TelemetryClass.Urgent), 7, false);
        Assert.True(t.HasDeferred(7));
        t.Reset(2);
        Assert.Throws<ArgumentOutOfRangeException>(() => t.HasDeferred(7));
        AssertSound(t);
    }

    [Theory]
    [InlineData(0x1u, true, TelemetryClass.NonUrgent, false)]
    [InlineData(0x2u, true, TelemetryClass.Urgent, false)]
    [InlineData(0x6u, true, TelemetryClass.Urgent, true)]
    [InlineData(0x5u, true, TelemetryClass.NonUrgent, true)]
    [InlineData(0x3u, false, TelemetryClass.Urgent, false)]
    [InlineData(0x0u, false, TelemetryClass.Urgent, false)]
    [InlineData(0x4u, false, TelemetryClass.Urgent, true)]
    // Internal because its parameters are types internal to Mca.Systems; xunit runs non-public test methods.
    internal void TryDecodeFetchFlags_ExactlyOneClass(uint flags, bool ok, TelemetryClass which, bool ack)
    {
        Assert.Equal(ok, McTelemetry.TryDecodeFetchFlags(flags, out TelemetryClass got, out bool gotAck));
        if (ok)
        {
            Assert.Equal(which, got);
        }

        Assert.Equal(ack, gotAck);
    }

    private struct KeepAll : IDeferredTelemetryHandler
    {
        public readonly bool Process(int cookie, McInfo info) => true;
    }

    [Fact]
    public void HotPath_AllocatesNothing()
    {
        var t = new McTelemetry(4);
        var keep = new KeepAll();
        void Cycle()
        {
            for (int i = 0; i < 10; i++)
            {
                int c = t.Reserve(i % 2 == 0 ? TelemetryClass.Urgent : TelemetryClass.NonUrgent);
                McInfo info = t.Data(c);
                info.SetGlobal(McGlobal.Create(McFlags.Mce, 0x5, 1, 0));
                info.TryAddBank(McBankRecord.FromRegisters(8, 0xBD000000004000CFUL, 0x180020, 0x86));
                if (i % 3 == 0)
                {
                    t.Defer(c, i % 4, lmce: false);
                }
                else
                {
                    t.Commit(c);
                }
            }

            for (int cpu = 0; cpu < 4; cpu++)
            {
                t.ProcessDeferred(cpu, false, ref keep);
            }

            foreach (TelemetryClass cls in (ReadOnlySpan<TelemetryClass>)[TelemetryClass.Urgent, TelemetryClass.NonUrgent])
            {
                while (t.Fetch(cls, out int c) == FetchResult.Ok)
                {
                    t.Ack(cls, c);
                }
            }

            t.Reserve(TelemetryClass.NonUrgent);
            t.Reset(4);
        }

        Cycle(); // JIT and first-use
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            Cycle();
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    /// <summary>A deliberately simple model of mctelem.c: explicit lists, linear scans.</summary>
    private sealed class Model
    {
        public readonly TelemetryEntryState[] State = new TelemetryEntryState[30];
        public readonly TelemetryClass[] Class = new TelemetryClass[30];
        public readonly List<int>[] Committed = [[], []]; // oldest first
        public readonly List<int>[] Processing = [[], []];
        public readonly List<int>[] Pending;
        public readonly List<int>[] LmcePending;
        public long Drops;

        public Model(int cpus)
        {
            Pending = Enumerable.Range(0, cpus).Select(_ => new List<int>()).ToArray();
            LmcePending = Enumerable.Range(0, cpus).Select(_ => new List<int>()).ToArray();
        }

        public bool Deferred(int c) => Pending.Any(l => l.Contains(c)) || LmcePending.Any(l => l.Contains(c));

        public int Reserve(TelemetryClass cls)
        {
            for (int i = cls == TelemetryClass.Urgent ? 0 : 10; i < 30; i++)
            {
                if (State[i] == TelemetryEntryState.Free)
                {
                    State[i] = TelemetryEntryState.Uncommitted;
                    Class[i] = cls;
                    return i;
                }
            }

            Drops++;
            return -1;
        }

        public void Commit(int c)
        {
            State[c] = TelemetryEntryState.Committed;
            Committed[(int)Class[c]].Add(c);
        }

        public void Defer(int c, int cpu, bool lmce)
        {
            if (Pending[cpu].Count > 0)
            {
                Pending[cpu].Add(c);
            }
            else if (lmce)
            {
                LmcePending[cpu].Add(c);
            }
            else
            {
                Pending[cpu].AddRange(LmcePending[cpu]);
                LmcePending[cpu].Clear();
                Pending[cpu].Add(c);
            }
        }

        public List<int> Process(int cpu, bool lmce, Func<int, bool> keep)
        {
            var list = lmce ? LmcePending[cpu] : Pending[cpu];
            var order = list.ToList();
            list.Clear();
            foreach (int c in order)
            {
                if (keep(c))
                {
                    Commit(c);
                }
                else
                {
                    State[c] = TelemetryEntryState.Free;
                }
            }

            return order;
        }

        public int Fetch(TelemetryClass cls)
        {
            foreach (int c in Committed[(int)cls])
            {
                State[c] = TelemetryEntryState.Processing;
            }

            Processing[(int)cls].AddRange(Committed[(int)cls]);
            Committed[(int)cls].Clear();
            return Processing[(int)cls].Count > 0 ? Processing[(int)cls][0] : -1;
        }

        public bool Ack(TelemetryClass cls, int c)
        {
            var p = Processing[(int)cls];
            if (c < 0 || p.Count == 0 || p[0] != c)
            {
                return false;
            }

            p.RemoveAt(0);
            State[c] = TelemetryEntryState.Free;
            return true;
        }
    }

    [Fact]
    public void RandomOperations_MatchSimpleModel()
    {
        Gen.Select(Gen.Int[0, 7], Gen.Int[0, 29], Gen.Int[0, 2], Gen.Bool).Array[1, 300].Sample(ops =>
        {
            const int Cpus = 3;
            var t = new McTelemetry(Cpus);
            var m = new Model(Cpus);
            foreach (var (op, arg, cpu, flag) in ops)
            {
                var cls = flag ? TelemetryClass.Urgent : TelemetryClass.NonUrgent;
                switch (op)
                {
                    case 0:
                    case 1:
                        Assert.Equal(m.Reserve(cls), t.Reserve(cls));
                        break;
                    case 2:
                        if (m.State[arg] == TelemetryEntryState.Uncommitted && !m.Deferred(arg))
                        {
                            m.Commit(arg);
                            t.Commit(arg);
                        }

                        break;
                    case 3:
                        if (m.State[arg] == TelemetryEntryState.Uncommitted && !m.Deferred(arg))
                        {
                            m.State[arg] = TelemetryEntryState.Free;
                            t.Dismiss(arg);
                        }

                        break;
                    case 4:
                        if (m.State[arg] == TelemetryEntryState.Uncommitted && !m.Deferred(arg))
                        {
                            m.Defer(arg, cpu, flag);
                            t.Defer(arg, cpu, flag);
                        }

                        break;
                    case 5:
                        var expected = m.Process(cpu, flag, c => c % 2 == 0);
                        var r = new Recorder { Seen = [], Keep = c => c % 2 == 0 };
                        t.ProcessDeferred(cpu, flag, ref r);
                        Assert.Equal(expected, r.Seen);
                        break;
                    case 6:
                        int want = m.Fetch(cls);
                        Assert.Equal(want < 0 ? FetchResult.NoData : FetchResult.Ok, t.Fetch(cls, out int got));
                        Assert.Equal(want, got);
                        break;
                    default:
                        Assert.Equal(m.Ack(cls, arg), t.Ack(cls, arg));
                        break;
                }

                Assert.Null(t.FindInvariantViolation());
                for (int i = 0; i < 30; i++)
                {
                    Assert.Equal(m.State[i], t.State(i));
                }

                Assert.Equal(m.Drops, t.DropCount);
            }
        }, iter: 300);
    }
}
