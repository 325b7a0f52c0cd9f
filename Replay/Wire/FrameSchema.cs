using System.Runtime.CompilerServices;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay.Wire;

/// <summary>
/// The wire contract of a frame (docs/replay-format.md "Frame" and "Abbreviations"), the one place that
/// <see cref="FrameEncoder"/>, which writes frames, and <see cref="FrameFormatter"/>, which reads them, take it
/// from: the key of every field of a frame, a section, an input and an event, the item kinds that abbreviate
/// several events and the events each stands for. Keys are positions in a MessagePack array, append-only and
/// never reused; an item holds the field of key <c>k</c> when it has more than <c>k</c> fields (trailing
/// fields at their defaults are left out: docs/replay-format.md "Keys"). <see cref="InputFields"/> and <see cref="EventFields"/> name the
/// field of <see cref="ErrorInjection"/> and <see cref="HandlerEvent"/> each key carries, so that a test can
/// fail when either gains a field that the wire would silently drop.
/// </summary>
internal static class FrameSchema
{
    /// <summary>Fields of a frame <c>[epoch, batch, [section...]]</c>.</summary>
    public const int FrameFieldCount = FrameKey.Sections + 1;

    /// <summary>Fields every section has: <c>[machine, [input...] or nil, [event...] or nil, state hash or nil]</c>.</summary>
    public const int SectionFieldCount = SectionKey.StateHash + 1;

    /// <summary>Fields of a section whose inputs or events are not stored (format 4): the counts and hashes follow.</summary>
    public const int SectionFieldCountHashed = SectionKey.EventHash + 1;

    /// <summary>Fields of an input this version writes at most (a newer writer may append more, which a reader skips).</summary>
    public const int InputFieldCount = InputKey.RunningVcpu + 1;

    /// <summary>Fields every input has: its time delta.</summary>
    public const int InputFieldCountMin = InputKey.TimeDelta + 1;

    /// <summary>Fields of an event this version writes at most.</summary>
    public const int EventFieldCount = EventKey.Arg2 + 1;

    /// <summary>Fields every event item has, an abbreviation or not: its time delta and kind.</summary>
    public const int EventFieldCountMin = EventKey.Kind + 1;

    /// <summary>
    /// The event item kind that stands for an ErrorArrived saying only what its input says, <c>[time delta, 128]</c>
    /// (docs/replay-format.md "Abbreviations": kinds from 128 are never <see cref="HandlerEventKind"/> values).
    /// </summary>
    public const int KindArrivalOfInput = 128;

    /// <summary>Fields of a <see cref="KindArrivalOfInput"/> item: its time delta and kind.</summary>
    public const int ArrivalOfInputFieldCount = EventFieldCountMin;

    /// <summary>
    /// The event item kind that stands for the routine corrected-error chain (CMCI, poll find, telemetry commit,
    /// VIRQ, dom0 log), <c>[time delta, 129, cpu, bank, status, addr, misc, poll_arg, commit_arg, log_delta]</c>
    /// (docs/replay-format.md "Abbreviations").
    /// </summary>
    public const int KindCmciChain = 129;

    /// <summary>Fields of a <see cref="KindCmciChain"/> item, all required.</summary>
    public const int CmciChainFieldCount = CmciChainKey.LogDelta + 1;

    /// <summary>Events a <see cref="KindCmciChain"/> item stands for.</summary>
    public const int CmciChainEventCount = 5;

