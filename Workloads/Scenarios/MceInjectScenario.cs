using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Systems.Model;
using Mca.Workloads.MceInject;

namespace Mca.Workloads.Scenarios;

/// <summary>
/// Turns an mce-inject scenario (andikleen/mce-inject) into hardware errors for the Xen handler. Records
/// are real bank contents (host-physical addresses), not interposed values. Each non-held record,
/// with the HOLD records queued before it, arrives one second after the previous group.
/// Signalling: EXCP, or a UC record without POLL, raises #MC (NOBROADCAST: a local MCE); POLL and
/// non-UC records are left to the hardware rules (CMCI at the bank's threshold, or the poller).
/// A RIP in ring 1-3 means the CPU was running a guest (the page's owner, else dom0), ring 0 Xen.
/// </summary>
public static class MceInjectScenario
{
    public static IReadOnlyList<ErrorInjection> ToInjections(IReadOnlyList<MceRecord> records, MachineSpec spec, string fileName)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(spec);
        var result = new List<ErrorInjection>(records.Count);
        long group = 1;
        foreach (var r in records)
        {
            if (r.Cpu < 0 || r.Cpu >= spec.CpuCount)
            {
                throw new ScenarioException(fileName, r.Line, r.Column, $"a CPU in 0..{spec.CpuCount - 1}", $"CPU {r.Cpu}");
            }

            if (r.Bank < 0 || r.Bank >= spec.BankCount)
            {
                throw new ScenarioException(fileName, r.Line, r.Column, $"a bank in 0..{spec.BankCount - 1}", $"BANK {r.Bank}");
            }

            // A bank holds an error only with MCi_STATUS.VAL set (SDM vol. 3B 15.3.2.2): a record without
            // it would inject nothing, for either handler, so it is refused where it is.
            if ((r.Status & MciStatusBits.Val) == 0)
            {
                throw r.StatusLine > 0
                    ? new ScenarioException(fileName, r.StatusLine, r.StatusColumn, "a STATUS with VAL (bit 63) set", $"status 0x{r.Status:x16} without VAL")
                    : new ScenarioException(fileName, r.Line, r.Column, "a STATUS with VAL (bit 63) set in this record", "no STATUS");
            }

            // RIP's privilege level: ring 0 is Xen itself; rings 1-3 are a guest, taken to be the owner
            // of the error's page (else dom0), as a consuming load would be.
            bool inGuest = (r.Cs & 3) != 0;
            var owner = spec.Memory.OwnerOf((long)(r.Addr >> MemoryMap.PageShift));
            int runningDomain = owner.Kind == FrameOwnerKind.Domain ? owner.DomId : 0;
            bool uc = (r.Status & MciStatusBits.Uc) != 0;
            bool poll = (r.Flags & InjectFlags.Poll) != 0;
            bool excp = (r.Flags & InjectFlags.Excp) != 0 || (uc && !poll);
            Signal signal = !excp ? Signal.None : (r.Flags & InjectFlags.NoBroadcast) != 0 ? Signal.Lmce : Signal.Mce;
            result.Add(new ErrorInjection
            {
                TimeNs = group * MachineSpec.NsPerSecond,
                Cpu = r.Cpu,
                BankIndex = r.Bank,
                Status = r.Status,
                Addr = r.Addr,
                Misc = r.Misc,
                McgStatus = r.McgStatus & ~McgStatusBits.Mcip,
                Signal = signal,
                AutoSignal = !excp,
                Count = 1,
                Context = (r.Cs & 3) == 3 ? GuestContext.User : GuestContext.Kernel,
                InGuest = inGuest,
                RunningDomain = (short)runningDomain,
                RunningVcpu = 0,
            });
            if ((r.Flags & InjectFlags.Hold) == 0)
            {
                group++;
            }
        }

        return result;
    }
}
