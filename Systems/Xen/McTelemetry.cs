using System.Diagnostics;
using System.Numerics;

namespace Mca.Systems.Xen;

/// <summary>
/// One machine's telemetry pool, exactly as Xen mctelem.c: 10 URGENT + 20 NONURGENT
/// preallocated entries, per-class committed lists (LIFO), per-class processing lists (oldest at
/// the head), per-CPU pending lists for deferred #MC telemetry, and a drop counter. An entry is
/// named by its cookie, the slot index 0..29; <see cref="NoCookie"/> (-1) stands for Xen's NULL.
/// </summary>
/// <remarks>
/// Nothing is allocated after construction (and after <see cref="Reset"/> when the CPU count does
/// not grow). Misuse that Xen would BUG() on (committing a free entry, deferring twice, ...)
/// throws <see cref="InvalidOperationException"/>.
/// </remarks>
internal sealed class McTelemetry
{
    /// <summary><c>MC_URGENT_NENT</c>.</summary>
    public const int UrgentEntryCount = 10;
    /// <summary><c>MC_NONURGENT_NENT</c>.</summary>
    public const int NonUrgentEntryCount = 20;
    /// <summary><c>MC_NENT</c>.</summary>
    public const int EntryCount = UrgentEntryCount + NonUrgentEntryCount;
    /// <summary>The NULL cookie: a failed reservation, or "no entry".</summary>
    public const int NoCookie = -1;

    /// <summary>XEN_MC_NONURGENT fetch flag.</summary>
    public const uint XenMcNonUrgent = 0x1;
    /// <summary>XEN_MC_URGENT fetch flag.</summary>
    public const uint XenMcUrgent = 0x2;
    /// <summary>XEN_MC_ACK fetch flag.</summary>
    public const uint XenMcAck = 0x4;

    private const ulong AllSlotsMask = (1UL << EntryCount) - 1;
    private const ulong NonUrgentSlotsMask = AllSlotsMask & ~((1UL << UrgentEntryCount) - 1);

    private readonly McInfo[] _data = new McInfo[EntryCount];
    private readonly TelemetryEntryState[] _state = new TelemetryEntryState[EntryCount];
    private readonly TelemetryClass[] _class = new TelemetryClass[EntryCount];
    private readonly bool[] _deferred = new bool[EntryCount];
    /// <summary>Link to the next entry on whatever list the entry is on (pending, committed or processing).</summary>
    private readonly int[] _next = new int[EntryCount];
    private readonly int[] _committedHead = new int[2];
    private readonly int[] _processingHead = new int[2];
    private readonly int[] _processingTail = new int[2];
    private int[] _pendingHead = [];
    private int[] _lmcePendingHead = [];
    private ulong _freeMask;
    private int _cpuCount;
    /// <summary>The not-yet-replayed rest of the list being processed by ProcessDeferred (oldest first), or NoCookie.</summary>
    private int _replayHead = NoCookie;
    private bool _replaying;

    /// <summary>A pool for a machine with <paramref name="cpuCount"/> pCPUs, every entry free.</summary>
    public McTelemetry(int cpuCount)
    {
        for (int i = 0; i < EntryCount; i++)
        {
            _data[i] = new McInfo();
        }

        Reset(cpuCount);
    }

    /// <summary>Number of pCPUs with a pending list.</summary>
    public int CpuCount => _cpuCount;

    /// <summary><c>mctelem_drop_count</c>: reservations that failed because the pool was exhausted.</summary>
    public long DropCount { get; private set; }

    /// <summary>Number of free entries.</summary>
    public int FreeCount => BitOperations.PopCount(_freeMask);

    /// <summary>Returns the pool to its initial state for a machine with <paramref name="cpuCount"/> pCPUs.</summary>
    public void Reset(int cpuCount)
    {
        if (cpuCount <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(cpuCount), cpuCount, "expected at least one pCPU");
        }

        if (_pendingHead.Length < cpuCount)
        {
            _pendingHead = new int[cpuCount];
            _lmcePendingHead = new int[cpuCount];
        }

