using System.Globalization;
using System.Text;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using Mca.Systems.Hardware;
using Mca.Systems.Linux;
using Mca.Systems.Model;
using Mca.Systems.Scenario;
using Mca.Workloads.Campaign;
using Mca.Workloads.Scenarios;

namespace Mca.Replay;

/// <summary>What <see cref="ReplayShrink.Shrink"/> found.</summary>
/// <param name="Machine">The machine shrunk.</param>
/// <param name="Outcome">The outcome kept (a <see cref="MachineTally"/> name).</param>
/// <param name="Policy">The handler policy of the recording, the one the scenario runs under.</param>
/// <param name="InputsBefore">The machine's recorded inputs.</param>
/// <param name="Records">The minimal scenario's records, in order.</param>
/// <param name="Resimulations">One-machine re-simulations taken.</param>
/// <param name="BoundHit">The re-simulation bound stopped the search: the result reproduces the outcome but may not be minimal.</param>
/// <param name="Reproduced">The recorded inputs as a scenario reproduce the outcome at all (false: nothing to shrink).</param>
/// <param name="DefaultMachine">The recording's machine is <see cref="MachineSpec.Default"/>, the one <c>mca run</c> simulates.</param>
public sealed record ShrinkReport(int Machine, string Outcome, string Policy, int InputsBefore, IReadOnlyList<MceRecord> Records, int Resimulations, bool BoundHit, bool Reproduced, bool DefaultMachine)
{
    /// <summary>The minimal scenario in the mce-inject language, with a comment saying where it came from.</summary>
    public string ScenarioText(string replayPath) => ReplayShrink.Format(this, replayPath);
}

