using System.Diagnostics;
using Mca.Systems.Components;
using Mca.Systems.Model;

namespace Mca.Systems.Engine;

/// <summary>
/// Xen's adaptive poll timer (Xen intel-nonfatal.c): first round 8 s after boot; after
/// a round in which n CPUs found errors the period is divided by n+1, else doubled; bounds 2..16 s.
/// Empty rounds change nothing but the period, so a run of them is applied in closed form.
/// </summary>
internal static class PollSchedule
{
    public const long InitialPeriodNs = 8 * MachineSpec.NsPerSecond;
    public const long PeriodMinNs = 2 * MachineSpec.NsPerSecond;
    public const long PeriodMaxNs = 16 * MachineSpec.NsPerSecond;

    /// <summary>Arms the timer at boot: the first round 8 s later with period 8 s.</summary>
    public static void Start(ref MachineState m)
    {
        m.PollPeriodNs = InitialPeriodNs;
        m.NextPollNs = m.NowNs + InitialPeriodNs;
    }

    /// <summary>After a round at NextPollNs in which <paramref name="cpusWithErrors"/> CPUs found errors: adapt and re-arm.</summary>
    public static void AfterRound(ref MachineState m, int cpusWithErrors)
    {
        Debug.Assert(cpusWithErrors >= 0, "a count");
        long period = cpusWithErrors > 0 ? m.PollPeriodNs / (cpusWithErrors + 1) : m.PollPeriodNs * 2;
        m.PollPeriodNs = Math.Clamp(period, PeriodMinNs, PeriodMaxNs);
        m.NextPollNs += m.PollPeriodNs;
    }

    /// <summary>
    /// Applies every empty round due strictly before <paramref name="untilNs"/> at once: the same
    /// state as calling <see cref="AfterRound"/> with 0 for each, in O(1).
    /// </summary>
    public static void SkipEmptyRounds(ref MachineState m, long untilNs)
    {
        // While the period is below the cap, each empty round doubles it: at most three such rounds.
        while (m.NextPollNs < untilNs && m.PollPeriodNs < PeriodMaxNs)
        {
            AfterRound(ref m, 0);
        }

        if (m.NextPollNs < untilNs)
        {
            long rounds = ((untilNs - m.NextPollNs) + PeriodMaxNs - 1) / PeriodMaxNs;
            m.NextPollNs += rounds * PeriodMaxNs;
        }

        Debug.Assert(m.NextPollNs >= untilNs, "no due round is left");
    }
}
