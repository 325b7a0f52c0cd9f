using Mca.Systems.Engine;
using Mca.Systems.Model;

namespace Mca.Systems.Tests.Engine;

/// <summary>mcelog's leaky bucket (leaky-bucket.c) and the daemon's policy data (source-audit §6).</summary>
public class Dom0DaemonTests
{
    private const long Day = 86_400;

    [Fact]
    public void Bucket_TwoWithinTheWindowCross_AndTheCrossingEmptiesIt()
    {
        var b = LeakyBucket.New(1000);
        Assert.False(b.Account(2, Day, 1, 1000));
        Assert.True(b.Account(2, Day, 1, 1000 + Day - 1));
        Assert.Equal(0, b.Count);
        // The stamp did not move (no aging happened): the next one within the window counts from zero again.
        Assert.False(b.Account(2, Day, 1, 1000 + Day - 1));
        Assert.Equal(1, b.Count);
    }

    [Fact]
    public void Bucket_AgesByWholeWindowsTimesCapacity()
    {
        var b = LeakyBucket.New(0);
        Assert.False(b.Account(10, Day, 7, 0));
        // 1.5 windows later: age = floor(1.5 x 10) = 15 > 7, so empty, then +1; the stamp moves to now.
        Assert.False(b.Account(10, Day, 1, (3 * Day) / 2));
        Assert.Equal(1, b.Count);
        Assert.Equal((3 * Day) / 2, b.StampS);
        // A window after the new stamp is not reached yet: no aging, 1 + 8 = 9 < 10.
        Assert.False(b.Account(10, Day, 8, (3 * Day) / 2 + Day - 1));
        Assert.Equal(9, b.Count);
        Assert.True(b.Account(10, Day, 1, (3 * Day) / 2 + Day - 1));
    }

    [Fact]
    public void Bucket_OneWindowOldIsANewBucket()
    {
        // Why the daemon may drop a bucket a whole window old: the next account gives the same as a fresh one.
        for (long count = 0; count < 10; count++)
        {
            var old = new LeakyBucket { Count = count, StampS = 0 };
            var fresh = LeakyBucket.New(Day + 5);
            Assert.True(old.Stale(Day, Day + 5));
            Assert.Equal(fresh.Account(10, Day, 3, Day + 5), old.Account(10, Day, 3, Day + 5));
            Assert.Equal(fresh, old);
        }
    }

    [Fact]
    public void Bucket_CapacityZeroNeverCrosses()
    {
        var b = LeakyBucket.New(0);
        Assert.False(b.Account(0, Day, 1_000_000, 0));
    }

    [Fact]
    public void Presets_AreTheShippedConfigurations()
    {
        var m = Dom0DaemonPolicy.Mcelog;
        Assert.Equal((2, 24 * Dom0DaemonPolicy.HourNs, PageAction.Soft), (m.PageThreshold, m.PageWindowNs, m.Action));
        Assert.Equal((10, 1, 100), (m.DimmCeThreshold, m.DimmUcThreshold, m.SocketThreshold));
        var r = Dom0DaemonPolicy.Rasdaemon;
        Assert.Equal((50, 24 * Dom0DaemonPolicy.HourNs, PageAction.Soft, 0), (r.PageThreshold, r.PageWindowNs, r.Action, r.DimmCeThreshold));
        Assert.False(Dom0DaemonPolicy.Off.Active);
        Assert.True(m.Offlines);
        Assert.False((m with { Action = PageAction.Account }).Offlines);
        Assert.Same(Dom0DaemonPolicy.Off, Dom0DaemonPolicy.DefaultFor("rfc2009"));
        Assert.Same(Dom0DaemonPolicy.Off, Dom0DaemonPolicy.DefaultFor("xen"));
    }

    [Fact]
    public void ADaemonReadsAsRecordsCome()
    {
        // mcelog --daemon polls the device: the hourly cron of the 2009 dom0 no longer applies.
        var p = HandlerPolicy.Rfc2009.WithDom0Daemon(Dom0DaemonPolicy.Mcelog);
        Assert.Equal(0, p.Dom0ReadPeriodNs);
        Assert.Equal(HandlerPolicy.Rfc2009.Dom0ReadPeriodNs, p.WithDom0Daemon(Dom0DaemonPolicy.Off).Dom0ReadPeriodNs);
    }

    [Fact]
    public void PageTable_LeavesServiceAtItsInstant_AndAResetForgets()
    {
        var t = new PageTable(2);
        t.Request(1, 0x1234, 100);
        Assert.False(t.OutOfService(1, 0x1234, 99));
        Assert.True(t.OutOfService(1, 0x1234, 100));
        Assert.False(t.OutOfService(0, 0x1234, 100));
        t.Request(1, 0x1234, 50);
        Assert.Equal(50, t.LeavesServiceAt(1, 0x1234));
        t.Request(1, 0x99, long.MaxValue);
        Assert.Equal(1, t.RetiredAt(1, 1000));
        t.Forget(1);
        Assert.False(t.OutOfService(1, 0x1234, 1000));
        Assert.False(t.Any(1));
    }

    [Theory]
    [InlineData(0x8C000040_00000090UL, true)]   // demand read CE, ADDRV
    [InlineData(0x8C000040_000000C0UL, false)]  // patrol scrub CE
    [InlineData(0x88000040_00000090UL, false)]  // no ADDRV
    [InlineData(0xAC000000_00000090UL, false)]  // UC
    public void DemandReadCes_AreTheOnesThatStop(ulong status, bool demand) =>
        Assert.Equal(demand, PageTable.IsDemandReadCe(status));
}