/// <summary>
/// <c>mca replay shrink</c>: delta debugging (Zeller's ddmin) over one machine's recorded inputs until no input can
/// be removed without losing an outcome (a reset, a guest panic, a crashed domain, a lost log...), then each
/// remaining record simplified (MISC, then RIP, dropped where the outcome survives). Every step is a one-machine
/// re-simulation of the candidate as an mce-inject scenario, exactly as <c>mca run FILE --policy P</c> runs it, so
/// the scenario written reproduces the outcome under <c>mca run</c> by construction.
/// </summary>
/// <remarks>
/// A scenario has no clock: its records are a second apart in file order (HOLD groups records into one event), so
/// the recorded times are replaced by their order, and a closed-form run of corrected errors (one recorded input)
/// becomes one corrected error. Outcomes that need the recorded timing (a log lost to a reset within the fetch
/// latency, a dom0 buffer filled by a burst) may therefore not reproduce as a scenario; the report says so.
/// </remarks>
public static class ReplayShrink
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The default bound on re-simulations.</summary>
    public const int DefaultMaxResimulations = 5_000;

    public static ShrinkReport Shrink(string path, int machine, string outcome, int maxResimulations = DefaultMaxResimulations, WorkloadCatalog? catalog = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxResimulations, 1);
        if (!MachineTally.Names.Contains(outcome))
        {
            throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "expected one of " + string.Join(", ", MachineTally.Names));
        }

        using var reader = ReplayReader.Open(path);
        var h = reader.Header;
        if (!h.Holds(machine))
        {
            throw new ArgumentOutOfRangeException(nameof(machine), machine, string.Create(Inv, $"{path} holds machines {h.FirstMachineId} to {h.FirstMachineId + (long)h.MachineCount - 1}"));
        }

        var spec = ReplaySession.LoadSpec(reader, catalog);
        var machineSpec = spec.MachineSpec();
        // What `mca run --policy P` runs: the policy by name, dom0's daemon at its default.
        var policy = HandlerPolicy.Parse(h.Policy);
        var records = new List<MceRecord>();
        foreach (var (_, section) in ReplayContent.Machine(reader, machine, catalog, ct))
        {
            foreach (var input in section.Inputs)
            {
                var error = input.Error;
                records.Add(ToRecord(in error));
            }
        }

        int runs = 0;
        bool bound = false;
        bool Test(IReadOnlyList<MceRecord> candidate)
        {
            ct.ThrowIfCancellationRequested();
            runs++;
            return Reproduces(candidate, machineSpec, policy, outcome);
        }

        bool defaultMachine = MachineSpecsEqual(machineSpec, MachineSpec.Default);
        if (records.Count == 0 || !Test(records))
        {
            return new ShrinkReport(machine, outcome, policy.Name, records.Count, records, runs, false, false, defaultMachine);
        }

        var minimal = DeltaDebug(records, Test, () => runs >= maxResimulations, out bound);
        minimal = Simplify(minimal, Test, () => runs >= maxResimulations, ref bound);
        return new ShrinkReport(machine, outcome, policy.Name, records.Count, minimal, runs, bound, true, defaultMachine);
    }

    /// <summary>Whether the records, run as an mce-inject scenario (as <c>mca run</c> runs it), show the outcome.</summary>
    public static bool Reproduces(IReadOnlyList<MceRecord> records, MachineSpec spec, HandlerPolicy policy, string outcome)
    {
        ArgumentNullException.ThrowIfNull(records);
        if (records.Count == 0)
        {
            return false;
        }

        var report = ScenarioRunner.Run(spec, policy, MceInjectScenario.ToInjections(records, spec, "shrink"));
        var tally = default(MachineTally);
        foreach (ref readonly var e in report.Events.ToArray().AsSpan())
        {
            tally.Add(in e);
        }

        return tally.Get(outcome) > 0;
    }

    /// <summary>
    /// ddmin (Zeller and Hildebrandt 2002): split into n chunks, keep a chunk or a complement that still fails, else
    /// double n; ends 1-minimal (no single record can go) unless <paramref name="exhausted"/> stops it first.
    /// </summary>
    internal static List<T> DeltaDebug<T>(List<T> input, Func<IReadOnlyList<T>, bool> test, Func<bool> exhausted, out bool bound)
    {
        var c = input;
        int n = 2;
        bound = false;
        while (c.Count >= 2)
        {
            if (exhausted())
            {
                bound = true;
                break;
            }

            var chunks = Split(c, n);
            bool reduced = false;
            foreach (var chunk in chunks)
            {
                if (exhausted())
                {
                    break;
                }

                if (test(chunk))
                {
                    c = chunk;
                    n = 2;
                    reduced = true;
                    break;
                }
            }

            if (!reduced && n > 2)
            {
                for (int i = 0; i < chunks.Count && !exhausted(); i++)
                {
                    var complement = chunks.Where((_, j) => j != i).SelectMany(x => x).ToList();
                    if (test(complement))
                    {
                        c = complement;
                        n = Math.Max(n - 1, 2);
                        reduced = true;
                        break;
                    }
                }
            }

            if (!reduced)
            {
                if (exhausted())
                {
                    bound = true;
                    break;
                }

                if (n >= c.Count)
                {
                    break;
                }

                n = Math.Min(n * 2, c.Count);
            }
        }

        return c;
    }

    private static List<List<T>> Split<T>(List<T> c, int n)
    {
        var parts = new List<List<T>>(n);
        int start = 0;
        for (int i = 0; i < n; i++)
        {
            int end = (int)((long)(i + 1) * c.Count / n);
            if (end > start)
            {
                parts.Add(c.GetRange(start, end - start));
            }

            start = end;
        }

        return parts;
    }

    /// <summary>Each record made simpler where the outcome survives: MISC cleared, then RIP cleared.</summary>
    private static List<MceRecord> Simplify(List<MceRecord> records, Func<IReadOnlyList<MceRecord>, bool> test, Func<bool> exhausted, ref bool bound)
    {
        var current = new List<MceRecord>(records);
        for (int i = 0; i < current.Count; i++)
        {
            foreach (var simpler in new[] { current[i] with { Misc = 0, Status = current[i].Status & ~MciStatusBits.MiscV }, current[i] with { Ip = 0, Cs = 0 } })
            {
                if (simpler == current[i])
                {
                    continue;
                }

                if (exhausted())
                {
                    bound = true;
                    return current;
                }

                var trial = new List<MceRecord>(current) { [i] = simpler };
                if (test(trial))
                {
                    current = trial;
                }
            }
        }

        return current;
    }

    /// <summary>A recorded input as an mce-inject record that <see cref="MceInjectScenario.ToInjections"/> turns back into it (time aside).</summary>
    public static MceRecord ToRecord(in ErrorInjection e)
    {
        // An error the hardware signals itself (AutoSignal) raises #MC when it is uncorrected and signalling (S or PCC,
        // SDM 15.9.3); otherwise it is left to CMCI or the poller.
        const ulong signalling = MciStatusBits.S | MciStatusBits.Pcc;
        bool signalled = e.Signal != Signal.None || (e.AutoSignal && (e.Status & MciStatusBits.Uc) != 0 && (e.Status & signalling) != 0);
        // mce-inject: EXCP raises #MC (NOBROADCAST: on one CPU, an LMCE); POLL leaves the error to CMCI or the poller.
        var flags = signalled ? InjectFlags.Excp | (e.Signal == Signal.Lmce ? InjectFlags.NoBroadcast : 0) : InjectFlags.Poll;
        // RIP's privilege level: 3 a guest's user space, 1 a guest's kernel, 0 Xen (MceInjectScenario reads it back).
        ushort cs = e.Context == GuestContext.User ? (ushort)0x33 : e.InGuest ? (ushort)0x11 : (ushort)0;
        return new MceRecord
        {
            Cpu = e.Cpu,
            Bank = e.BankIndex,
            Status = e.Status,
            McgStatus = e.McgStatus | (signalled ? McgStatusBits.Mcip : 0),
            Addr = e.Addr,
            Misc = e.Misc,
            Cs = cs,
            Ip = cs == 0 ? 0 : 0x400000UL,
            Flags = flags,
        };
    }

    /// <summary>The scenario file: a comment saying what it is and how to run it, then one record per paragraph.</summary>
    internal static string Format(ShrinkReport report, string replayPath)
    {
        var text = new StringBuilder();
        text.Append(Inv, $"# mca replay shrink: machine {report.Machine} of {Path.GetFileName(replayPath)}, outcome {report.Outcome} under {report.Policy}.\n");
        text.Append(Inv, $"# {report.Records.Count:N0} of {report.InputsBefore:N0} recorded inputs, {report.Resimulations:N0} re-simulations{(report.BoundHit ? " (bound reached: may not be minimal)" : "")}.\n");
        text.Append(Inv, $"# Run it: mca run FILE --policy {report.Policy}\n");
        foreach (var r in report.Records)
        {
            text.Append('\n');
            text.Append(Inv, $"CPU {r.Cpu} BANK {r.Bank}\n");
            if (r.McgStatus != 0)
            {
                text.Append(Inv, $"MCGSTATUS 0x{r.McgStatus:x}\n");
            }

            text.Append(Inv, $"STATUS 0x{r.Status:x}\n");
            if (r.Addr != 0)
            {
                text.Append(Inv, $"ADDR 0x{r.Addr:x}\n");
            }

            if (r.Misc != 0)
            {
                text.Append(Inv, $"MISC 0x{r.Misc:x}\n");
            }

            if (r.Cs != 0)
            {
                text.Append(Inv, $"RIP 0x{r.Cs:x2}:0x{r.Ip:x}\n");
            }

            var flags = new List<string>();
            if ((r.Flags & InjectFlags.Excp) != 0)
            {
                flags.Add("EXCP");
            }

            if ((r.Flags & InjectFlags.Poll) != 0)
            {
                flags.Add("POLL");
            }

            if ((r.Flags & InjectFlags.NoBroadcast) != 0)
            {
                flags.Add("NOBROADCAST");
            }

            text.Append(string.Join(' ', flags)).Append('\n');
        }

        return text.ToString();
    }

    private static bool MachineSpecsEqual(MachineSpec a, MachineSpec b) =>
        a.CpuCount == b.CpuCount && a.BankCount == b.BankCount && a.McgCap == b.McgCap && a.Ser == b.Ser && a.Memory.TotalBytes == b.Memory.TotalBytes && a.Domains.Count == b.Domains.Count;
}