        _cpuCount = cpuCount;
        _pendingHead.AsSpan().Fill(NoCookie);
        _lmcePendingHead.AsSpan().Fill(NoCookie);
        _committedHead.AsSpan().Fill(NoCookie);
        _processingHead.AsSpan().Fill(NoCookie);
        _processingTail.AsSpan().Fill(NoCookie);
        _next.AsSpan().Fill(NoCookie);
        _state.AsSpan().Clear();
        _deferred.AsSpan().Clear();
        _class.AsSpan().Clear();
        // Payloads are not cleared here: Reserve clears an entry's payload when it hands it out, and a free entry's payload is never read.

        _freeMask = AllSlotsMask;
        _replayHead = NoCookie;
        _replaying = false;
        DropCount = 0;
        AssertInvariants();
    }

    /// <summary>
    /// <c>mctelem_reserve</c>: takes the lowest free slot (URGENT searches 0..29, so it can raid free
    /// non-urgent slots; NONURGENT searches 10..29). Returns the cookie, or <see cref="NoCookie"/> and
    /// counts a drop. The payload is cleared (<c>mcinfo_clear</c>, which Xen's logout does next).
    /// </summary>
    public int Reserve(TelemetryClass which)
    {
        // Xen mctelem.c mctelem_reserve: urgent from index 0 (may take non-urgent slots), non-urgent only 10..29
        ulong candidates = which switch
        {
            TelemetryClass.Urgent => _freeMask,
            TelemetryClass.NonUrgent => _freeMask & NonUrgentSlotsMask,
            _ => throw new ArgumentOutOfRangeException(nameof(which), which, "expected Urgent or NonUrgent"),
        };

        if (candidates == 0)
        {
            // Xen mctelem.c: exhausted -> NULL and mctelem_drop_count++ (not logged)
            DropCount++;
            return NoCookie;
        }

        int slot = BitOperations.TrailingZeroCount(candidates);
        _freeMask &= ~(1UL << slot);
        _state[slot] = TelemetryEntryState.Uncommitted;
        _class[slot] = which;
        _next[slot] = NoCookie;
        _data[slot].Clear();
        AssertInvariants();
        return slot;
    }

    /// <summary><c>mctelem_dataptr</c>: the payload of a non-free entry.</summary>
    public McInfo Data(int cookie)
    {
        CheckCookie(cookie);
        if (_state[cookie] == TelemetryEntryState.Free)
        {
            throw new InvalidOperationException($"telemetry entry {cookie} is free; reserve it before using its payload");
        }

        return _data[cookie];
    }

    /// <summary>The state of an entry.</summary>
    public TelemetryEntryState State(int cookie)
    {
        CheckCookie(cookie);
        return _state[cookie];
    }

    /// <summary>The class an entry was reserved for (meaningless when free).</summary>
    public TelemetryClass ClassOf(int cookie)
    {
        CheckCookie(cookie);
        return _class[cookie];
    }

    /// <summary>Whether an uncommitted entry sits on a per-CPU pending list.</summary>
    public bool IsDeferred(int cookie)
    {
        CheckCookie(cookie);
        return _deferred[cookie];
    }

    /// <summary><c>mctelem_dismiss</c>: an UNCOMMITTED entry goes straight back to FREE.</summary>
    public void Dismiss(int cookie)
    {
        RequireUnlinkedUncommitted(cookie, "dismiss");
        // Xen mctelem.c: dismiss returns an UNCOMMITTED entry straight to FREE
        Free(cookie);
        AssertInvariants();
    }

    /// <summary><c>mctelem_commit</c>: pushes the entry on its class's committed list (newest first).</summary>
    public void Commit(int cookie)
    {
        RequireUnlinkedUncommitted(cookie, "commit");
        // Xen mctelem.c: commit pushes onto the committed list of its class; that list is LIFO
        int cls = (int)_class[cookie];
        _state[cookie] = TelemetryEntryState.Committed;
        _next[cookie] = _committedHead[cls];
        _committedHead[cls] = cookie;
        AssertInvariants();
    }

    /// <summary>
    /// <c>mctelem_defer(cookie, lmce)</c> on <paramref name="cpu"/>: links the entry onto that CPU's
    /// <c>pending</c> list, or onto <c>lmce_pending</c> when <paramref name="lmce"/> and <c>pending</c>
    /// is empty. A non-local deferral first moves any LMCE entries into <c>pending</c>.
    /// </summary>
    public void Defer(int cookie, int cpu, bool lmce)
    {
        RequireUnlinkedUncommitted(cookie, "defer");
        CheckCpu(cpu);
        Debug.Assert(_pendingHead[cpu] == NoCookie || _lmcePendingHead[cpu] == NoCookie, "pending and lmce_pending are mutually exclusive");

        // Xen mctelem.c: defer links onto the per-CPU pending or lmce_pending list
        if (_pendingHead[cpu] != NoCookie)
        {
            Push(ref _pendingHead[cpu], cookie);
        }
        else if (lmce)
        {
            Push(ref _lmcePendingHead[cpu], cookie);
        }
        else
        {
            // Xen mctelem.c: a non-local deferral moves any LMCE entries into `pending`
            _pendingHead[cpu] = _lmcePendingHead[cpu];
            _lmcePendingHead[cpu] = NoCookie;
            Push(ref _pendingHead[cpu], cookie);
        }

        _deferred[cookie] = true;
        AssertInvariants();
    }

    /// <summary><c>mctelem_has_deferred</c>: whether <paramref name="cpu"/>'s <c>pending</c> list is non-empty.</summary>
    public bool HasDeferred(int cpu)
    {
        CheckCpu(cpu);
        return _pendingHead[cpu] != NoCookie;
    }

    /// <summary><c>mctelem_has_deferred_lmce</c>: whether <paramref name="cpu"/>'s <c>lmce_pending</c> list is non-empty.</summary>
    public bool HasDeferredLmce(int cpu)
    {
        CheckCpu(cpu);
        return _lmcePendingHead[cpu] != NoCookie;
    }

    /// <summary>
    /// <c>mctelem_process_deferred(cpu, fn, lmce)</c>: detaches <paramref name="cpu"/>'s pending (or
    /// LMCE pending) list, replays it oldest first, and commits each entry for which the handler
    /// returns true, dismissing the others. Returns the number of entries processed. Entries deferred
    /// by the handler itself land on a fresh list and are not processed by this call.
    /// </summary>
    public int ProcessDeferred<THandler>(int cpu, bool lmce, ref THandler handler)
        where THandler : struct, IDeferredTelemetryHandler
    {
        CheckCpu(cpu);
        if (_replaying)
        {
            throw new InvalidOperationException("ProcessDeferred is not reentrant: the handler must not call it");
        }

        // Xen mctelem.c: process_deferred detaches the list, replays it in chronological order
        ref int headRef = ref lmce ? ref _lmcePendingHead[cpu] : ref _pendingHead[cpu];
        int head = headRef;
        headRef = NoCookie;

        // The list is newest first; reverse it in place so that it runs oldest first.
        int chronological = NoCookie;
        while (head != NoCookie)
        {
            int next = _next[head];
            _next[head] = chronological;
            chronological = head;
            head = next;
        }

        int processed = 0;
        _replaying = true;
        _replayHead = chronological;
        try
        {
            while (_replayHead != NoCookie)
            {
                int cookie = _replayHead;
                _replayHead = _next[cookie];
                _next[cookie] = NoCookie;
                _deferred[cookie] = false;

                bool keep = handler.Process(cookie, _data[cookie]);
                if (_state[cookie] != TelemetryEntryState.Uncommitted || _deferred[cookie] || _next[cookie] != NoCookie)
                {
                    throw new InvalidOperationException($"the deferred handler must not commit, dismiss or defer entry {cookie} itself");
                }

                // Xen mctelem.c: commit each entry if fn returns non-zero, else dismiss it
                if (keep)
                {
                    Commit(cookie);
                }
                else
                {
                    Dismiss(cookie);
                }

                processed++;
            }
        }
        finally
        {
            _replaying = false;
        }

        AssertInvariants();
        return processed;
    }

    /// <summary>
    /// <c>XEN_MC_fetch</c> without ACK (<c>mctelem_consume_oldest_begin/end</c>): moves the class's
    /// committed list onto the tail of its processing list in chronological order and returns the
    /// OLDEST processing entry, which stays at the head until acknowledged, so repeated fetches
    /// return the same cookie. <see cref="FetchResult.NoData"/> and <see cref="NoCookie"/> when empty.
    /// </summary>
    public FetchResult Fetch(TelemetryClass which, out int cookie)
    {
        int cls = ClassIndex(which);
        AppendProcessing(cls);

        // Xen mctelem.c (do_mca XEN_MC_fetch): copy out the oldest processing entry; it stays at the head until acked
        cookie = _processingHead[cls];
        AssertInvariants();
        return cookie == NoCookie ? FetchResult.NoData : FetchResult.Ok;
    }

    /// <summary>
    /// <c>XEN_MC_fetch</c> with ACK (<c>mctelem_ack</c>): frees the entry only if it is at the head of
    /// <paramref name="which"/>'s processing list. Returns whether it was freed; a NULL cookie is ignored.
    /// </summary>
    public bool Ack(TelemetryClass which, int cookie)
    {
        int cls = ClassIndex(which);
        if (cookie == NoCookie)
        {
            return false;
        }

        CheckCookie(cookie);

        // Xen mctelem.c (do_mca XEN_MC_fetch with ACK): freed only if it is at the head of that class's processing list
        if (_processingHead[cls] != cookie)
        {
            return false;
        }

        Debug.Assert(_state[cookie] == TelemetryEntryState.Processing, "processing-list members are PROCESSING");
        _processingHead[cls] = _next[cookie];
        if (_processingHead[cls] == NoCookie)
        {
            _processingTail[cls] = NoCookie;
        }

        Free(cookie);
        AssertInvariants();
        return true;
    }

    /// <summary>Entries on the class's committed list (not yet moved by a fetch).</summary>
    public int CommittedCount(TelemetryClass which) => CountList(_committedHead[ClassIndex(which)]);

    /// <summary>Entries on the class's processing list (fetched at least once, not acknowledged).</summary>
    public int ProcessingCount(TelemetryClass which) => CountList(_processingHead[ClassIndex(which)]);

    /// <summary>Entries on <paramref name="cpu"/>'s pending (or LMCE pending) list.</summary>
    public int DeferredCount(int cpu, bool lmce)
    {
        CheckCpu(cpu);
        return CountList(lmce ? _lmcePendingHead[cpu] : _pendingHead[cpu]);
    }

    /// <summary>
    /// Decodes the <c>flags</c> of an <c>XEN_MC_fetch</c> request: exactly one of XEN_MC_URGENT or
    /// XEN_MC_NONURGENT, optionally XEN_MC_ACK. False is Xen's -EINVAL ("bad cmdflags").
    /// </summary>
    public static bool TryDecodeFetchFlags(uint flags, out TelemetryClass which, out bool ack)
    {
        ack = (flags & XenMcAck) != 0;

        // Xen mce.c do_mca XEN_MC_fetch: flags must be exactly one of XEN_MC_URGENT 0x2 or XEN_MC_NONURGENT 0x1
        switch (flags & (XenMcUrgent | XenMcNonUrgent))
        {
            case XenMcUrgent:
                which = TelemetryClass.Urgent;
                return true;
            case XenMcNonUrgent:
                which = TelemetryClass.NonUrgent;
                return true;
            default:
                which = default;
                return false;
        }
    }

    /// <summary>Checks every structural invariant; returns a description of the first violation, or null. For tests.</summary>
    internal string? FindInvariantViolation()
    {
        Span<int> seen = stackalloc int[EntryCount];
        seen.Clear();

        for (int cls = 0; cls < 2; cls++)
        {
            string? error = WalkList(_committedHead[cls], seen, TelemetryEntryState.Committed, deferred: false, (TelemetryClass)cls, "committed");
            error ??= WalkList(_processingHead[cls], seen, TelemetryEntryState.Processing, deferred: false, (TelemetryClass)cls, "processing");
            if (error != null)
            {
                return error;
            }

            int tail = _processingTail[cls];
            if ((_processingHead[cls] == NoCookie) != (tail == NoCookie) || (tail != NoCookie && _next[tail] != NoCookie))
            {
                return $"processing tail of class {cls} is inconsistent";
            }
        }

        string? replayError = WalkList(_replayHead, seen, TelemetryEntryState.Uncommitted, deferred: true, null, "replay");
        if (replayError != null)
        {
            return replayError;
        }

        for (int cpu = 0; cpu < _cpuCount; cpu++)
        {
            if (_pendingHead[cpu] != NoCookie && _lmcePendingHead[cpu] != NoCookie)
            {
                return $"cpu {cpu} has both pending and lmce_pending entries";
            }

            string? error = WalkList(_pendingHead[cpu], seen, TelemetryEntryState.Uncommitted, deferred: true, null, "pending");
            error ??= WalkList(_lmcePendingHead[cpu], seen, TelemetryEntryState.Uncommitted, deferred: true, null, "lmce_pending");
            if (error != null)
            {
                return error;
            }
        }

        for (int i = 0; i < EntryCount; i++)
        {
            bool free = (_freeMask & (1UL << i)) != 0;
            if (free != (_state[i] == TelemetryEntryState.Free))
            {
                return $"entry {i}: free bit and state {_state[i]} disagree";
            }

            bool onList = seen[i] != 0;
            bool shouldBeOnList = _state[i] is TelemetryEntryState.Committed or TelemetryEntryState.Processing || _deferred[i];
            if (onList != shouldBeOnList)
            {
                return $"entry {i} ({_state[i]}, deferred {_deferred[i]}) list membership is wrong";
            }

            if (!onList && _next[i] != NoCookie)
            {
                return $"entry {i} is on no list but has a link";
            }
        }

        return null;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        string? violation = FindInvariantViolation();
        Debug.Assert(violation == null, violation);
    }

    private string? WalkList(int head, Span<int> seen, TelemetryEntryState state, bool deferred, TelemetryClass? cls, string name)
    {
        int steps = 0;
        for (int i = head; i != NoCookie; i = _next[i])
        {
            if ((uint)i >= EntryCount || ++steps > EntryCount)
            {
                return $"{name} list is corrupt";
            }

            if (seen[i]++ != 0)
            {
                return $"entry {i} is on two lists";
            }

            if (_state[i] != state || _deferred[i] != deferred || (cls != null && _class[i] != cls))
            {
                return $"entry {i} on the {name} list has state {_state[i]}, deferred {_deferred[i]}, class {_class[i]}";
            }
        }

        return null;
    }

    private void AppendProcessing(int cls)
    {
        // Xen mctelem.c (do_mca XEN_MC_fetch): move the committed list onto the tail of the processing list, in chronological order
        int head = _committedHead[cls];
        if (head == NoCookie)
        {
            return;
        }

        _committedHead[cls] = NoCookie;
        int oldestFirst = NoCookie;
        int newest = head;
        while (head != NoCookie)
        {
            int next = _next[head];
            _state[head] = TelemetryEntryState.Processing;
            _next[head] = oldestFirst;
            oldestFirst = head;
            head = next;
        }

        if (_processingHead[cls] == NoCookie)
        {
            _processingHead[cls] = oldestFirst;
        }
        else
        {
            _next[_processingTail[cls]] = oldestFirst;
        }

        _processingTail[cls] = newest;
    }

    private void Push(ref int head, int cookie)
    {
        _next[cookie] = head;
        head = cookie;
    }

    private void Free(int cookie)
    {
        _state[cookie] = TelemetryEntryState.Free;
        _deferred[cookie] = false;
        _next[cookie] = NoCookie;
        _freeMask |= 1UL << cookie;
    }

    private int CountList(int head)
    {
        int count = 0;
        for (int i = head; i != NoCookie && count <= EntryCount; i = _next[i])
        {
            count++;
        }

        return count;
    }

    private void RequireUnlinkedUncommitted(int cookie, string operation)
    {
        CheckCookie(cookie);
        if (_state[cookie] != TelemetryEntryState.Uncommitted || _deferred[cookie])
        {
            throw new InvalidOperationException(
                $"cannot {operation} telemetry entry {cookie}: it is {(_deferred[cookie] ? "deferred" : _state[cookie].ToString())}, expected a reserved (UNCOMMITTED) entry on no list");
        }
    }

    private static int ClassIndex(TelemetryClass which) => which switch
    {
        TelemetryClass.Urgent => 0,
        TelemetryClass.NonUrgent => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(which), which, "expected Urgent or NonUrgent"),
    };

    private static void CheckCookie(int cookie)
    {
        if ((uint)cookie >= EntryCount)
        {
            throw new ArgumentOutOfRangeException(nameof(cookie), cookie, "expected a telemetry cookie 0..29");
        }
    }

    private void CheckCpu(int cpu)
    {
        if ((uint)cpu >= (uint)_cpuCount)
        {
            throw new ArgumentOutOfRangeException(nameof(cpu), cpu, $"expected a pCPU 0..{_cpuCount - 1}");
        }
    }
}
