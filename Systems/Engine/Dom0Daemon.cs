using Mca.Ecs;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Systems.Engine;

/// <summary>What dom0's daemon did with a page whose count crossed its threshold (the handler event DaemonPageAction).</summary>
public enum DaemonPageOutcome : byte
{
    /// <summary>Action <c>account</c>: the crossing is reported, nothing is offlined.</summary>
    Accounted = 0,
    /// <summary>A free frame: <c>offline_page</c> took it out of service at once (PG_OFFLINE_OFFLINED).</summary>
    Offlined = 1,
    /// <summary>A domain's or a Xen heap frame: offline-pending until its owner frees it (PG_OFFLINE_PENDING).</summary>
    Pending = 2,
    /// <summary>A Xen-fixed frame (or not RAM): <c>offline_page</c> refused it (-EPERM / -EINVAL).</summary>
    Failed = 3,
}

/// <summary>
/// One mcelog leaky bucket (mcelog leaky-bucket.c; rasdaemon's page records use the same rule): at each account the
/// count first ages by <c>floor(elapsed / agetime x capacity)</c> if a whole agetime has passed since the stamp (which
/// then moves), then rises by the increment; reaching the capacity is an overflow and empties it. Times are the
/// daemon's whole seconds (mcelog.c mce_prepare: a record without TIME gets <c>time(NULL)</c>, which every Xen dom0
/// record is, source-audit §1).
/// </summary>
internal struct LeakyBucket
{
    public long Count;
    public long StampS;

    /// <summary>A bucket made now (mcelog bucket_init).</summary>
    public static LeakyBucket New(long nowS) => new() { StampS = nowS };

    /// <summary>__bucket_account: true when the bucket overflowed.</summary>
    public bool Account(int capacity, long agetimeS, long inc, long nowS)
    {
        if (capacity <= 0)
        {
            return false;
        }

        long diff = nowS - StampS;
        if (diff >= agetimeS)
        {
            double age = diff / (double)agetimeS * capacity;
            StampS = nowS;
            Count = age >= Count ? 0 : Count - (long)age;
        }

        Count += inc;
        if (Count >= capacity)
        {
            Count = 0;
            return true;
        }

        return false;
    }

    /// <summary>Whether a bucket stamped this long ago is the same as a new one at <paramref name="nowS"/> (an aging empties it and moves the stamp).</summary>
    public readonly bool Stale(long agetimeS, long nowS) => nowS - StampS >= agetimeS;
}

/// <summary>
/// dom0's mcelog (or rasdaemon) daemon on every machine of a batch (source-audit §6): it reads each record as the
/// driver wakes it, accounts memory CEs per 4 KiB page (mcelog page.c account_page_error), every memory error per
/// DIMM and per socket (mcelog memdb.c memory_error: trigger counts), and on a page's crossing asks Xen to offline
/// the page through xen-hptool mem-offline (<c>offline_page(mfn, broken = 0)</c>, Xen page_alloc.c). Its state lives
/// in dom0's memory and so does not survive a host reboot, except the list of pages it offlined when
/// <see cref="Dom0DaemonPolicy.PersistAcrossReboot"/> is set.
/// </summary>
internal sealed class Dom0Daemon
{
    /// <summary>Purpose of the pending-release draws ("PGREL" in ASCII).</summary>
    private const ulong ReleasePurpose = 0x5047_5245_4C00_0000;
    /// <summary>Stale page buckets are swept when a machine tracks more than this many (results do not depend on it).</summary>
    private const int SweepAbove = 4096;

    private readonly MachineBatch _batch;
    private readonly Dom0DaemonPolicy _policy;
    private readonly State?[] _machines;
    // Per machine, over the whole run: DIMM triggers, socket triggers, UEs on frames out of service (the per-machine table).
    private readonly long[] _perMachine;
    private readonly ulong _releaseKey;
    private readonly long _pageAgeS;
    private readonly long _triggerAgeS;
    private readonly bool _cmciCount;
    private Scratch _scratch;