    /// <summary>
    /// The key each stored field of <see cref="ErrorInjection"/> goes on the wire at (docs/replay-format.md "Input"):
    /// every field is recorded, so inputs replay exactly.
    /// </summary>
    public static readonly (string Field, int Key)[] InputFields =
    [
        (nameof(ErrorInjection.TimeNs), InputKey.TimeDelta),
        (nameof(ErrorInjection.Cpu), InputKey.Cpu),
        (nameof(ErrorInjection.BankIndex), InputKey.BankIndex),
        (nameof(ErrorInjection.Status), InputKey.Status),
        (nameof(ErrorInjection.Addr), InputKey.Addr),
        (nameof(ErrorInjection.Misc), InputKey.Misc),
        (nameof(ErrorInjection.McgStatus), InputKey.McgStatus),
        (nameof(ErrorInjection.Signal), InputKey.Signal),
        (nameof(ErrorInjection.AutoSignal), InputKey.AutoSignal),
        (nameof(ErrorInjection.Interposed), InputKey.Interposed),
        (nameof(ErrorInjection.Count), InputKey.Count),
        (nameof(ErrorInjection.Context), InputKey.Context),
        (nameof(ErrorInjection.InGuest), InputKey.InGuest),
        (nameof(ErrorInjection.RunningDomain), InputKey.RunningDomain),
        (nameof(ErrorInjection.RunningVcpu), InputKey.RunningVcpu),
    ];

    /// <summary>The key each stored field of <see cref="HandlerEvent"/> goes on the wire at (docs/replay-format.md "Event"), but those of <see cref="EventFieldsOffWire"/>.</summary>
    public static readonly (string Field, int Key)[] EventFields =
    [
        (nameof(HandlerEvent.TimeNs), EventKey.TimeDelta),
        (nameof(HandlerEvent.Kind), EventKey.Kind),
        (nameof(HandlerEvent.Cpu), EventKey.Cpu),
        (nameof(HandlerEvent.Bank), EventKey.Bank),
        (nameof(HandlerEvent.Domain), EventKey.Domain),
        (nameof(HandlerEvent.Vcpu), EventKey.Vcpu),
        (nameof(HandlerEvent.Status), EventKey.Status),
        (nameof(HandlerEvent.Addr), EventKey.Addr),
        (nameof(HandlerEvent.Misc), EventKey.Misc),
        (nameof(HandlerEvent.Arg), EventKey.Arg),
        (nameof(HandlerEvent.Arg2), EventKey.Arg2),
    ];

    /// <summary>Stored fields of <see cref="HandlerEvent"/> that have no key of their own, and why nothing is lost.</summary>
    public static readonly (string Field, string Reason)[] EventFieldsOffWire =
    [
        (nameof(HandlerEvent.Machine), "every event of a section is the section's machine's (section key 0)"),
    ];

    /// <summary>
    /// The ErrorArrived a <see cref="KindArrivalOfInput"/> item stands for: its input's cpu, bank, status, addr and
    /// misc; domain and vcpu -1; arg the input's signal; arg2 max(1, the input's count).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HandlerEvent ArrivalOf(in ErrorInjection input, int machine, long timeNs) => new()
    {
        TimeNs = timeNs,
        Machine = machine,
        Kind = HandlerEventKind.ErrorArrived,
        Cpu = (short)input.Cpu,
        Bank = (short)input.BankIndex,
        Domain = -1,
        Vcpu = -1,
        Status = input.Status,
        Addr = input.Addr,
        Misc = input.Misc,
        Arg = (long)input.Signal,
        Arg2 = Math.Max(1, input.Count),
    };

    /// <summary>The poll find of a <see cref="KindCmciChain"/> item's chain, from the item's fields; the other events derive from it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HandlerEvent CmciChainFound(int machine, long timeNs, short cpu, short bank, ulong status, ulong addr, ulong misc, long pollArg) => new()
    {
        TimeNs = timeNs,
        Machine = machine,
        Kind = HandlerEventKind.PollFound,
        Cpu = cpu,
        Bank = bank,
        Domain = -1,
        Vcpu = -1,
        Status = status,
        Addr = addr,
        Misc = misc,
        Arg = pollArg,
    };

