using System.Globalization;
using Mca.Systems.Components;
using Mca.Systems.Events;
using Mca.Systems.Linux;
using Mca.Systems.Xen;

namespace Mca.Systems.Engine;

/// <summary>
/// The batch's telemetry: one mctelem pool per machine that has records in flight, taken from a
/// free list on the first reservation and returned when every entry is free again, so a fleet of
/// mostly idle machines holds only a handful of pools. Also the single place where records turn
/// into console dumps, dom0 mcelog lines and loss events.
/// </summary>
internal sealed class TelemetryStore
{
    private readonly MachineBatch _batch;
    private readonly McTelemetry?[] _pools;
    private const int FreePoolsMax = 8;
    private const int SharedPoolsMax = 4096;
    /// <summary>Reset pools any batch may take (their contents are cleared, so reuse cannot leak state).</summary>
    private static readonly Stack<McTelemetry> SharedFree = new();
    private readonly Stack<McTelemetry> _free = new();

    internal TelemetryStore(MachineBatch batch)
    {
        _batch = batch;
        _pools = new McTelemetry?[batch.MachineCount];
    }

    /// <summary>Entries dropped because the pool was exhausted, over the whole batch.</summary>
    public long DropCount { get; private set; }

    /// <summary>Pools currently held by machines (for memory accounting).</summary>
    public int PoolsInUse { get; private set; }

    /// <summary>Whether every telemetry entry of the machine is free (nothing reserved, committed or being fetched).</summary>
    public bool IsIdle(int machine) => _pools[machine] is null || _pools[machine]!.FreeCount == McTelemetry.EntryCount;

    /// <summary>mctelem_reserve: a cookie, or -1 when the class has no free entry (the drop is counted).</summary>
    public int Reserve(int machine, bool urgent)
    {
        var pool = PoolOf(machine);
        int cookie = pool.Reserve(urgent ? TelemetryClass.Urgent : TelemetryClass.NonUrgent);
        if (cookie < 0)
        {
            DropCount++;
            Release(machine);
        }

        return cookie;
    }

    /// <summary>Fills the global record: flags from the logout, MCG_STATUS, the detecting CPU, the running vCPU.</summary>
    public void SetGlobal(int machine, int cookie, int cpu, ulong mcgStatus, in CpuState c)
    {
        var info = Data(machine, cookie);
        var g = McGlobal.Create(0, mcgStatus, cpu, _batch.Machines[machine].NowNs);
        g.SocketId = c.Socket;
        g.CoreId = c.Core;
        g.ThreadId = c.Thread;
        g.ApicId = (uint)c.ApicId;
        g.DomId = c.RunningDomain >= 0 ? (ushort)c.RunningDomain : XenIds.DomIdXen;
        g.VcpuId = c.RunningVcpu >= 0 ? (ushort)c.RunningVcpu : XenIds.VcpuIdInvalid;
        info.SetGlobal(in g);
    }

    /// <summary>Appends a bank record (status; misc if MISCV; addr if ADDRV) and ORs the global flags.</summary>
    public void AddBank(int machine, int cookie, int bank, ulong status, ulong addr, ulong misc, ulong ctl2, int domId, bool cmci = false)
    {
        var info = Data(machine, cookie);
        var record = McBankRecord.FromRegisters(bank, status, addr, misc);
        record.DomId = (ushort)domId;
        record.Ctl2 = ctl2;
        // mc_tsc is filled only for MCA_CMCI_HANDLER records (Xen mce_intel.c cmci_interrupt; source-audit 1).
        record.Tsc = cmci ? (ulong)_batch.Machines[machine].NowNs : 0;
        info.TryAddBank(in record);
    }