    public Dom0Daemon(MachineBatch batch, PageTable pages)
    {
        _batch = batch;
        _policy = batch.Policy.Dom0Daemon;
        Pages = pages;
        _machines = new State?[batch.MachineCount];
        _perMachine = new long[3 * batch.MachineCount];
        _releaseKey = CounterRng.KeyOf(batch.Seed, ReleasePurpose);
        _pageAgeS = Math.Max(1, _policy.PageWindowNs / MachineSpec.NsPerSecond);
        _triggerAgeS = Math.Max(1, _policy.TriggerWindowNs / MachineSpec.NsPerSecond);
        // mcelog intel.c: the corrected-error count of bits 52:38 is read only when MCG_CAP has CMCI_P.
        _cmciCount = (batch.Spec.McgCap & McgCapBits.CmciP) != 0;
    }

    public Dom0DaemonPolicy Policy => _policy;
    public PageTable Pages { get; }
    public bool Active => _policy.Active;

    /// <summary>DIMM bucket crossings since the last <see cref="TakeCounters"/> (mcelog memdb_trigger on a DIMM).</summary>
    public long DimmTriggers { get; private set; }
    /// <summary>Socket bucket crossings since the last <see cref="TakeCounters"/>.</summary>
    public long SocketTriggers { get; private set; }
    /// <summary>Uncorrected memory errors on frames out of service since the last <see cref="TakeCounters"/>.</summary>
    public long UesOnRetired { get; private set; }

    public (long Dimm, long Socket, long UesOnRetired) TakeCounters()
    {
        var c = (DimmTriggers, SocketTriggers, UesOnRetired);
        (DimmTriggers, SocketTriggers, UesOnRetired) = (0, 0, 0);
        return c;
    }

    /// <summary>One machine's counters over the whole run (not reset by <see cref="TakeCounters"/>).</summary>
    public (long Dimm, long Socket, long UesOnRetired) CountersOf(int machine) =>
        (_perMachine[3 * machine], _perMachine[(3 * machine) + 1], _perMachine[(3 * machine) + 2]);

    public void CountUeOnRetired(int machine)
    {
        UesOnRetired++;
        _perMachine[(3 * machine) + 2]++;
    }

    /// <summary>
    /// dom0 read one record (at the machine's now): mcelog's memory accounting for a memory-controller error, and the
    /// page action on a crossing.
    /// </summary>
    public void OnRecord(int machine, ulong status, ulong addr, int socket)
    {
        if (!_policy.Active || !PageTable.IsMemoryError(status))
        {
            return;
        }

        long nowNs = _batch.Machines[machine].NowNs;
        long nowS = nowNs / MachineSpec.NsPerSecond;
        var st = _machines[machine] ??= new State();
        bool uc = (status & MciStatusBits.Uc) != 0;
        int channel = (int)(status & 0xF);
        long dimm = AccountDimm(st, uc, socket, channel, nowS) ? 1 : 0;
        long sock = AccountSocket(st, uc, socket, CeCount(status), nowS);
        DimmTriggers += dimm;
        SocketTriggers += sock;
        _perMachine[3 * machine] += dimm;
        _perMachine[(3 * machine) + 1] += sock;
        if (uc || (status & MciStatusBits.AddrV) == 0)
        {
            return;
        }

        long page = (long)(addr >> PageTable.PageShift);
        if (!AccountPage(st, page, nowS) || st.Handled.Contains(page))
        {
            return;
        }

        Act(machine, st, page);
    }

