using Mca.Systems.Engine;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Field;

namespace Mca.Workloads.Tests.Field;

/// <summary>The field model's own rules: folding, UE records, recurrence, replacement, the budget.</summary>
public class FieldErrorSourceTests
{
    private const long DayNs = CampaignOptions.DayNs;

    private static FieldErrorSource Source(FieldParameters p, int first, int count, long horizonNs, ulong seed = 1) =>
        (FieldErrorSource)FieldErrorSource.Factory(MachineSpec.Default, p, seed)(first, count, horizonNs);

    private static bool IsMemoryCe(in ErrorInjection e) => e.BankIndex == 8 && (e.Status & MciStatusBits.Uc) == 0;

    private static bool IsMemoryUe(in ErrorInjection e) =>
        (e.Status & (MciStatusBits.Uc | MciStatusBits.Pcc)) == MciStatusBits.Uc && (e.BankIndex == 8 || e.BankIndex == 0);

    private static int DimmOf(in ErrorInjection e, FieldParameters p) => (int)((long)e.Addr / (MachineSpec.Default.Memory.TotalBytes / p.DimmCount));

    /// <summary>
    /// The cost budget: the default fleet, 10,000 machines for a year, has hundreds of millions of CEs but takes
    /// them in a few million steps (stream runs up to the source's next other event, and single arrivals).
    /// </summary>
    [Fact]
    public void DefaultFleet_StepsWithinBudget()
    {
        var factory = FieldErrorSource.Factory(MachineSpec.Default, new FieldParameters(), 1);
        long steps = 0, ces = 0, dropped = 0;
        for (int first = 0; first < 10_000; first += 256)
        {
            int n = Math.Min(256, 10_000 - first);
            var source = (FieldErrorSource)factory(first, n, 365 * DayNs);
            for (int i = 0; i < n; i++)
            {
                while (source.NextArrivalNs(i) != long.MaxValue)
                {
                    steps++;
                    if (source.PendingStream(i, out long otherNs))
                    {
                        long run = source.StreamCount(i, otherNs);
                        ces += run;
                        source.SkipStream(i, run);
                    }
                    else
                    {
                        source.Take(i);
                    }
                }
            }

            dropped += source.DroppedFaults;
        }

        Assert.InRange(steps, 100_000, 3_000_000);
        Assert.True(ces > 100 * steps, $"{ces} stream CEs in {steps} steps");
        Assert.Equal(0, dropped);
    }

    [Fact]
    public void CeStream_EveryCeArrivesAtItsOwnInstant()
    {
        // A permanent fault's CEs are a Poisson stream, each CE one arrival of count 1: demand reads (0x0090)
        // and, about once a day per fault, the patrol scrubber (0x00C0).
        var p = new FieldParameters { DimmCount = 2, FaultRateScale = 2, FaultyDimmRateMultiplier = 1 };
        var source = Source(p, 0, 5_000, 365 * DayNs);
        long ces = 0, scrub = 0;
        int heavy = 0;
        for (int i = 0; i < 5_000; i++)
        {
            var mine = Drain(source, i).Where(e => IsMemoryCe(e)).ToList();
            Assert.All(mine, e => Assert.Equal(1, e.Count));
            ces += mine.Count;
            scrub += mine.Count(e => (MciStatusBits.Mcacod(e.Status) & 0xFFF0) == 0x00C0);
            heavy += mine.Count > 1000 ? 1 : 0;
            for (int k = 1; k < mine.Count; k++)
            {
                Assert.True(mine[k].TimeNs >= mine[k - 1].TimeNs, "in time order");
            }
        }

        Assert.True(heavy > 0, "some faults log thousands of CEs");
        Assert.InRange(scrub, 1, ces / 10);
    }

    [Fact]
    public void MemoryRecords_UseTheArchitecturalCodes()
    {
        var p = FieldStressedConformanceTests.Stressed;
        var source = Source(p, 0, 128, 120 * DayNs);
        int scrub = 0, load = 0, ce = 0;
        for (int i = 0; i < 128; i++)
        {
            foreach (var e in Drain(source, i))
            {
                int mcacod = MciStatusBits.Mcacod(e.Status);
                if (IsMemoryCe(e))
                {
                    ce++;
                    Assert.Contains(mcacod & 0xFFF0, new[] { 0x0090, 0x00C0 });
                    Assert.Equal(MachineSpec.Default.SocketOf(e.Cpu), DimmOf(e, p) / (p.DimmCount / 2));
                }
                else if (e.BankIndex == 8)
                {
                    scrub++;
                    Assert.InRange(mcacod, Mcacod.MemScrubFirst, Mcacod.MemScrubLast);
                    Assert.True(MciStatusBits.Has(e.Status, MciStatusBits.Uc | MciStatusBits.S | MciStatusBits.AddrV | MciStatusBits.MiscV));
                    Assert.Equal(0UL, e.Status & (MciStatusBits.Ar | MciStatusBits.Pcc));
                    Assert.Equal(McgStatusBits.Ripv, e.McgStatus & McgStatusBits.Ripv);
                }
                else if (MciStatusBits.Has(e.Status, MciStatusBits.Uc | MciStatusBits.Ar))
                {
                    load++;
                    Assert.Equal(0, e.BankIndex);
                    Assert.Equal(Mcacod.DataLoad, mcacod);
                    Assert.Equal(McgStatusBits.Eipv, e.McgStatus & (McgStatusBits.Eipv | McgStatusBits.Ripv));
                }
            }
        }

        Assert.True(ce > 0 && scrub > 0 && load > 0, $"CE {ce}, scrub {scrub}, load {load}");
    }

