using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Xen;

namespace Mca.Systems.Pipeline;

/// <summary>What one CPU's logout found (mcheck_mca_logout's summary, Xen mce.c).</summary>
internal struct LogoutSummary
{
    public int Cookie;
    public int Found;
    public bool Uc;
    public bool Pcc;
    public bool Recoverable;
    /// <summary>Bank indices marked for clearing after an MCE_SCAN logout.</summary>
    public ulong ClearMask;
}

/// <summary>
/// mcheck_mca_logout (Xen mce.c): one CPU reads the banks of a mask through
/// mca_rdmsr (its interposed values first), reserves telemetry on the first valid bank, records
/// every valid bank, and clears per need_clearbank_scan, at once for non-#MC sources.
/// </summary>
internal static class McaLogout
{
    public static LogoutSummary Run(MachineBatch batch, int machine, int cpu, LogoutSource who, ulong bankMask, bool clearAll = false)
    {
        var spec = batch.Spec;
        bool ser = spec.Ser;
        var cpus = batch.CpusOf(machine);
        var banks = batch.BanksOf(machine);
        ref readonly var c = ref cpus[cpu];
        var summary = new LogoutSummary { Cookie = -1, Recoverable = true };
        ulong mcg = ReadMcgStatus(in c);
        bool urgent = who == LogoutSource.MceScan;

        for (int b = spec.FirstBank; b < spec.BankCount; b++)
        {
            if ((bankMask & (1UL << b)) == 0)
            {
                continue;
            }

            int row = spec.BankInstanceOf(cpu, b);
            ref readonly var bank = ref banks[row];
            ReadBank(in bank, cpu, out ulong status, out ulong addr, out ulong misc);
            if ((status & MciStatusBits.Val) == 0)
            {
                continue;
            }

            bool clear = clearAll || IntelMca.NeedClearBank(who, status, ser);
            summary.Found++;
            if (summary.Found == 1)
            {
                summary.Cookie = batch.Telemetry.Reserve(machine, urgent);
                if (summary.Cookie >= 0)
                {
                    batch.Telemetry.SetGlobal(machine, summary.Cookie, cpu, mcg, in c);
                }
            }

            if ((status & MciStatusBits.Uc) != 0)
            {
                summary.Uc = true;
                summary.Recoverable &= IntelMca.RecoverableScan(status, ser);
            }

            summary.Pcc |= (status & MciStatusBits.Pcc) != 0;

            var e = batch.NewEvent(machine, who == LogoutSource.MceScan ? HandlerEventKind.BankOwned : HandlerEventKind.PollFound) with
            {
                Cpu = (short)cpu,
                Bank = (short)b,
                Status = status,
                Addr = addr,
                Misc = misc,
                Arg = (long)who,
            };
            batch.Emit(e);

            if (summary.Cookie >= 0)
            {
                // mca_init_bank: for poller/CMCI records, the owner of a physical frame is a log hint (Xen mce.c).
                int domId = XenIds.DomIdInvalid;
                if (who is LogoutSource.Poller or LogoutSource.Cmci && IsPhysical(status, misc))
                {
                    var owner = spec.Memory.OwnerOf((long)(addr >> MemoryMap.PageShift));
                    if (owner.Kind == FrameOwnerKind.Domain)
                    {
                        domId = owner.DomId;
                    }
                }

                batch.Telemetry.AddBank(machine, summary.Cookie, b, status, addr, misc, bank.Ctl2, domId, cmci: who == LogoutSource.Cmci);
            }
            else
            {
                batch.Emit(batch.NewEvent(machine, HandlerEventKind.LogLost) with
                {
                    Cpu = (short)cpu,
                    Bank = (short)b,
                    Status = status,
                    Arg = (long)LossCause.PoolExhausted,
                });
            }

            if (clear)
            {
                if (who == LogoutSource.MceScan && !clearAll)
                {
                    summary.ClearMask |= 1UL << b;
                }
                else
                {
                    ClearBank(ref batch.BankForWrite(machine, row), cpu);
                }
            }
        }

        if (summary.Cookie >= 0)
        {
            // MC_FLAG_UNCORRECTABLE if any PCC, else RECOVERABLE if any UC, else CORRECTABLE, OR the source (Xen mce.c mcheck_mca_logout).
            McFlags severity = summary.Pcc ? McFlags.Uncorrectable : summary.Uc ? McFlags.Recoverable : McFlags.Correctable;
            batch.Telemetry.Data(machine, summary.Cookie).Global.Flags = McaSummary.SourceFlag(who) | severity;
        }

        return summary;
    }

    /// <summary>Clears the banks an MCE_SCAN logout marked (Xen mce.c mcheck_cmn_handler: right after logout, under the lock).</summary>
    public static void ClearMarked(MachineBatch batch, int machine, int cpu, ulong bankMask)
    {
        for (int b = 0; bankMask != 0; b++, bankMask >>= 1)
        {
            if ((bankMask & 1) != 0)
            {
                int row = batch.Spec.BankInstanceOf(cpu, b);
                ClearBank(ref batch.BankForWrite(machine, row), cpu);
            }
        }
    }

    /// <summary>
    /// mca_wrmsr of 0 to STATUS: an interposed value for this CPU is deleted (the real register then
    /// shows through); otherwise the real registers are cleared (Xen mce.c mca_wrmsr, intpose table).
    /// </summary>
    public static void ClearBank(ref BankState bank, int cpu)
    {
        if (bank.InterposedCpu == cpu)
        {
            bank.InterposedCpu = -1;
            bank.InterposedStatus = 0;
            bank.InterposedAddr = 0;
            bank.InterposedMisc = 0;
            return;
        }

        bank.Status = 0;
        bank.Addr = 0;
        bank.Misc = 0;
        bank.CorrectedSinceLogout = 0;
    }

    /// <summary>mca_rdmsr of a bank's STATUS/ADDR/MISC as <paramref name="cpu"/> sees them.</summary>
    public static void ReadBank(in BankState bank, int cpu, out ulong status, out ulong addr, out ulong misc)
    {
        if (bank.InterposedCpu == cpu)
        {
            status = bank.InterposedStatus;
            addr = bank.InterposedAddr;
            misc = bank.InterposedMisc;
            return;
        }

        status = bank.Status;
        addr = bank.Addr;
        misc = bank.Misc;
    }

    public static ulong ReadMcgStatus(in CpuState c) => c.McgInterposed ? c.InterposedMcgStatus : c.McgStatus;

    /// <summary>intel_checkaddr: physical only with ADDRV, MISCV and MISC mode 010 (Xen mce_intel.c; Intel SDM vol. 3B 15.3.2.4).</summary>
    public static bool IsPhysical(ulong status, ulong misc) =>
        (status & (MciStatusBits.AddrV | MciStatusBits.MiscV)) == (MciStatusBits.AddrV | MciStatusBits.MiscV)
        && (misc & MciMiscBits.ModeMask) == MciMiscBits.ModePhysical;
}
