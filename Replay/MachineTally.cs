using Mca.Systems.Events;

namespace Mca.Replay;

/// <summary>The outcomes of one machine that a policy can change: what <c>mca replay run</c> compares.</summary>
public struct MachineTally : IEquatable<MachineTally>
{
    public int MceEvents;
    public int Resets;
    public int VmceInjected;
    public int GuestRecovered;
    public int GuestProcessKilled;
    public int GuestPanic;
    public int DomainsCrashed;
    public int PagesOfflined;
    public int LogsDelivered;
    public int LogsLost;

    /// <summary>The names and values in a fixed order (tables and JSON).</summary>
    public readonly IEnumerable<(string Name, int Value)> Fields()
    {
        yield return ("mce_events", MceEvents);
        yield return ("resets", Resets);
        yield return ("vmce_injected", VmceInjected);
        yield return ("guest_recovered", GuestRecovered);
        yield return ("guest_process_killed", GuestProcessKilled);
        yield return ("guest_panic", GuestPanic);
        yield return ("domains_crashed", DomainsCrashed);
        yield return ("pages_offlined", PagesOfflined);
        yield return ("logs_delivered", LogsDelivered);
        yield return ("logs_lost", LogsLost);
    }

    public void Add(in HandlerEvent e)
    {
        switch (e.Kind)
        {
            case HandlerEventKind.MceEntered:
                MceEvents++;
                break;
            case HandlerEventKind.Reset:
                Resets++;
                break;
            case HandlerEventKind.VmceInjected when e.Arg2 != 0:
                VmceInjected++;
                break;
            case HandlerEventKind.GuestOutcome:
                GuestRecovered += e.Arg == (long)GuestOutcomeKind.Recovered ? 1 : 0;
                GuestProcessKilled += e.Arg == (long)GuestOutcomeKind.ProcessKilled ? 1 : 0;
                GuestPanic += e.Arg == (long)GuestOutcomeKind.Panic ? 1 : 0;
                break;
            case HandlerEventKind.DomainCrashed:
                DomainsCrashed++;
                break;
            case HandlerEventKind.PageOffline:
                PagesOfflined++;
                break;
            case HandlerEventKind.Dom0Logged:
                LogsDelivered++;
                break;
            case HandlerEventKind.LogLost:
                LogsLost++;
                break;
            default:
                break;
        }
    }

    public void Add(MachineFrame section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (ref readonly var e in section.Events.AsSpan())
        {
            Add(in e);
        }
    }

    public readonly bool Equals(MachineTally other) =>
        MceEvents == other.MceEvents && Resets == other.Resets && VmceInjected == other.VmceInjected && GuestRecovered == other.GuestRecovered &&
        GuestProcessKilled == other.GuestProcessKilled && GuestPanic == other.GuestPanic && DomainsCrashed == other.DomainsCrashed &&
        PagesOfflined == other.PagesOfflined && LogsDelivered == other.LogsDelivered && LogsLost == other.LogsLost;

    public override readonly bool Equals(object? obj) => obj is MachineTally t && Equals(t);

    public override readonly int GetHashCode() => ((Resets * 31 + VmceInjected) * 31 + GuestPanic) * 31 + LogsLost;

    public static bool operator ==(MachineTally left, MachineTally right) => left.Equals(right);

    public static bool operator !=(MachineTally left, MachineTally right) => !left.Equals(right);
}
