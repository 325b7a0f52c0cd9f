using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Field;
using Mca.Workloads.Statistics;
using Xunit.Abstractions;

namespace Mca.Workloads.Tests.Field;

/// <summary>
/// The calibration of docs/calibration.md: a default field fleet run through the whole handler under
/// rfc2009 for a year lands on the field figures of Schroeder 2009 and Meza 2015.
/// </summary>
/// <remarks>
/// The fleet is 4,000 machines (16,000 DIMMs), about a second of engine time. Each figure is checked by
/// its 95 % Wilson interval lying inside the accepted band, not just the point estimate: at 4,000 machines
/// an interval is about +-0.45 points wide at 2 % (machines with a UE), +-0.4 points at 8 % of 16,000
/// DIMMs, and +-0.25 points at 0.5 % (resets), so a band check that passes here would pass for other
/// seeds too, and a change that moves a figure out of its band fails even when luck would hide it.
/// </remarks>
public class FieldCalibrationTests(ITestOutputHelper output)
{
    private const int Machines = 4_000;

    private static readonly Lazy<CampaignResult> Result = new(() => CampaignRunner.Run(new CampaignOptions
    {
        Machine = MachineSpec.Default,
        Policy = HandlerPolicy.Parse("rfc2009"),
        Machines = Machines,
        DurationNs = 365 * CampaignOptions.DayNs,
        Seed = 2009,
        Source = FieldErrorSource.Factory(MachineSpec.Default, new FieldParameters(), 2009),
        Threads = 2,
    }));

    private static void InBand(long successes, long trials, double low, double high, string what)
    {
        var (lo, hi) = Wilson.Interval(successes, trials);
        Assert.True(lo >= low && hi <= high, $"{what}: {successes}/{trials} = {successes / (double)trials:P2}, 95 % Wilson [{lo:P2}, {hi:P2}], accepted [{low:P1}, {high:P1}]");
    }

