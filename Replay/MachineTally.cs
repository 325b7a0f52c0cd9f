using Mca.Systems.Events;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>
/// The outcomes of one machine that a policy can change: what <c>mca replay run</c> compares. Events are
/// classified by <see cref="CampaignCounts.Tally"/>, the campaign's own rules, so the two never disagree.
/// </summary>
public struct MachineTally : IEquatable<MachineTally>
{
    private CampaignCounts _counts;

    /// <summary>The names of <see cref="Fields"/>, in order.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. default(MachineTally).Fields().Select(f => f.Name)];

    /// <summary>The value of the field named <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public readonly long Get(string name) =>
        Fields().FirstOrDefault(f => f.Name == name) is { Name: not null } f ? f.Value : throw new ArgumentOutOfRangeException(nameof(name), name, "not an outcome");

    /// <summary>The names and values in a fixed order (tables and JSON).</summary>
    public readonly IEnumerable<(string Name, long Value)> Fields()
    {
        var c = _counts;
        yield return ("mce_events", c.MceEvents);
        yield return ("resets", c.Resets);
        yield return ("vmce_injected", c.VmceInjected);
        yield return ("guest_recovered", c.GuestRecovered);
        yield return ("guest_process_killed", c.GuestProcessKilled);
        yield return ("guest_panic", c.GuestPanic);
        yield return ("domains_crashed", c.DomainsCrashed);
        yield return ("pages_offlined", c.PagesOfflined);
        yield return ("logs_delivered", c.LogsDelivered);
        yield return ("logs_lost", c.LogsLost);
    }

    // Error classes (SER) and downtime (horizon) are not among the fields, so any values do for them.
    public void Add(in HandlerEvent e) => _counts.Tally(in e, ser: true, rebootDowntimeNs: 0, horizonNs: 0);

    internal void Add(MachineFrame section)
    {
        ArgumentNullException.ThrowIfNull(section);
        foreach (ref readonly var e in section.Events.AsSpan())
        {
            Add(in e);
        }
    }

    public readonly bool Equals(MachineTally other) => Fields().SequenceEqual(other.Fields());

    public override readonly bool Equals(object? obj) => obj is MachineTally t && Equals(t);

    public override readonly int GetHashCode() => (int)((((_counts.Resets * 31) + _counts.VmceInjected) * 31) + _counts.GuestPanic) * 31 + (int)_counts.LogsLost;

    public static bool operator ==(MachineTally left, MachineTally right) => left.Equals(right);

    public static bool operator !=(MachineTally left, MachineTally right) => !left.Equals(right);
}
