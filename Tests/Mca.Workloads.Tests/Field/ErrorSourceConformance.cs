using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Workloads.Tests.Field;

/// <summary>
/// What every workload error source must do (docs/design.md determinism; IErrorSource): one abstract test
/// class that each source's tests inherit, so each implementation passes the same tests.
/// </summary>
public abstract class ErrorSourceConformance
{
    protected const long DayNs = CampaignOptions.DayNs;

    protected static MachineSpec Machine => MachineSpec.Default;

    /// <summary>How long the conformance streams run: long enough that most machines have several arrivals.</summary>
    protected abstract long HorizonNs { get; }

    protected abstract ErrorSourceFactory Factory(ulong seed);

    /// <summary>Whether the parameters make every error class common enough that 256 machines see each.</summary>
    protected virtual bool EveryClassExpected => false;

    /// <summary>
    /// Every arrival of machine <paramref name="index"/> of <paramref name="source"/>, in order; a run of one CE
    /// stream (<see cref="ICeStreamSource"/>, up to the source's next other event) as its first and last CE, as
    /// the engine takes it (a machine can have 10^8 CEs). <paramref name="each"/> sees every step.
    /// </summary>
    protected static List<ErrorInjection> Drain(IErrorSource source, int index, int limit = 1_000_000, Action<ErrorInjection>? each = null)
    {
        var list = new List<ErrorInjection>();
        while (source.NextArrivalNs(index) != long.MaxValue)
        {
            Assert.True(list.Count < limit, $"machine {index} has more than {limit} arrivals");
            if (source is ICeStreamSource streams && streams.PendingStream(index, out long otherNs))
            {
                long n = streams.StreamCount(index, otherNs);
                Assert.True(n >= 1, "a pending stream CE is before the next other event");
                list.Add(streams.StreamError(index, 0));
                if (n > 1)
                {
                    var last = streams.StreamError(index, n - 1);
                    Assert.Equal(streams.StreamTime(index, n - 1), last.TimeNs);
                    list.Add(last);
                }

                streams.SkipStream(index, n);
                each?.Invoke(list[^1]);
                continue;
            }

            list.Add(source.Take(index));
            each?.Invoke(list[^1]);
        }

        return list;
    }

    protected static List<ErrorInjection>[] DrainAll(IErrorSource source, int count)
    {
        var all = new List<ErrorInjection>[count];
        for (int i = 0; i < count; i++)
        {
            all[i] = Drain(source, i);
        }

        return all;
    }

    [Fact]
    public void SameSeed_SameStream()
    {
        var a = DrainAll(Factory(11)(0, 64, HorizonNs), 64);
        var b = DrainAll(Factory(11)(0, 64, HorizonNs), 64);
        int total = 0;
        for (int i = 0; i < 64; i++)
        {
            Assert.Equal(a[i], b[i]);
            total += a[i].Count;
        }

        Assert.True(total > 64, $"the streams are not empty ({total} arrivals)");
    }

    [Fact]
    public void DifferentSeed_DifferentStream()
    {
        var a = DrainAll(Factory(11)(0, 64, HorizonNs), 64);
        var b = DrainAll(Factory(12)(0, 64, HorizonNs), 64);
        int same = 0;
        for (int i = 0; i < 64; i++)
        {
            same += a[i].SequenceEqual(b[i]) && a[i].Count > 0 ? 1 : 0;
        }

        Assert.Equal(0, same);
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(300, 0)]
    [InlineData(300, 44)]
    [InlineData(300, 255)]
    [InlineData(1_000_003, 17)]
    public void MachineStream_IndependentOfBatch(int machineId, int offset)
    {
        var alone = Drain(Factory(5)(machineId, 1, HorizonNs), 0);
        var batch = Factory(5)(machineId - offset, 256, HorizonNs);
        // Take some arrivals of the neighbours first: their progress must not matter either.
        for (int i = 0; i < 256; i += 7)
        {
            if (i != offset && batch.NextArrivalNs(i) != long.MaxValue)
            {
                batch.Take(i);
            }
        }

        Assert.Equal(alone, Drain(batch, offset));
    }

    [Fact]
    public void Arrivals_InTimeOrderWithinHorizon()
    {
        var source = Factory(3)(0, 128, HorizonNs);
        for (int i = 0; i < 128; i++)
        {
            long previous = 0;
            foreach (var e in Drain(source, i))
            {
                Assert.InRange(e.TimeNs, previous, HorizonNs - 1);
                previous = e.TimeNs;
            }
        }
    }