    /// <summary>
    /// Prints every calibration figure with its Wilson interval (docs/calibration.md quotes them):
    /// <c>dotnet test --filter FieldCalibrationTests --logger "console;verbosity=detailed"</c>.
    /// </summary>
    [Fact]
    public void Figures_Printed()
    {
        var r = Result.Value;
        var c = r.Counts;
        void Line(string what, long k, long n)
        {
            var (lo, hi) = Wilson.Interval(k, n);
            output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{what}: {k}/{n} = {k / (double)n:P2} (95 % Wilson {lo:P2} - {hi:P2})"));
        }

        Line("DIMMs with a CE", r.DimmsWithCe, r.Dimms);
        Line("machines with an uncorrected error", r.MachinesWithUncorrected, Machines);
        Line("machines reset", r.MachinesReset, Machines);
        Line("machines with a vMCE", r.MachinesWithVmce, Machines);
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"arrivals {c.ErrorArrivals} ({c.ErrorArrivals / (double)Machines:F1}/machine-year), CEs {c.Corrected} ({c.Corrected / (double)r.Dimms:F0}/DIMM-year), UCNA {c.Ucna}, SRAO {c.Srao}, SRAR {c.Srar}, fatal {c.Fatal}, resets {c.Resets}, handler events {c.HandlerEvents}"));
        output.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"CMCIs {c.CmciEvents} ({c.CmciEvents / (double)Machines:F0}/machine-year), CE finds {c.PollFinds}, dom0 records {c.LogsDelivered} ({c.LogsDelivered / (double)Machines:F0}/machine-year) + {c.LostDom0Buffer} dropped by dom0's full buffer"));
        Assert.True(c.ErrorArrivals > 0);
    }

    /// <summary>Schroeder 2009: more than 8 % of DIMMs see a CE in a year; accepted 5-12 %.</summary>
    [Fact]
    public void DimmsWithCorrectedError_AboutEightPercent()
    {
        var r = Result.Value;
        Assert.Equal(4L * Machines, r.Dimms);
        InBand(r.DimmsWithCe, r.Dimms, 0.05, 0.12, "DIMMs with a CE");
    }

    /// <summary>Schroeder 2009 (via the Dell RMT summary): about 1.3 % of machines see a UE in a year, 2-4 % on some platforms; accepted 1-4 %.</summary>
    [Fact]
    public void MachinesWithUncorrectedError_OneToFourPercent()
    {
        var r = Result.Value;
        InBand(r.MachinesWithUncorrected, Machines, 0.01, 0.04, "machines with an uncorrected error");
    }

    /// <summary>
    /// Resets come from fatal CPU errors (about 0.3 % of machines a year, Nightingale 2011 as an upper bound) and
    /// unrecoverable memory UEs: a plausible band is 0.1-2 % of machines, a few for each thousand.
    /// </summary>
    [Fact]
    public void MachinesReset_AFewPerThousand()
    {
        var r = Result.Value;
        InBand(r.MachinesReset, Machines, 0.001, 0.02, "machines reset");
        Assert.True(r.Counts.Resets >= r.MachinesReset);
    }

    /// <summary>
    /// Every CE arrives at its own instant, and each CMCI or poll that finds one is a dom0 record: thousands of CEs
    /// per faulty DIMM-year (Schroeder 2009's mean is about 4,000 over all DIMMs, heavily skewed), one record per
    /// one or two CEs (the CMCI threshold is 2, Xen mce_intel.c; the 2009 poller also reads CMCI banks).
    /// </summary>
    [Fact]
    public void CorrectedErrors_EachArrivesAndIsLogged()
    {
        var r = Result.Value;
        var c = r.Counts;
        Assert.InRange(c.Corrected / (double)r.Dimms, 50, 40_000);
        Assert.True(c.ErrorArrivals >= c.Corrected, "every CE is an arrival");
        // Records made: delivered, or dropped by dom0's full buffer (a 2009 dom0's hourly mcelog cron keeps 32 an hour).
        long records = c.LogsDelivered + c.LostDom0Buffer;
        Assert.InRange(records, c.Corrected / 2 - (c.Corrected / 100), c.Corrected + c.Ucna + c.Srao + c.Srar + c.Fatal);
        Assert.True(c.Srao > 0 && c.Srar > 0 && c.Ucna > 0 && c.Fatal > 0, "every uncorrected class occurs");
    }

    /// <summary>
    /// Figures of the error stream itself (no handler), over the full default fleet of 10,000 machines for
    /// a year, a second or so (stream runs are counted, not walked): machines with a memory CE (Schroeder 2009: about a third), how much a CE on a
    /// DIMM raises the chance of a later UE there (Schroeder 2009: factors in the tens to hundreds), mean CEs per
    /// DIMM-year (Schroeder 2009: about 4,000, heavily skewed, so only its order is checked), and arrivals.
    /// </summary>
    [Fact]
    public void SourceFigures_MatchTheFieldStudies()
    {
        const int Fleet = 10_000;
        var p = new FieldParameters();
        long dimmBytes = MachineSpec.Default.Memory.TotalBytes / p.DimmCount;
        var factory = FieldErrorSource.Factory(MachineSpec.Default, p, 1);
        long arrivals = 0, ces = 0, dimmsWithCe = 0, ueAfterCe = 0, ueWithoutCe = 0;
        int machinesWithCe = 0, machinesWithMemoryUe = 0;
        Span<bool> hadCe = stackalloc bool[p.DimmCount];
        Span<bool> hadUe = stackalloc bool[p.DimmCount];
        for (int first = 0; first < Fleet; first += 256)
        {
            int n = Math.Min(256, Fleet - first);
            var source = factory(first, n, 365 * CampaignOptions.DayNs);
            for (int i = 0; i < n; i++)
            {
                hadCe.Clear();
                hadUe.Clear();
                bool memoryUe = false;
                while (source.NextArrivalNs(i) != long.MaxValue)
                {
                    if (source is Systems.Engine.ICeStreamSource streams && streams.PendingStream(i, out long otherNs))
                    {
                        // A permanent fault's CEs a run at a time, as the engine takes them (a DIMM can log 10^8).
                        long run = streams.StreamCount(i, otherNs);
                        hadCe[(int)((long)streams.StreamError(i, 0).Addr / dimmBytes)] = true;
                        ces += run;
                        arrivals += run;
                        streams.SkipStream(i, run);
                        continue;
                    }

                    var e = source.Take(i);
                    arrivals++;
                    int dimm = (int)((long)e.Addr / dimmBytes);
                    if (e.BankIndex == 8 && (e.Status & Systems.Hardware.MciStatusBits.Uc) == 0)
                    {
                        ces += e.Count;
                        hadCe[dimm] = true;
                    }
                    else if ((e.Status & (Systems.Hardware.MciStatusBits.Uc | Systems.Hardware.MciStatusBits.Pcc)) == Systems.Hardware.MciStatusBits.Uc && (e.BankIndex == 8 || e.BankIndex == 0))
                    {
                        memoryUe = true;
                        if (!hadUe[dimm])
                        {
                            hadUe[dimm] = true;
                            ueAfterCe += hadCe[dimm] ? 1 : 0;
                            ueWithoutCe += hadCe[dimm] ? 0 : 1;
                        }
                    }
                }

                int withCe = 0;
                foreach (bool b in hadCe)
                {
                    withCe += b ? 1 : 0;
                }

                dimmsWithCe += withCe;
                machinesWithCe += withCe > 0 ? 1 : 0;
                machinesWithMemoryUe += memoryUe ? 1 : 0;
            }
        }

        long dimms = (long)Fleet * p.DimmCount;
        // P(UE | the DIMM logged a CE before) over P(UE | it had not); a DIMM that got a UE after CEs counts in the first group.
        double afterCe = ueAfterCe / (double)dimmsWithCe;
        double withoutCe = ueWithoutCe / (double)(dimms - dimmsWithCe + ueAfterCe);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"arrivals {arrivals} ({arrivals / (double)Fleet:F1} per machine-year)"));
        output.WriteLine(string.Create(inv, $"machines with a memory CE {machinesWithCe / (double)Fleet:P2}, with a memory UE {machinesWithMemoryUe / (double)Fleet:P2}"));
        output.WriteLine(string.Create(inv, $"DIMMs with a CE {dimmsWithCe / (double)dimms:P2}; mean CEs per DIMM-year {ces / (double)dimms:F0}"));
        output.WriteLine(string.Create(inv, $"P(UE | CE before) {afterCe:P2}, P(UE | no CE before) {withoutCe:P3}: factor {afterCe / withoutCe:F0}"));
        Assert.InRange(machinesWithCe / (double)Fleet, 0.2, 0.45);
        Assert.InRange(machinesWithMemoryUe / (double)Fleet, 0.005, 0.03);
        Assert.InRange(afterCe / withoutCe, 10, 1000);
        Assert.InRange(ces / (double)dimms, 400, 40_000);
        Assert.InRange(arrivals - ces, 100, 100_000);
    }

    /// <summary>
    /// What dom0's page offlining buys (docs/calibration.md "What page offlining buys"): the mcelog preset against
    /// <c>off</c> under <c>xen</c> on the same streams, 1,000 machines for a year (a few seconds). The uncorrected
    /// arrivals are the same draws (a paired comparison). Most of the CE volume goes, because most CEs come from a
    /// few heavy faults whose pages cross 2 per 24 h within hours (Meza 2015 reports about 67 % fewer errors
    /// per server: accepted 50-99.9 %); the memory given up is negligible (Hwang 2012: accepted below 0.01 % of
    /// DRAM); no UE is added by offlining (consumed SRARs do not rise); Xen refuses only its own fixed frames
    /// (accepted below 1 % of the requests).
    /// </summary>
    [Fact]
    public void PageOffline_McelogAgainstOff_RemovesMostCeVolumeForNegligibleMemory()
    {
        const int Fleet = 1_000;
        CampaignResult Run(Dom0DaemonPolicy daemon) => CampaignRunner.Run(new CampaignOptions
        {
            Machine = MachineSpec.Default,
            Policy = HandlerPolicy.Parse("xen").WithDom0Daemon(daemon),
            Machines = Fleet,
            DurationNs = 365 * CampaignOptions.DayNs,
            Seed = 7,
            Source = FieldErrorSource.Factory(MachineSpec.Default, new FieldParameters(), 7),
            Threads = 2,
        });

        var off = Run(Dom0DaemonPolicy.Off).Counts;
        var on = Run(Dom0DaemonPolicy.Mcelog).Counts;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        double removed = 1 - (on.Corrected / (double)off.Corrected);
        double retired = on.MemoryRetiredBytes / ((double)MachineSpec.Default.Memory.TotalBytes * Fleet);
        long requests = on.DaemonOfflined + on.DaemonPending + on.DaemonFailed;
        output.WriteLine(string.Create(inv, $"CEs {off.Corrected} -> {on.Corrected} ({removed:P1} removed); CMCIs/machine-year {off.CmciEvents / (double)Fleet:F0} -> {on.CmciEvents / (double)Fleet:F0}"));
        output.WriteLine(string.Create(inv, $"SRAR {off.Srar} -> {on.Srar}; UEs on retired pages {on.UesOnRetiredPages}; offlined {on.DaemonOfflined}, pending {on.DaemonPending}, refused {on.DaemonFailed}; retired {retired:P5} of DRAM"));

        Assert.Equal(0, off.DaemonOfflined + off.DaemonPending + off.DaemonFailed + off.DaemonAccounted);
        Assert.Equal(off.Ucna + off.Srao + off.Srar + off.Fatal, on.Ucna + on.Srao + on.Srar + on.Fatal);
        Assert.InRange(removed, 0.50, 0.999);
        Assert.True(on.CmciEvents < off.CmciEvents, "fewer CEs, fewer CMCIs");
        Assert.True(on.PagesRetiredAtEnd > 0, "some memory is out of service");
        Assert.InRange(retired, 0, 1e-4);
        Assert.True(on.Srar <= off.Srar, $"offlining adds no consumed UE: {off.Srar} -> {on.Srar}");
        Assert.True(requests > 0 && on.DaemonFailed < requests / 100.0, $"refused {on.DaemonFailed} of {requests}");
    }
}
