using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;

namespace Mca.Bench.Tests.Baselines;

/// <summary>
/// One random scenario for one machine, drawn from <see cref="CounterRng"/> keyed by (seed, scenario):
/// 1 to 14 errors of every kind (corrected bursts, UCNA, SRAO, SRAR, PCC, random bit mixes), on random
/// CPUs and banks, at times that range from the same instant to hours apart (so #MCs overlap, pools fill
/// before dom0 fetches, errors land during a reboot and domains restart), real or interposed, signalled
/// by the hardware rules or explicitly, on frames of every owner (including repeats of one page).
/// </summary>
internal static class RandomScenario
{
    private const ulong Purpose = 0x4551_5549_5653_434E; // "EQUIVSCN"

    private static readonly int[] CorrectedCodes = [0x9F, 0x151, 0x17A, 0xC0, 0x134, 0x1090];
    private static readonly int[] SraoCodes = [0xC0, 0xC3, 0xCF, 0x17A, 0x136];
    private static readonly int[] SrarCodes = [0x134, 0x150, 0x136];
    private static readonly int[] AnyCodes = [0x9F, 0x134, 0x150, 0x17A, 0xC0, 0xC5, 0x136, 0x400, 0x1090, 0x0];

    public static List<ErrorInjection> Generate(ulong seed, int scenario, MachineSpec spec)
    {
        var rng = CounterRng.Create(seed, (ulong)scenario, Purpose);
        int count = 1 + rng.NextInt(14);
        // A few pages per scenario are reused, so pages break twice and domains see recursive errors.
        Span<long> pagePool = stackalloc long[3];
        for (int i = 0; i < pagePool.Length; i++)
        {
            pagePool[i] = Frame(ref rng, spec);
        }

        var errors = new List<ErrorInjection>(count);
        long t = (1 + rng.NextLong(30)) * MachineSpec.NsPerSecond;
        for (int i = 0; i < count; i++)
        {
            t += rng.NextInt(10) switch
            {
                < 2 => 0,
                < 4 => rng.NextLong(2_000_000),
                < 7 => rng.NextLong(20 * MachineSpec.NsPerSecond),
                < 9 => rng.NextLong(400 * MachineSpec.NsPerSecond),
                _ => rng.NextLong(7200 * MachineSpec.NsPerSecond),
            };
            errors.Add(Error(ref rng, spec, t, pagePool));
        }

        return errors;
    }

    private static ErrorInjection Error(ref CounterRng rng, MachineSpec spec, long timeNs, ReadOnlySpan<long> pagePool)
    {
        const ulong Val = MciStatusBits.Val;
        const ulong Logged = MciStatusBits.En | MciStatusBits.MiscV | MciStatusBits.AddrV;
        int kind = rng.NextInt(100);
        int bank = rng.NextInt(3) == 0 ? rng.NextInt(spec.BankCount) : (rng.NextInt(2) == 0 ? 8 : 7);
        ulong status;
        long count = 1;
        ulong mcg = rng.NextInt(4) switch
        {
            0 => 0,
            1 => McgStatusBits.Ripv,
            2 => McgStatusBits.Eipv,
            _ => McgStatusBits.Ripv | McgStatusBits.Eipv,
        };
        if (kind < 30)
        {
            status = Val | Logged | ((ulong)rng.NextInt(4) << MciStatusBits.ThresholdShift) | (uint)Pick(ref rng, CorrectedCodes);
            count = rng.NextInt(3) == 0 ? 1 : 1 + rng.NextLong(40);
        }
        else if (kind < 42)
        {
            status = Val | MciStatusBits.Uc | Logged | (uint)Pick(ref rng, AnyCodes);
        }
        else if (kind < 62)
        {
            status = Val | MciStatusBits.Uc | Logged | MciStatusBits.S | (uint)Pick(ref rng, SraoCodes);
        }
        else if (kind < 77)
        {
            status = Val | MciStatusBits.Uc | Logged | MciStatusBits.S | MciStatusBits.Ar | (uint)Pick(ref rng, SrarCodes);
        }
        else if (kind < 84)
        {
            status = Val | MciStatusBits.Uc | Logged | MciStatusBits.Pcc | 0x400UL;
        }
        else
        {
            // Any mix of the architectural bits, so unusual combinations (OVER, EN = 0, AR without S) occur.
            status = Val | (rng.NextUInt64() & 0x7F80_0000_0000_0000UL) | (uint)Pick(ref rng, AnyCodes);
            count = (status & MciStatusBits.Uc) == 0 && rng.NextInt(2) == 0 ? 1 + rng.NextLong(10) : 1;
        }

        long frame = rng.NextInt(4) == 0 ? pagePool[rng.NextInt(pagePool.Length)] : Frame(ref rng, spec);
        ulong addr = ((ulong)frame << MemoryMap.PageShift) | (uint)rng.NextInt(4096);
        ulong misc = rng.NextInt(8) switch
        {
            0 => 0,
            1 => (ulong)rng.NextInt(512),
            _ => 0x86,
        };
        bool interposed = rng.NextInt(10) == 0;
        if (interposed && rng.NextInt(10) == 0)
        {
            status &= ~MciStatusBits.Val;
        }

        bool auto = rng.NextInt(5) != 0;
        var signal = auto ? Signal.None : (Signal)rng.NextInt(4);
        if (interposed && auto)
        {
            // xen-mceinj always names its trigger.
            auto = false;
            signal = (Signal)(1 + rng.NextInt(3));
        }

        int runningDomain = rng.NextInt(spec.Domains.Count);
        return new ErrorInjection
        {
            TimeNs = timeNs,
            Cpu = rng.NextInt(spec.CpuCount),
            BankIndex = bank,
            Status = status,
            Addr = addr,
            Misc = misc,
            McgStatus = mcg,
            Signal = signal,
            AutoSignal = auto,
            Interposed = interposed,
            Count = count,
            Context = (GuestContext)rng.NextInt(3),
            InGuest = rng.NextInt(3) != 0,
            RunningDomain = (short)spec.Domains[runningDomain].DomId,
            RunningVcpu = (short)rng.NextInt(spec.Domains[runningDomain].VcpuCount),
        };
    }

    /// <summary>A frame of every kind of owner: Xen-fixed, Xen heap, free, dom0, domU, beyond RAM.</summary>
    private static long Frame(ref CounterRng rng, MachineSpec spec)
    {
        var memory = spec.Memory;
        return rng.NextInt(8) switch
        {
            0 => rng.NextLong(memory.XenFixedFrames),
            1 => memory.XenFixedFrames + rng.NextLong(memory.XenHeapEnd - memory.XenFixedFrames),
            2 => memory.TotalFrames + rng.NextLong(1024),
            3 => rng.NextLong(memory.TotalFrames),
            _ => Owned(ref rng, spec),
        };
    }

    private static long Owned(ref CounterRng rng, MachineSpec spec)
    {
        var d = spec.Domains[rng.NextInt(spec.Domains.Count)];
        return d.MfnBase + rng.NextLong(d.FrameCount);
    }

    private static int Pick(ref CounterRng rng, int[] values) => values[rng.NextInt(values.Length)];
}