    /// <summary>
    /// Event <paramref name="i"/> of the chain a <see cref="KindCmciChain"/> item stands for: a CMCI on the poll
    /// find's CPU, the poll find, a telemetry commit on that CPU and VIRQ_MCA at its instant; then, at
    /// <paramref name="logTimeNs"/>, dom0 logging what the poll found.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static HandlerEvent CmciChainEvent(int i, in HandlerEvent found, long commitArg, long logTimeNs) => i switch
    {
        0 => found with { Kind = HandlerEventKind.CmciRaised, Bank = -1, Status = 0, Addr = 0, Misc = 0, Arg = 0 },
        1 => found,
        2 => found with { Kind = HandlerEventKind.TelemetryCommitted, Bank = -1, Status = 0, Addr = 0, Misc = 0, Arg = commitArg },
        3 => found with { Kind = HandlerEventKind.VirqSent, Cpu = -1, Bank = -1, Status = 0, Addr = 0, Misc = 0, Arg = 0 },
        _ => found with { TimeNs = logTimeNs, Kind = HandlerEventKind.Dom0Logged, Arg = 0 },
    };

    /// <summary>Keys of a frame (docs/replay-format.md "Frame").</summary>
    public static class FrameKey
    {
        public const int Epoch = 0;
        public const int Batch = 1;
        public const int Sections = 2;
    }

    /// <summary>Keys of a machine section (docs/replay-format.md "Frame").</summary>
    public static class SectionKey
    {
        public const int Machine = 0;
        public const int Inputs = 1;
        public const int Events = 2;
        public const int StateHash = 3;
        /// <summary>Format 4: how many inputs the machine took in the epoch (required when key 1 is nil).</summary>
        public const int InputCount = 4;
        /// <summary>Format 4: <c>SectionHash</c> of those inputs (low 32 bits of XXH3-64).</summary>
        public const int InputHash = 5;
        /// <summary>Format 4: how many events the engine produced for the machine in the epoch.</summary>
        public const int EventCount = 6;
        /// <summary>Format 4: <c>SectionHash</c> of those events.</summary>
        public const int EventHash = 7;
    }

    /// <summary>Keys of an input (docs/replay-format.md "Input"); left out, a field is 0 or false.</summary>
    public static class InputKey
    {
        /// <summary>The time relative to the previous input's (the first input's is absolute).</summary>
        public const int TimeDelta = 0;
        public const int Cpu = 1;
        public const int BankIndex = 2;
        public const int Status = 3;
        public const int Addr = 4;
        public const int Misc = 5;
        public const int McgStatus = 6;
        public const int Signal = 7;
        public const int AutoSignal = 8;
        public const int Interposed = 9;
        /// <summary>The key of <see cref="ErrorInjection.Count"/> (not a count of keys: that is <see cref="InputFieldCount"/>).</summary>
        public const int Count = 10;
        public const int Context = 11;
        public const int InGuest = 12;
        public const int RunningDomain = 13;
        public const int RunningVcpu = 14;
    }

    /// <summary>Keys of an event (docs/replay-format.md "Event"); left out, an id is -1 and any other field 0.</summary>
    public static class EventKey
    {
        /// <summary>The time relative to the previous event's (the first event's relative to the section's first input).</summary>
        public const int TimeDelta = 0;
        /// <summary>A <see cref="HandlerEventKind"/>, or an abbreviation's kind (<see cref="KindArrivalOfInput"/>, <see cref="KindCmciChain"/>).</summary>
        public const int Kind = 1;
        public const int Cpu = 2;
        public const int Bank = 3;
        public const int Domain = 4;
        public const int Vcpu = 5;
        public const int Status = 6;
        public const int Addr = 7;
        public const int Misc = 8;
        public const int Arg = 9;
        public const int Arg2 = 10;
    }

    /// <summary>Keys of a <see cref="KindCmciChain"/> item (docs/replay-format.md "Abbreviations").</summary>
    public static class CmciChainKey
    {
        public const int TimeDelta = 0;
        public const int Kind = 1;
        public const int Cpu = 2;
        public const int Bank = 3;
        public const int Status = 4;
        public const int Addr = 5;
        public const int Misc = 6;
        /// <summary>The poll find's arg.</summary>
        public const int PollArg = 7;
        /// <summary>The telemetry commit's arg.</summary>
        public const int CommitArg = 8;
        /// <summary>The dom0 log's time relative to the item's.</summary>
        public const int LogDelta = 9;
    }
}