    [Fact]
    public void CpuErrors_RecurOnTheSameCore()
    {
        // Almost every CPU error recurs (3 times at most), within the 30-day window.
        var p = new FieldParameters
        {
            FaultRateScale = 1e-6,
            CpuFatalPerCoreYear = 0.05,
            CpuRecurrenceProbability = 0.999,
            CpuMaxRecurrences = 3,
        };
        var source = Source(p, 0, 500, 2 * 365 * DayNs);
        var spec = MachineSpec.Default;
        int fatal = 0, followed = 0;
        for (int i = 0; i < 500; i++)
        {
            var errors = Drain(source, i).Where(e => (e.Status & MciStatusBits.Pcc) != 0).ToList();
            foreach (var e in errors)
            {
                fatal++;
                int core = e.Cpu / spec.ThreadsPerCore;
                bool recurs = errors.Any(o => o.TimeNs > e.TimeNs && o.TimeNs - e.TimeNs <= 30 * DayNs && o.Cpu / spec.ThreadsPerCore == core);
                bool recurred = errors.Any(o => o.TimeNs < e.TimeNs && e.TimeNs - o.TimeNs <= 30 * DayNs && o.Cpu / spec.ThreadsPerCore == core);
                followed += recurs || recurred ? 1 : 0;
            }
        }

        Assert.True(fatal > 100, $"enough fatal errors ({fatal})");
        Assert.True(followed >= 0.95 * fatal, $"{followed} of {fatal} fatal errors have a same-core neighbour within 30 days");
    }

    [Fact]
    public void DimmsWithCe_CountsTheDimmsOfTakenCes()
    {
        var p = new FieldParameters { FaultRateScale = 40 };
        var source = Source(p, 0, 256, 365 * DayNs);
        int withCe = 0;
        for (int i = 0; i < 256; i++)
        {
            var dimms = Drain(source, i).Where(e => IsMemoryCe(e)).Select(e => DimmOf(e, p)).Distinct().Count();
            Assert.Equal(dimms, source.DimmsWithCe(i));
            withCe += dimms;
        }

        Assert.Equal(4, source.DimmsPerMachine);
        Assert.True(withCe > 50, $"enough DIMMs with CEs ({withCe})");
    }

    [Fact]
    public void DimmReplacement_EndsTheStreamsOfADimmWithAUe()
    {
        static long CesLongAfterFirstUe(FieldErrorSource source, FieldParameters p)
        {
            long late = 0;
            for (int i = 0; i < 256; i++)
            {
                var errors = Drain(source, i);
                var firstUe = new long[p.DimmCount];
                Array.Fill(firstUe, long.MaxValue);
                foreach (var e in errors)
                {
                    if (IsMemoryUe(e))
                    {
                        int d = DimmOf(e, p);
                        firstUe[d] = Math.Min(firstUe[d], e.TimeNs);
                    }
                    else if (IsMemoryCe(e) && firstUe[DimmOf(e, p)] != long.MaxValue && e.TimeNs > firstUe[DimmOf(e, p)] + (3 * DayNs))
                    {
                        late++;
                    }
                }
            }

            return late;
        }

        var keep = new FieldParameters { FaultRateScale = 20, MultiBitUeProbability = 0.5, ReplaceDimmAfterUe = false };
        var replace = keep with { ReplaceDimmAfterUe = true, DimmReplaceDelayHours = 24 };
        long kept = CesLongAfterFirstUe(Source(keep, 0, 256, 365 * DayNs), keep);
        long replaced = CesLongAfterFirstUe(Source(replace, 0, 256, 365 * DayNs), replace);
        Assert.True(kept > 1000, $"without replacement, faults keep reporting ({kept} late CEs)");
        Assert.True(replaced < kept / 5, $"replacement stops them: {replaced} late CEs against {kept}");
    }

    [Fact]
    public void SmallSlotTable_DropsAndCountsFaults()
    {
        var source = Source(FieldStressedConformanceTests.Stressed, 0, 64, 120 * DayNs);
        for (int i = 0; i < 64; i++)
        {
            Drain(source, i);
        }

        Assert.True(source.DroppedFaults > 0);
    }

    [Fact]
    public void CpuParameters_DoNotMoveDramErrors()
    {
        var a = Source(new FieldParameters { FaultRateScale = 40 }, 0, 64, 365 * DayNs);
        var b = Source(new FieldParameters { FaultRateScale = 40, CpuCorrectedPerCoreYear = 5, CpuFatalPerCoreYear = 0 }, 0, 64, 365 * DayNs);
        for (int i = 0; i < 64; i++)
        {
            var memA = Drain(a, i).Where(e => e.BankIndex == 8).ToList();
            var memB = Drain(b, i).Where(e => e.BankIndex == 8).ToList();
            Assert.Equal(memA, memB);
        }
    }

    [Fact]
    public void MachineWithoutSer_UncorrectedErrorsCarryNoUcrBits()
    {
        var source = (FieldErrorSource)FieldErrorSource.Factory(MachineSpec.DefaultNoSer, FieldStressedConformanceTests.Stressed, 1)(0, 64, 120 * DayNs);
        int uc = 0;
        for (int i = 0; i < 64; i++)
        {
            foreach (var e in Drain(source, i))
            {
                if ((e.Status & MciStatusBits.Uc) != 0)
                {
                    uc++;
                    Assert.Equal(0UL, e.Status & (MciStatusBits.S | MciStatusBits.Ar));
                }
            }
        }

        Assert.True(uc > 100, $"enough uncorrected errors ({uc})");
    }

    private static List<ErrorInjection> Drain(FieldErrorSource source, int index)
    {
        var list = new List<ErrorInjection>();
        while (source.NextArrivalNs(index) != long.MaxValue)
        {
            list.Add(source.Take(index));
        }

        return list;
    }
}