    [Fact]
    public void Arrivals_AreWellFormedRecordsOfTheMachine()
    {
        var spec = Machine;
        var source = Factory(4)(0, 128, HorizonNs);
        for (int i = 0; i < 128; i++)
        {
            foreach (var e in Drain(source, i))
            {
                Assert.InRange(e.Cpu, 0, spec.CpuCount - 1);
                Assert.InRange(e.BankIndex, 0, spec.BankCount - 1);
                Assert.True(e.AutoSignal, "the hardware rules signal field errors");
                Assert.False(e.Interposed, "field errors are real, not interposed");
                Assert.True(e.Count >= 1, $"a record stands for at least one error ({e.Count})");
                Assert.True(MciStatusBits.Has(e.Status, MciStatusBits.Val | MciStatusBits.En), $"VAL and EN are set (0x{e.Status:x16})");
                bool uc = (e.Status & MciStatusBits.Uc) != 0;
                Assert.True(!uc || e.Count == 1, "uncorrected records are never folded");
                if ((e.Status & MciStatusBits.AddrV) != 0)
                {
                    Assert.InRange(e.Addr, 0UL, (ulong)spec.Memory.TotalBytes - 1);
                    Assert.Equal(2, MciMiscBits.Mode(e.Misc));
                }

                if (e.InGuest)
                {
                    var dom = spec.DomainById(e.RunningDomain);
                    Assert.NotNull(dom);
                    Assert.InRange(e.RunningVcpu, (short)0, (short)(dom.VcpuCount - 1));
                }
            }
        }
    }

    [Fact]
    public void Srar_ConsumerRunsTheFramesOwner()
    {
        var spec = Machine;
        var source = Factory(6)(0, 256, HorizonNs);
        int seen = 0;
        for (int i = 0; i < 256; i++)
        {
            foreach (var e in Drain(source, i))
            {
                if (!MciStatusBits.Has(e.Status, MciStatusBits.Uc | MciStatusBits.S | MciStatusBits.Ar) || (e.Status & MciStatusBits.Pcc) != 0)
                {
                    continue;
                }

                seen++;
                Assert.Equal(Mcacod.DataLoad, MciStatusBits.Mcacod(e.Status));
                var owner = spec.Memory.OwnerOf((long)(e.Addr >> MemoryMap.PageShift));
                Assert.NotEqual(FrameOwnerKind.Free, owner.Kind);
                Assert.Equal(owner.Kind == FrameOwnerKind.Domain, e.InGuest);
                if (e.InGuest)
                {
                    Assert.Equal(owner.DomId, e.RunningDomain);
                }
            }
        }

        Assert.True(seen > 0 || !EveryClassExpected, "the parameters produce SRARs");
    }

    [Fact]
    public void EveryErrorClass_Produced()
    {
        if (!EveryClassExpected)
        {
            return;
        }

        var source = Factory(13)(0, 256, HorizonNs);
        var seen = new HashSet<Systems.Xen.XenMceType>();
        for (int i = 0; i < 256; i++)
        {
            foreach (var e in Drain(source, i))
            {
                seen.Add(Systems.Xen.IntelMca.CheckMceType(e.Status, Machine.Ser));
            }
        }

        Assert.Contains(Systems.Xen.XenMceType.Corrected, seen);
        Assert.Contains(Systems.Xen.XenMceType.Ucna, seen);
        Assert.Contains(Systems.Xen.XenMceType.Srao, seen);
        Assert.Contains(Systems.Xen.XenMceType.Srar, seen);
        Assert.Contains(Systems.Xen.XenMceType.Fatal, seen);
    }

    [Fact]
    public void OnReset_DoesNotChangeTheStream()
    {
        var plain = Drain(Factory(8)(40, 1, HorizonNs), 0);
        var source = Factory(8)(40, 1, HorizonNs);
        var withResets = Drain(source, 0, each: e => source.OnReset(0, e.TimeNs));
        Assert.Equal(plain, withResets);
    }

    [Fact]
    public void Take_WhenNothingIsLeft_Throws()
    {
        var source = Factory(9)(0, 1, HorizonNs);
        Drain(source, 0);
        Assert.Equal(long.MaxValue, source.NextArrivalNs(0));
        Assert.Throws<InvalidOperationException>(() => source.Take(0));
    }

    [Fact]
    public void ZeroHorizon_NoArrivals()
    {
        var source = Factory(10)(0, 16, 0);
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(long.MaxValue, source.NextArrivalNs(i));
        }
    }

    [Fact]
    public void Take_SteadyState_AllocatesNothing()
    {
        const int Machines = 256;
        // Warm up on another source: JIT tiers and static tables, on every path.
        DrainAll(Factory(99)(0, Machines, HorizonNs), Machines);

        // A source that allocates per error does so on every pass; the runtime can charge a one-time allocation
        // (a tier-up landing inside the measured loop, more likely when CI runs test projects side by side) to
        // one pass, so up to three fresh sources are measured and the last must allocate nothing.
        long allocated = 0, taken = 0;
        for (int attempt = 0; attempt < 3; attempt++)
        {
            var source = Factory(12 + (ulong)attempt)(0, Machines, HorizonNs);
            taken = 0;
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < Machines; i++)
            {
                while (source.NextArrivalNs(i) != long.MaxValue)
                {
                    if (source is ICeStreamSource streams && streams.PendingStream(i, out long otherNs))
                    {
                        long n = streams.StreamCount(i, otherNs);
                        streams.StreamError(i, n - 1);
                        streams.SkipStream(i, n);
                    }
                    else
                    {
                        source.Take(i);
                    }

                    taken++;
                }
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated == 0)
            {
                break;
            }
        }

        Assert.True(taken > Machines, $"the source was exercised ({taken} arrivals)");
        Assert.Equal(0, allocated);
    }
}
