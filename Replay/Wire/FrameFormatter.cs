using System.Globalization;
using MessagePack;
using MessagePack.Formatters;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using static Mca.Replay.Wire.FrameSchema;

namespace Mca.Replay.Wire;

/// <summary>
/// Frames on the wire (docs/replay-format.md "Frame"): <c>[epoch, batch, [machine section...]]</c>, a section
/// <c>[machine, [input...], [event...], state hash or nil]</c>. Times are deltas from the previous item of
/// the same list (the first input's is absolute; the first event's is relative to the first input, or
/// absolute without inputs). Trailing fields at their defaults may be left out; a status, addr, misc or
/// mcg_status may be nil, meaning a repeated value (see <see cref="RepeatBase"/>). Event items of kinds 128 and
/// 129 are abbreviations, expanded here into the events they stand for (format 2). Keys, kinds and what an
/// abbreviation stands for are <see cref="FrameSchema"/>'s, which the writer shares. Writing goes
/// through <see cref="FrameEncoder"/> and <see cref="Lz4Block"/>; reading builds a <see cref="ReplayFrame"/>.
/// </summary>
internal sealed class FrameFormatter : IMessagePackFormatter<ReplayFrame>
{
    public static readonly FrameFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, ReplayFrame value, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("frames are written by FrameEncoder");

    public ReplayFrame Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int fields = WireReader.ReadFields(ref reader, FrameFieldCount, "a frame");
        int epoch = WireReader.ReadInt32(ref reader, "the frame's epoch", 0, int.MaxValue);
        int batch = WireReader.ReadInt32(ref reader, "the frame's batch", 0, int.MaxValue);
        options.Security.DepthStep(ref reader);
        int count = WireReader.ReadArray(ref reader, "the frame's machines");
        var machines = new MachineFrame[count];
        for (int i = 0; i < count; i++)
        {
            machines[i] = ReadSection(ref reader, options);
        }

