using System.Globalization;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Model;
using Mca.Systems.Scenario;

namespace Mca.Workloads.XenMceInj;

/// <summary>The options of xen-mceinj (Xen tools/misc/xen-mceinj.c).</summary>
public sealed record XenMceInjOptions
{
    /// <summary>DOMID_XEN: the default target, meaning the address is host-physical.</summary>
    public const int DomIdXen = 0x7FF2;

    public int Type { get; init; }
    public int Cpu { get; init; }
    public int Domain { get; init; } = DomIdXen;
    public ulong Page { get; init; } = 0x180020;
    public bool Lmce { get; init; }
    /// <summary>The error table <see cref="Type"/> indexes: the current one by default.</summary>
    public XenMceInjTable Table { get; init; } = XenMceInjTable.Current;
}

/// <summary>A bad xen-mceinj request: the message is the one line the CLI prints.</summary>
public sealed class XenMceInjException(string message) : Exception(message);

/// <summary>
/// Runs xen-mceinj against a machine: validates the options as the tool and the hypervisor do,
/// translates a guest address to a machine address (XEN_MC_msrinject with GPADDR), interposes the
/// table's MSRs on the target CPU, triggers #MC, CMCI or LMCE, and runs the machine.
/// </summary>
public static class XenMceInjRunner
{
    public static ScenarioReport Run(MachineSpec spec, HandlerPolicy policy, XenMceInjOptions options, ulong seed = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(policy);
        var (injection, preamble) = Prepare(spec, policy, options);
        return ScenarioRunner.Run(spec, policy, [injection], seed, preamble);
    }

    /// <summary>The injection and the console lines the injection path prints before the #MC.</summary>
    public static (ErrorInjection Injection, IReadOnlyList<string> Console) Prepare(MachineSpec spec, HandlerPolicy policy, XenMceInjOptions options)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        var rows = XenMceInjType.TableOf(options.Table);
        var row = rows.FirstOrDefault(t => t.Type == options.Type)
            ?? throw new XenMceInjException($"type {options.Type} is not in the error table: expected 0..{rows.Count - 1}{(options.Table == XenMceInjTable.Original2010 ? " (the 2010 table)" : "")}");
        if (options.Cpu < 0 || options.Cpu >= spec.CpuCount)
        {
            throw new XenMceInjException($"cpu {options.Cpu} is not online: expected 0..{spec.CpuCount - 1}");
        }

        if (row.Bank >= spec.BankCount)
        {
            throw new XenMceInjException($"type {row.Type} uses bank {row.Bank}, but the machine has {spec.BankCount} banks");
        }

        Signal signal = row.Signal;
        if (options.Lmce)
        {
            // XEN_MC_inject_v2 with XEN_MC_INJECT_TYPE_LMCE (Xen tools/misc/xen-mceinj.c).
            if (signal == Signal.Cmci)
            {
                throw new XenMceInjException($"type {row.Type} ({row.Name}) is a CMCI type and cannot be sent as LMCE");
            }

            // lmce_support is set only when the hypervisor enabled LMCE on an LMCE_P host (Xen mce_intel.c intel_init_lmce, mce.c do_mca).
            if (!spec.LmceSupported || !policy.LmceEnabled)
            {
                throw new XenMceInjException("No LMCE support");
            }

            signal = Signal.Lmce;
        }

        ulong addr = options.Page;
        var console = new List<string>();
        if (options.Domain != XenMceInjOptions.DomIdXen)
        {
            var dom = spec.DomainById(options.Domain)
                ?? throw new XenMceInjException($"domain {options.Domain} does not exist: expected one of {string.Join(", ", spec.Domains.Select(d => d.DomId))}");
            ulong maxGpa = (ulong)dom.FrameCount << MemoryMap.PageShift;
            if (addr >= maxGpa)
            {
                throw new XenMceInjException(string.Create(CultureInfo.InvariantCulture, $"Fail: gaddr exceeds max_gpa (0x{addr:x} >= 0x{maxGpa:x})"));
            }

            long mfn = spec.Memory.MfnOf(dom.DomId, (long)(addr >> MemoryMap.PageShift));
            addr = ((ulong)mfn << MemoryMap.PageShift) | (addr & 0xFFF);
        }

        ulong mcg = row.McgStatus | (signal == Signal.Lmce ? McgStatusBits.Lmce : 0);
        int c = options.Cpu;
        string Inject(uint msr, ulong value) => string.Create(CultureInfo.InvariantCulture, $"HV MSR INJECT (interpose) target {c} actual {c} MSR 0x{msr:x} <-- 0x{value:x}");
        console.Add(Inject(McaMsr.McgStatus, mcg));
        console.Add(Inject(McaMsr.Status(row.Bank), row.Status));
        console.Add(Inject(McaMsr.Misc(row.Bank), row.Misc));
        console.Add(Inject(McaMsr.Addr(row.Bank), addr));
        if (signal == Signal.Mce)
        {
            // XEN_MC_mceinject: int $0x12 on every CPU when the hypervisor broadcasts it on a broadcast host, else on the target only (Xen mce.c do_mca).
            bool everyCpu = spec.Broadcast && policy.MceInjectBroadcast;
            for (int cpu = 0; cpu < spec.CpuCount; cpu++)
            {
                if (everyCpu || cpu == c)
                {
                    console.Add(string.Create(CultureInfo.InvariantCulture, $"Simulating #MC on cpu {cpu}"));
                }
            }
        }

        var injection = new ErrorInjection
        {
            TimeNs = MachineSpec.NsPerSecond,
            Cpu = c,
            BankIndex = row.Bank,
            Status = row.Status,
            Addr = addr,
            Misc = row.Misc,
            McgStatus = mcg,
            Signal = signal,
            Interposed = true,
            Count = 1,
            Context = GuestContext.User,
        };
        return (injection, console);
    }
}
