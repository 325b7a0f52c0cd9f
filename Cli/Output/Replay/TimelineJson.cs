using System.Text.Json.Serialization;

namespace Mca.Cli.Output.Replay;

/// <summary>The <c>mca replay show --machine</c> document; keys in this order (the header's from <c>kind</c> to <c>duration_ns</c>).</summary>
internal sealed record TimelineJson(
    string File,
    int Machine,
    long FromNs,
    long ToNs,
    string Kind, string Engine, ulong Seed, string Policy, string Workload, int FirstMachine, int MachineCount, long DurationNs,
    IReadOnlyList<TimelineJson.Entry> Timeline,
    OrderedDictionary<string, long> Tally)
{
    /// <summary>A timeline entry: each kind declares all its keys, <c>time_ns</c>, <c>epoch</c> and <c>type</c> first; no type discriminator is written.</summary>
    [JsonDerivedType(typeof(InputEntry))]
    [JsonDerivedType(typeof(EventEntry))]
    [JsonDerivedType(typeof(StateHashEntry))]
    internal abstract record Entry;

    /// <summary>A recorded input; registers as hex strings, <c>text</c> as <c>replay show</c> prints it.</summary>
    internal sealed record InputEntry(
        long TimeNs,
        int Epoch,
        string Type,
        int Cpu,
        int Bank,
        string Status,
        string Addr,
        string Misc,
        string McgStatus,
        string Signal,
        bool Interposed,
        long Count,
        bool InGuest,
        int RunningDomain,
        int RunningVcpu,
        string Context,
        string Text) : Entry;

    /// <summary>A handling decision; <c>kind</c> is the event kind's name (its number if the engine is newer).</summary>
    internal sealed record EventEntry(
        long TimeNs,
        int Epoch,
        string Type,
        string Kind,
        int Cpu,
        int Bank,
        int Domain,
        int Vcpu,
        string Status,
        string Addr,
        string Misc,
        long Arg,
        long Arg2,
        string Text) : Entry;

    /// <summary>The machine's state hash at the end of an epoch.</summary>
    internal sealed record StateHashEntry(long TimeNs, int Epoch, string Type, string Hash) : Entry;
}