        reader.Depth--;
        WireReader.SkipFields(ref reader, fields - FrameFieldCount, reader.Depth);
        reader.Depth--;
        return new ReplayFrame(0, epoch, batch, machines);
    }

    private static MachineFrame ReadSection(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int fields = WireReader.ReadFields(ref reader, SectionFieldCount, "a machine section");
        int machine = WireReader.ReadInt32(ref reader, "a section's machine id", 0, int.MaxValue);

        if (reader.End)
        {
            throw new WireException("a section's inputs (or nil)", "the end of the record");
        }

        bool inputsStored = !reader.TryReadNil();
        options.Security.DepthStep(ref reader);
        int inputCount = inputsStored ? WireReader.ReadArray(ref reader, "a section's inputs (or nil)") : 0;
        var inputs = new RecordedInput[inputCount];
        long previous = 0;
        var lastInput = default(RepeatBase);
        for (int k = 0; k < inputCount; k++)
        {
            options.Security.DepthStep(ref reader);
            var input = ReadInput(ref reader, ref previous, in lastInput);
            lastInput.Update(input.Status, input.Addr, input.Misc, input.McgStatus);
            inputs[k] = new RecordedInput(machine, input);
            reader.Depth--;
        }

        reader.Depth--;
        if (reader.End)
        {
            throw new WireException("a section's events (or nil)", "the end of the record");
        }

        bool eventsStored = !reader.TryReadNil();
        options.Security.DepthStep(ref reader);
        int itemCount = eventsStored ? WireReader.ReadArray(ref reader, "a section's events (or nil)") : 0;
        var events = new EventList(itemCount);
        long time = inputCount > 0 ? inputs[0].Error.TimeNs : 0;
        var last = default(RepeatBase);
        int arrivals = 0;
        for (int k = 0; k < itemCount; k++)
        {
            options.Security.DepthStep(ref reader);
            int n = WireReader.ReadFields(ref reader, EventFieldCountMin, "an event");
            time = unchecked(time + WireReader.ReadInt64(ref reader, "an event's time delta"));
            int kind = WireReader.ReadInt32(ref reader, "an event's kind", 0, byte.MaxValue);
            switch (kind)
            {
                case KindArrivalOfInput:
                    if (arrivals >= inputs.Length)
                    {
                        throw new WireException(string.Create(CultureInfo.InvariantCulture, $"an arrival (kind {KindArrivalOfInput}) of one of the section's inputs"), string.Create(CultureInfo.InvariantCulture, $"arrival {arrivals + 1} of {inputs.Length} inputs"));
                    }

                    events.Add(ArrivalOf(inputs[arrivals++].Error, machine, time), ref last);
                    WireReader.SkipFields(ref reader, n - ArrivalOfInputFieldCount, reader.Depth);
                    break;
                case KindCmciChain:
                    ReadCmciChain(ref reader, n, machine, ref time, ref last, ref events);
                    break;
                default:
                    var repeat = last;
                    if (kind == (int)HandlerEventKind.ErrorArrived && arrivals < inputs.Length)
                    {
                        repeat = RepeatBase.Of(inputs[arrivals++].Error);
                    }

                    events.Add(ReadEvent(ref reader, n, machine, time, (HandlerEventKind)kind, in repeat), ref last);
                    break;
            }

            reader.Depth--;
        }

        reader.Depth--;
        ulong? hash = null;
        if (reader.End)
        {
            throw new WireException("a section's state hash (or nil)", "the end of the record");
        }

        if (!reader.TryReadNil())
        {
            hash = WireReader.ReadUInt64(ref reader, "a section's state hash (or nil)");
        }

        var section = new MachineFrame(machine, inputs, events.ToArray(), hash) { InputsStored = inputsStored, EventsStored = eventsStored };
        if (fields >= SectionFieldCountHashed)
        {
            // Format 4: the counts and hashes (required when a list is left out; checked against it when stored).
            int takenCount = WireReader.ReadInt32(ref reader, "a section's input count", 0, int.MaxValue);
            uint inputHash = WireReader.ReadUInt32(ref reader, "a section's input hash");
            int eventCount = WireReader.ReadInt32(ref reader, "a section's event count", 0, int.MaxValue);
            uint eventHash = WireReader.ReadUInt32(ref reader, "a section's event hash");
            if (inputsStored && (takenCount != section.InputCount || inputHash != section.InputHash))
            {
                throw new WireException(string.Create(CultureInfo.InvariantCulture, $"the section's input count and hash ({takenCount}, 0x{inputHash:x8}) to match its inputs"), string.Create(CultureInfo.InvariantCulture, $"{section.InputCount} inputs hashing to 0x{section.InputHash:x8}"));
            }

            if (eventsStored && (eventCount != section.EventCount || eventHash != section.EventHash))
            {
                throw new WireException(string.Create(CultureInfo.InvariantCulture, $"the section's event count and hash ({eventCount}, 0x{eventHash:x8}) to match its events"), string.Create(CultureInfo.InvariantCulture, $"{section.EventCount} events hashing to 0x{section.EventHash:x8}"));
            }

            section = section with { InputCount = takenCount, InputHash = inputHash, EventCount = eventCount, EventHash = eventHash };
        }
        else if (!inputsStored || !eventsStored)
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"a section of {SectionFieldCountHashed} fields (counts and hashes) when its inputs or events are nil"), string.Create(CultureInfo.InvariantCulture, $"{fields} fields"));
        }

        WireReader.SkipFields(ref reader, fields - Math.Max(SectionFieldCount, Math.Min(fields, SectionFieldCountHashed)), reader.Depth);
        reader.Depth--;
        return section;
    }

    /// <summary>An input at <see cref="InputKey"/>'s keys (docs/replay-format.md "Input"): fields 1.. may be left out (then zero or false); status, addr, misc and mcg_status may be nil (as in <paramref name="last"/>).</summary>
    private static ErrorInjection ReadInput(ref MessagePackReader reader, ref long previous, in RepeatBase last)
    {
        int n = WireReader.ReadFields(ref reader, InputFieldCountMin, "an input");
        long time = unchecked(previous + WireReader.ReadInt64(ref reader, "an input's time delta"));
        previous = time;
        var e = new ErrorInjection { TimeNs = time };
        if (n > InputKey.Cpu)
        {
            e.Cpu = WireReader.ReadInt32(ref reader, "an input's cpu", int.MinValue, int.MaxValue);
        }

        if (n > InputKey.BankIndex)
        {
            e.BankIndex = WireReader.ReadInt32(ref reader, "an input's bank", int.MinValue, int.MaxValue);
        }

        if (n > InputKey.Status)
        {
            e.Status = ReadRepeatable(ref reader, last.Status, "an input's status");
        }

        if (n > InputKey.Addr)
        {
            e.Addr = ReadRepeatable(ref reader, last.Addr, "an input's addr");
        }

        if (n > InputKey.Misc)
        {
            e.Misc = ReadRepeatable(ref reader, last.Misc, "an input's misc");
        }

        if (n > InputKey.McgStatus)
        {
            e.McgStatus = ReadRepeatable(ref reader, last.McgStatus, "an input's mcg_status");
        }

        if (n > InputKey.Signal)
        {
            e.Signal = (Signal)WireReader.ReadInt32(ref reader, "an input's signal", 0, byte.MaxValue);
        }

        if (n > InputKey.AutoSignal)
        {
            e.AutoSignal = WireReader.ReadBoolean(ref reader, "an input's auto_signal");
        }

        if (n > InputKey.Interposed)
        {
            e.Interposed = WireReader.ReadBoolean(ref reader, "an input's interposed");
        }

        if (n > InputKey.Count)
        {
            e.Count = WireReader.ReadInt64(ref reader, "an input's count");
        }

        if (n > InputKey.Context)
        {
            e.Context = (GuestContext)WireReader.ReadInt32(ref reader, "an input's context", 0, byte.MaxValue);
        }

        if (n > InputKey.InGuest)
        {
            e.InGuest = WireReader.ReadBoolean(ref reader, "an input's in_guest");
        }

        if (n > InputKey.RunningDomain)
        {
            e.RunningDomain = (short)WireReader.ReadInt32(ref reader, "an input's running_domain", short.MinValue, short.MaxValue);
        }

        if (n > InputKey.RunningVcpu)
        {
            e.RunningVcpu = (short)WireReader.ReadInt32(ref reader, "an input's running_vcpu", short.MinValue, short.MaxValue);
        }

        WireReader.SkipFields(ref reader, n - InputFieldCount, reader.Depth);
        return e;
    }

    /// <summary>
    /// An event's fields after its time and kind, at <see cref="EventKey"/>'s keys (docs/replay-format.md "Event"): fields 2.. may be left out (ids then -1, values 0); status, addr
    /// and misc may be nil, standing for <paramref name="repeat"/>'s (the j-th ErrorArrived's for the j-th input's
    /// values, other events' for the section's last non-zero ones).
    /// </summary>
    private static HandlerEvent ReadEvent(ref MessagePackReader reader, int n, int machine, long time, HandlerEventKind kind, in RepeatBase repeat)
    {
        return new HandlerEvent
        {
            TimeNs = time,
            Machine = machine,
            Kind = kind,
            Cpu = n > EventKey.Cpu ? (short)WireReader.ReadInt32(ref reader, "an event's cpu", short.MinValue, short.MaxValue) : (short)-1,
            Bank = n > EventKey.Bank ? (short)WireReader.ReadInt32(ref reader, "an event's bank", short.MinValue, short.MaxValue) : (short)-1,
            Domain = n > EventKey.Domain ? (short)WireReader.ReadInt32(ref reader, "an event's domain", short.MinValue, short.MaxValue) : (short)-1,
            Vcpu = n > EventKey.Vcpu ? (short)WireReader.ReadInt32(ref reader, "an event's vcpu", short.MinValue, short.MaxValue) : (short)-1,
            Status = n > EventKey.Status ? ReadRepeatable(ref reader, repeat.Status, "an event's status") : 0,
            Addr = n > EventKey.Addr ? ReadRepeatable(ref reader, repeat.Addr, "an event's addr") : 0,
            Misc = n > EventKey.Misc ? ReadRepeatable(ref reader, repeat.Misc, "an event's misc") : 0,
            Arg = n > EventKey.Arg ? WireReader.ReadInt64(ref reader, "an event's arg") : 0,
            Arg2 = n > EventKey.Arg2 ? SkipAfter(ref reader, WireReader.ReadInt64(ref reader, "an event's arg2"), n - EventFieldCount) : 0,
        };
    }

    /// <summary>
    /// The five events of a <see cref="KindCmciChain"/> item
    /// <c>[delta, 129, cpu, bank, status, addr, misc, poll_arg, commit_arg, log_delta]</c>: CmciRaised, PollFound,
    /// TelemetryCommitted and VirqSent at the item's time, Dom0Logged <c>log_delta</c> later.
    /// </summary>
    private static void ReadCmciChain(ref MessagePackReader reader, int n, int machine, ref long time, ref RepeatBase last, ref EventList events)
    {
        if (n < CmciChainFieldCount)
        {
            throw new WireException(string.Create(CultureInfo.InvariantCulture, $"a CMCI chain (kind {KindCmciChain}) of at least {CmciChainFieldCount} fields"), n.ToString(CultureInfo.InvariantCulture));
        }

        short cpu = (short)WireReader.ReadInt32(ref reader, "a CMCI chain's cpu", short.MinValue, short.MaxValue);
        short bank = (short)WireReader.ReadInt32(ref reader, "a CMCI chain's bank", short.MinValue, short.MaxValue);
        ulong status = ReadRepeatable(ref reader, last.Status, "a CMCI chain's status");
        ulong addr = ReadRepeatable(ref reader, last.Addr, "a CMCI chain's addr");
        ulong misc = ReadRepeatable(ref reader, last.Misc, "a CMCI chain's misc");
        long pollArg = WireReader.ReadInt64(ref reader, "a CMCI chain's poll arg");
        long commitArg = WireReader.ReadInt64(ref reader, "a CMCI chain's commit arg");
        long logDelta = WireReader.ReadInt64(ref reader, "a CMCI chain's log delta");
        WireReader.SkipFields(ref reader, n - CmciChainFieldCount, reader.Depth);
        var found = CmciChainFound(machine, time, cpu, bank, status, addr, misc, pollArg);
        time = unchecked(time + logDelta);
        for (int i = 0; i < CmciChainEventCount; i++)
        {
            events.Add(CmciChainEvent(i, in found, commitArg, time), ref last);
        }
    }

    /// <summary>A section's events as they are decoded (an abbreviation item adds several), tracking the last non-zero values.</summary>
    private struct EventList
    {
        private HandlerEvent[] _items;
        private int _count;

        public EventList(int capacity)
        {
            _items = capacity == 0 ? [] : new HandlerEvent[capacity];
        }

        public void Add(in HandlerEvent e, ref RepeatBase last)
        {
            if (_count == _items.Length)
            {
                Array.Resize(ref _items, Math.Max(8, _items.Length * 2));
            }

            _items[_count++] = e;
            last.Update(e.Status, e.Addr, e.Misc, 0);
        }

        public readonly HandlerEvent[] ToArray() => _count == _items.Length ? _items : _items.AsSpan(0, _count).ToArray();
    }

    private static ulong ReadRepeatable(ref MessagePackReader reader, ulong repeat, string what)
    {
        if (reader.End)
        {
            throw new WireException(what + " (or nil: a repeated value)", "the end of the record");
        }

        return reader.TryReadNil() ? repeat : WireReader.ReadUInt64(ref reader, what + " (or nil: a repeated value)");
    }

    /// <summary>Returns <paramref name="value"/> after skipping <paramref name="extra"/> fields a newer writer appended.</summary>
    private static long SkipAfter(ref MessagePackReader reader, long value, int extra)
    {
        WireReader.SkipFields(ref reader, extra, reader.Depth);
        return value;
    }
}