    public void Commit(int machine, int cookie, bool urgent)
    {
        var pool = PoolOf(machine);
        _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.TelemetryCommitted) with
        {
            Cpu = (short)pool.Data(cookie).Global.Cpu,
            Arg = urgent ? 0 : 1,
        });
        pool.Commit(cookie);
    }

    public void Dismiss(int machine, int cookie)
    {
        PoolOf(machine).Dismiss(cookie);
        Release(machine);
    }

    /// <summary>Dismisses an uncommitted record that will never reach dom0, counting each bank as lost.</summary>
    public void Lose(int machine, int cookie, LossCause cause)
    {
        EmitLost(machine, PoolOf(machine).Data(cookie), cause);
        Dismiss(machine, cookie);
    }

    /// <summary>A reset: every record not yet acked by dom0 is lost with <paramref name="cause"/>; the pool is freed.</summary>
    public void LoseAll(int machine, LossCause cause)
    {
        var pool = _pools[machine];
        if (pool is null)
        {
            return;
        }

        for (int cookie = 0; cookie < McTelemetry.EntryCount; cookie++)
        {
            if (pool.State(cookie) != TelemetryEntryState.Free)
            {
                EmitLost(machine, pool.Data(cookie), cause);
            }
        }

        pool.Reset(_batch.Spec.CpuCount);
        Release(machine);
    }

    public bool HasCommitted(int machine)
    {
        var pool = _pools[machine];
        return pool is not null
            && (pool.CommittedCount(TelemetryClass.Urgent) + pool.CommittedCount(TelemetryClass.NonUrgent)
                + pool.ProcessingCount(TelemetryClass.Urgent) + pool.ProcessingCount(TelemetryClass.NonUrgent)) > 0;
    }

    /// <summary>XEN_MC_fetch: the oldest record of a class (it stays until acked), or -1 for NODATA.</summary>
    public int Fetch(int machine, bool urgent)
    {
        var pool = _pools[machine];
        if (pool is null)
        {
            return -1;
        }

        return pool.Fetch(urgent ? TelemetryClass.Urgent : TelemetryClass.NonUrgent, out int cookie) == FetchResult.Ok ? cookie : -1;
    }

    public void Ack(int machine, bool urgent, int cookie)
    {
        PoolOf(machine).Ack(urgent ? TelemetryClass.Urgent : TelemetryClass.NonUrgent, cookie);
        Release(machine);
    }

    /// <summary>
    /// Whether dom0's mcelog buffer takes one more record now: under a periodic reader the buffer empties at each
    /// multiple of the period on the wall clock and holds <see cref="Model.HandlerPolicy.Dom0BufferRecords"/> in between
    /// (Linux drivers/xen/mcelog.c xen_mce_log: XEN_MCE_OVERFLOW past it); a reader that reads as records come never fills it.
    /// </summary>
    private bool Dom0BufferTakes(int machine)
    {
        long period = _batch.Policy.Dom0ReadPeriodNs;
        if (period <= 0)
        {
            return true;
        }

        ref var m = ref _batch.Machines[machine];
        long now = m.NowNs / period;
        if (now != m.Dom0BufferPeriod)
        {
            m.Dom0BufferPeriod = now;
            m.Dom0BufferCount = 0;
        }

        if (m.Dom0BufferCount >= Model.HandlerPolicy.Dom0BufferRecords)
        {
            return false;
        }

        m.Dom0BufferCount++;
        return true;
    }

    /// <summary>Dom0 turns a fetched record into mcelog records, one per bank (Linux drivers/xen/mcelog.c convert_log).</summary>
    public void LogToDom0(int machine, int cookie)
    {
        var info = PoolOf(machine).Data(cookie);
        ref var g = ref info.Global;
        var trace = _batch.Trace;
        var spec = _batch.Spec;
        foreach (ref var b in info.Banks)
        {
            if (!Dom0BufferTakes(machine))
            {
                _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.LogLost) with
                {
                    Cpu = (short)g.Cpu,
                    Bank = (short)b.Bank,
                    Status = b.Status,
                    Arg = (long)LossCause.Dom0Buffer,
                });
                continue;
            }

            _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.Dom0Logged) with
            {
                Cpu = (short)g.Cpu,
                Bank = (short)b.Bank,
                Domain = (short)(b.DomId < XenIds.DomIdFirstReserved ? b.DomId : -1),
                Status = b.Status,
                Addr = b.Addr,
                Misc = b.Misc,
            });
            _batch.Daemon.OnRecord(machine, b.Status, b.Addr, (int)g.SocketId);
            if (trace.Enabled)
            {
                // convert_log never sets m.time (Linux drivers/xen/mcelog.c): no TIME line.
                var input = new McelogInput(g.Cpu, b.Bank, b.Status, g.McgStatus, b.Addr, b.Misc, spec.McgCap, (int)g.ApicId, (int)g.SocketId, b.Tsc, 0, 0, 0);
                foreach (string line in Mcelog.Format(in input).TrimEnd('\n').Split('\n'))
                {
                    trace.Mcelog(line);
                }
            }
        }
    }

    /// <summary>x86_mcinfo_dump of a record to the Xen console (only when tracing).</summary>
    public void TraceDump(int machine, int cookie)
    {
        if (!_batch.Trace.Enabled)
        {
            return;
        }

        XenConsole.McinfoDump(PoolOf(machine).Data(cookie), _batch.Trace.XenSink!);
    }

    public int BankCount(int machine, int cookie) => Data(machine, cookie).BankCount;

    public void GetBank(int machine, int cookie, int slot, out int bankIndex, out ulong status, out ulong addr, out ulong misc)
    {
        ref var b = ref Data(machine, cookie).Bank(slot);
        bankIndex = b.Bank;
        status = b.Status;
        addr = b.Addr;
        misc = b.Misc;
    }

    public void SetBankDomain(int machine, int cookie, int slot, int domId) => Data(machine, cookie).Bank(slot).DomId = (ushort)domId;

    public void SetBankAddr(int machine, int cookie, int slot, ulong addr) => Data(machine, cookie).Bank(slot).Addr = addr;

    /// <summary>Appends the MC_TYPE_RECOVERY record of a page offline (Xen mcaction.c mc_memerr_dhandler).</summary>
    public void AddRecovery(int machine, int cookie, int bankIndex, long mfn, ulong offlineStatus) =>
        Data(machine, cookie).TryAddRecovery(McRecoveryRecord.PageOffline((ushort)bankIndex, (ulong)mfn, offlineStatus));

    /// <summary>mce_urgent_action's table over a CPU's records: RESET makes the CPU fatal.</summary>
    public bool UrgentResultIsReset(int machine, int cookie, bool ser) =>
        UrgentTable.Run(Data(machine, cookie).Banks, ser) == McerResult.Reset;

    /// <summary>The deferred handler table over a record's banks (Xen mce.c mce_action; mce_intel.c intel_mce_dhandlers), with the pipeline's memory handler.</summary>
    public McerResult RunDeferredTable<THandler>(int machine, int cookie, bool ser, ref THandler handler)
        where THandler : struct, IMemoryErrorHandler =>
        DeferredTable.Run(Data(machine, cookie).Banks, ser, ref handler);

    /// <summary>The RFC's "no recovery method" test over a record: every bank has one (<see cref="IntelMca.HasRecoveryMethod"/>).</summary>
    public bool HasRecoveryMethod(int machine, int cookie, bool ser)
    {
        foreach (ref var b in Data(machine, cookie).Banks)
        {
            if (!IntelMca.HasRecoveryMethod(b.Status, b.Misc, ser))
            {
                return false;
            }
        }

        return true;
    }


    /// <summary>The payload of a live entry.</summary>
    public McInfo Data(int machine, int cookie) => PoolOf(machine).Data(cookie);

    private void EmitLost(int machine, McInfo info, LossCause cause)
    {
        foreach (ref var b in info.Banks)
        {
            _batch.Emit(_batch.NewEvent(machine, HandlerEventKind.LogLost) with
            {
                Cpu = (short)info.Global.Cpu,
                Bank = (short)b.Bank,
                Status = b.Status,
                Arg = (long)cause,
            });
        }
    }

    private McTelemetry PoolOf(int machine)
    {
        var pool = _pools[machine];
        if (pool is null)
        {
            // A reused pool is reset here, once, for this machine's CPU count (a shared one may come from another spec).
            if (_free.TryPop(out pool) || TryTakeShared(out pool))
            {
                pool.Reset(_batch.Spec.CpuCount);
            }
            else
            {
                pool = new McTelemetry(_batch.Spec.CpuCount);
            }

            _pools[machine] = pool;
            PoolsInUse++;
        }

        return pool;
    }

    private static bool TryTakeShared(out McTelemetry pool)
    {
        lock (SharedFree)
        {
            return SharedFree.TryPop(out pool!);
        }
    }

    /// <summary>Returns a machine's pool to the free list once every entry is free.</summary>
    private void Release(int machine)
    {
        var pool = _pools[machine];
        if (pool is not null && pool.FreeCount == McTelemetry.EntryCount)
        {
            _pools[machine] = null;
            PoolsInUse--;
            // Keep a few for this batch; a burst's extra pools go to the process-wide stack that every
            // batch draws on, so memory follows what is in use at once, not the sum of each batch's peak.
            if (_free.Count < FreePoolsMax)
            {
                _free.Push(pool);
            }
            else
            {
                lock (SharedFree)
                {
                    if (SharedFree.Count < SharedPoolsMax)
                    {
                        SharedFree.Push(pool);
                    }
                }
            }
        }
    }

    internal static string Hex(ulong v) => v.ToString("x", CultureInfo.InvariantCulture);
}