    /// <summary>The page action on a crossing of an online page (mcelog page.c offline_action; xen-hptool mem-offline).</summary>
    private void Act(int machine, State st, long page)
    {
        var outcome = DaemonPageOutcome.Accounted;
        var owner = _batch.Spec.Memory.OwnerOf(page);
        if (_policy.Offlines)
        {
            // mcelog marks the page offline or offline-failed and never acts on it again.
            st.Handled.Add(page);
            outcome = Offline(machine, page, owner.Kind);
            if (outcome is DaemonPageOutcome.Offlined or DaemonPageOutcome.Pending)
            {
                (st.Remembered ??= []).Add(page);
            }
        }

        _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.DaemonPageAction) with
        {
            Addr = (ulong)page,
            Arg = (long)outcome,
            Domain = (short)(owner.Kind == FrameOwnerKind.Domain ? owner.DomId : -1),
        });
    }

    /// <summary>
    /// offline_page(mfn, broken = 0) (Xen page_alloc.c): a free frame leaves service at once; a domain's is pending
    /// until its owner frees it, after an exponential time of mean <see cref="Dom0DaemonPolicy.PendingReleaseMeanNs"/>
    /// keyed by (seed, machine, frame, instant) (model choice: guest memory is recycled; the same draw under every
    /// policy); a Xen heap frame stays pending (Xen does not free it before the host reboots); a Xen-fixed frame is refused.
    /// </summary>
    private DaemonPageOutcome Offline(int machine, long page, FrameOwnerKind owner)
    {
        long now = _batch.Machines[machine].NowNs;
        switch (owner)
        {
            case FrameOwnerKind.Free:
                Pages.Request(machine, page, now);
                return DaemonPageOutcome.Offlined;
            case FrameOwnerKind.Domain:
            {
                ulong h = CounterRng.Hash(_releaseKey, (ulong)(_batch.FirstMachineId + machine), (ulong)page ^ ((ulong)now * 0x9E3779B97F4A7C15UL));
                double u = ((h >> 11) + 0.5) * (1.0 / (1UL << 53));
                double delay = -Math.Log(u) * _policy.PendingReleaseMeanNs;
                Pages.Request(machine, page, delay < long.MaxValue - now ? now + (long)delay : long.MaxValue);
                return DaemonPageOutcome.Pending;
            }

            case FrameOwnerKind.XenHeap:
                Pages.Request(machine, page, long.MaxValue);
                return DaemonPageOutcome.Pending;
            default:
                return DaemonPageOutcome.Failed;
        }
    }

    /// <summary>
    /// A host reset: dom0 and its daemon restart, Xen forgets every offlined page (source-audit §2). With
    /// <see cref="Dom0DaemonPolicy.PersistAcrossReboot"/> the daemon keeps the list of pages it offlined.
    /// </summary>
    public void OnReset(int machine)
    {
        Pages.Forget(machine);
        if (_machines[machine] is not { } st)
        {
            return;
        }

        var remembered = _policy.PersistAcrossReboot ? st.Remembered : null;
        _machines[machine] = null;
        if (remembered is { Count: > 0 })
        {
            var fresh = new State { Remembered = remembered };
            foreach (long page in remembered)
            {
                fresh.Handled.Add(page);
            }

            _machines[machine] = fresh;
        }
    }

    /// <summary>At boot, dom0 offlines the pages it remembers again (the RFC's interface; nothing in Xen does it).</summary>
    public void OnBoot(int machine)
    {
        if (!_policy.PersistAcrossReboot || _machines[machine]?.Remembered is not { } remembered)
        {
            return;
        }

        foreach (long page in remembered)
        {
            Offline(machine, page, _batch.Spec.Memory.OwnerOf(page).Kind);
        }
    }

    // ----- closed-form runs: the same accounting on a scratch copy, committed when the run is -----

    /// <summary>Starts planning a run of one stream's CE records on (socket, channel): the scratch copies the buckets a record touches.</summary>
    public void BeginRun(int machine, int socket, int channel)
    {
        var st = _machines[machine];
        _scratch.Machine = machine;
        _scratch.Socket = socket;
        _scratch.Channel = channel;
        _scratch.HasDimm = st is not null && st.DimmCe.TryGetValue(DimmKey(socket, channel), out _scratch.Dimm);
        _scratch.HasSocket = st is not null && st.SocketCe.TryGetValue(socket, out _scratch.SocketBucket);
        _scratch.DimmTriggers = 0;
        _scratch.SocketTriggers = 0;
        (_scratch.PageKeys ??= []).Clear();
        (_scratch.PageBuckets ??= []).Clear();
    }

    /// <summary>
    /// Accounts one CE record of the run at <paramref name="timeNs"/> on the scratch; false, leaving the scratch as it
    /// was before it, when the record would make the daemon act on a page (the run must end before its cause).
    /// </summary>
    public bool ScratchRecord(ulong status, ulong addr, long timeNs)
    {
        ref var sc = ref _scratch;
        long nowS = timeNs / MachineSpec.NsPerSecond;
        sc.LastS = nowS;
        var st = _machines[sc.Machine];
        long page = (long)(addr >> PageTable.PageShift);
        int at = sc.PageKeys!.IndexOf(page);
        LeakyBucket pb;
        if (at >= 0)
        {
            pb = sc.PageBuckets![at];
        }
        else if (st is null || !st.Pages.TryGetValue(page, out pb))
        {
            pb = LeakyBucket.New(nowS);
        }

        if (pb.Account(_policy.PageThreshold, _pageAgeS, 1, nowS) && (st is null || !st.Handled.Contains(page)))
        {
            return false;
        }

        if (at >= 0)
        {
            sc.PageBuckets![at] = pb;
        }
        else
        {
            sc.PageKeys.Add(page);
            sc.PageBuckets!.Add(pb);
        }

        if (_policy.Kind == Dom0DaemonKind.Mcelog && sc.Channel != 0xF)
        {
            if (!sc.HasDimm)
            {
                sc.Dimm = LeakyBucket.New(nowS);
                sc.HasDimm = true;
            }

            sc.DimmTriggers += sc.Dimm.Account(_policy.DimmCeThreshold, _triggerAgeS, 1, nowS) ? 1 : 0;
        }

        if (_policy.Kind == Dom0DaemonKind.Mcelog)
        {
            if (!sc.HasSocket)
            {
                sc.SocketBucket = LeakyBucket.New(nowS);
                sc.HasSocket = true;
            }

            sc.SocketTriggers += AccountSocketCe(ref sc.SocketBucket, CeCount(status), nowS);
        }

        return true;
    }

    /// <summary>Makes the scratch the daemon's state: the run's records were read.</summary>
    public void CommitRun()
    {
        ref var sc = ref _scratch;
        var st = _machines[sc.Machine] ??= new State();
        for (int i = 0; i < sc.PageKeys!.Count; i++)
        {
            st.Pages[sc.PageKeys[i]] = sc.PageBuckets![i];
        }

        if (sc.HasDimm)
        {
            st.DimmCe[DimmKey(sc.Socket, sc.Channel)] = sc.Dimm;
        }

        if (sc.HasSocket)
        {
            st.SocketCe[sc.Socket] = sc.SocketBucket;
        }

        DimmTriggers += sc.DimmTriggers;
        SocketTriggers += sc.SocketTriggers;
        _perMachine[3 * sc.Machine] += sc.DimmTriggers;
        _perMachine[(3 * sc.Machine) + 1] += sc.SocketTriggers;
        Sweep(st, sc.LastS);
    }

    // ----- the buckets -----

    private long CeCount(ulong status) => _cmciCount ? (long)((status & MciStatusBits.CeCountMask) >> MciStatusBits.CeCountShift) : 0;

    private static int DimmKey(int socket, int channel) => (socket << 4) | channel;

    private bool AccountPage(State st, long page, long nowS)
    {
        ref var b = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(st.Pages, page, out bool existed);
        if (!existed)
        {
            b = LeakyBucket.New(nowS);
        }

        bool over = b.Account(_policy.PageThreshold, _pageAgeS, 1, nowS);
        Sweep(st, nowS);
        return over;
    }

    /// <summary>mcelog memdb.c account_memdb for the DIMM (socket, channel, DIMM unknown); none for an unknown channel or rasdaemon.</summary>
    private bool AccountDimm(State st, bool uc, int socket, int channel, long nowS)
    {
        if (_policy.Kind != Dom0DaemonKind.Mcelog || channel == 0xF)
        {
            return false;
        }

        var map = uc ? st.DimmUc : st.DimmCe;
        ref var b = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(map, DimmKey(socket, channel), out bool existed);
        if (!existed)
        {
            b = LeakyBucket.New(nowS);
        }

        return b.Account(uc ? _policy.DimmUcThreshold : _policy.DimmCeThreshold, _triggerAgeS, 1, nowS);
    }

    /// <summary>mcelog memdb.c memory_error for the socket: account_over, then account_memdb.</summary>
    private int AccountSocket(State st, bool uc, int socket, long ceCount, long nowS)
    {
        if (_policy.Kind != Dom0DaemonKind.Mcelog)
        {
            return 0;
        }

        var map = uc ? st.SocketUc : st.SocketCe;
        ref var b = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(map, socket, out bool existed);
        if (!existed)
        {
            b = LeakyBucket.New(nowS);
        }

        return uc ? (b.Account(_policy.SocketThreshold, _triggerAgeS, 1, nowS) ? 1 : 0) : AccountSocketCe(ref b, ceCount, nowS);
    }

    /// <summary>account_over (a record standing for cnt errors adds cnt - 1 first) and account_memdb (+1), each able to cross.</summary>
    private int AccountSocketCe(ref LeakyBucket b, long ceCount, long nowS)
    {
        int n = 0;
        if (ceCount > 1)
        {
            n += b.Account(_policy.SocketThreshold, _triggerAgeS, ceCount - 1, nowS) ? 1 : 0;
        }

        n += b.Account(_policy.SocketThreshold, _triggerAgeS, 1, nowS) ? 1 : 0;
        return n;
    }

    /// <summary>Drops page buckets a whole window old: each is the same as a new one (results do not depend on when).</summary>
    private void Sweep(State st, long nowS)
    {
        if (st.Pages.Count <= st.SweepAt)
        {
            return;
        }

        foreach (var (page, b) in st.Pages)
        {
            if (b.Stale(_pageAgeS, nowS))
            {
                st.Pages.Remove(page);
            }
        }

        // Next sweep once the live buckets have doubled: amortised O(1) per record.
        st.SweepAt = Math.Max(SweepAbove, 2 * st.Pages.Count);
    }

    private sealed class State
    {
        public Dictionary<long, LeakyBucket> Pages { get; } = [];
        /// <summary>Pages mcelog has marked offline or offline-failed (page.c mempage.offlined != PAGE_ONLINE).</summary>
        public HashSet<long> Handled { get; } = [];
        public Dictionary<int, LeakyBucket> DimmCe { get; } = [];
        public Dictionary<int, LeakyBucket> DimmUc { get; } = [];
        public Dictionary<int, LeakyBucket> SocketCe { get; } = [];
        public Dictionary<int, LeakyBucket> SocketUc { get; } = [];
        public List<long>? Remembered { get; set; }
        public int SweepAt { get; set; } = SweepAbove;
    }

    private struct Scratch
    {
        public int Machine;
        public int Socket;
        public int Channel;
        public bool HasDimm;
        public LeakyBucket Dimm;
        public bool HasSocket;
        public LeakyBucket SocketBucket;
        public long DimmTriggers;
        public long SocketTriggers;
        public long LastS;
        public List<long>? PageKeys;
        public List<LeakyBucket>? PageBuckets;
    }
}
