using MessagePack;
using MessagePack.Formatters;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay.Wire;

/// <summary>
/// Frames on the wire (docs/replay-format.md "Frame"): <c>[epoch, batch, [machine section...]]</c>, a section
/// <c>[machine, [input...], [event...], state hash or nil]</c>. Times are deltas from the previous item of
/// the same list (the first is absolute), so same-instant bursts cost one byte. Writes from a
/// <see cref="FrameGrouper"/> without copying; reads into a <see cref="ReplayFrame"/>.
/// </summary>
internal sealed class FrameFormatter : IMessagePackFormatter<FrameGrouper>, IMessagePackFormatter<ReplayFrame>
{
    public const int FrameFields = 3;
    public const int SectionFields = 4;
    public const int InputFields = 15;
    public const int EventFields = 11;

    public static readonly FrameFormatter Instance = new();

    public void Serialize(ref MessagePackWriter writer, FrameGrouper value, MessagePackSerializerOptions options)
    {
        var output = value.Output;
        writer.WriteArrayHeader(FrameFields);
        writer.Write(output.Epoch);
        writer.Write(output.Batch);
        writer.WriteArrayHeader(value.MachineCount);
        for (int m = 0; m < value.Span; m++)
        {
            if (!value.Has(m))
            {
                continue;
            }

            writer.WriteArrayHeader(SectionFields);
            writer.Write(output.FirstMachineId + m);
            int inputs = value.InputCount(m);
            writer.WriteArrayHeader(inputs);
            long previous = 0;
            for (int k = 0; k < inputs; k++)
            {
                var e = value.Input(m, k).Error;
                writer.WriteArrayHeader(InputFields);
                writer.Write(unchecked(e.TimeNs - previous));
                previous = e.TimeNs;
                writer.Write(e.Cpu);
                writer.Write(e.BankIndex);
                writer.Write(e.Status);
                writer.Write(e.Addr);
                writer.Write(e.Misc);
                writer.Write(e.McgStatus);
                writer.Write((byte)e.Signal);
                writer.Write(e.AutoSignal);
                writer.Write(e.Interposed);
                writer.Write(e.Count);
                writer.Write((byte)e.Context);
                writer.Write(e.InGuest);
                writer.Write(e.RunningDomain);
                writer.Write(e.RunningVcpu);
            }

            int events = value.EventCount(m);
            writer.WriteArrayHeader(events);
            previous = 0;
            for (int k = 0; k < events; k++)
            {
                ref readonly var e = ref value.Event(m, k);
                writer.WriteArrayHeader(EventFields);
                writer.Write(unchecked(e.TimeNs - previous));
                previous = e.TimeNs;
                writer.Write((byte)e.Kind);
                writer.Write(e.Cpu);
                writer.Write(e.Bank);
                writer.Write(e.Domain);
                writer.Write(e.Vcpu);
                writer.Write(e.Status);
                writer.Write(e.Addr);
                writer.Write(e.Misc);
                writer.Write(e.Arg);
                writer.Write(e.Arg2);
            }

            if (value.Hash(m) is ulong hash)
            {
                writer.Write(hash);
            }
            else
            {
                writer.WriteNil();
            }
        }
    }

    FrameGrouper IMessagePackFormatter<FrameGrouper>.Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("frames are read as ReplayFrame");

    public void Serialize(ref MessagePackWriter writer, ReplayFrame value, MessagePackSerializerOptions options) =>
        throw new NotSupportedException("frames are written from a FrameGrouper");

    public ReplayFrame Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int fields = WireReader.ReadFields(ref reader, FrameFields, "a frame");
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
        WireReader.SkipFields(ref reader, fields - FrameFields, reader.Depth);
        reader.Depth--;
        return new ReplayFrame(0, epoch, batch, machines);
    }

    private static MachineFrame ReadSection(ref MessagePackReader reader, MessagePackSerializerOptions options)
    {
        options.Security.DepthStep(ref reader);
        int fields = WireReader.ReadFields(ref reader, SectionFields, "a machine section");
        int machine = WireReader.ReadInt32(ref reader, "a section's machine id", 0, int.MaxValue);

        options.Security.DepthStep(ref reader);
        int inputCount = WireReader.ReadArray(ref reader, "a section's inputs");
        var inputs = new RecordedInput[inputCount];
        long previous = 0;
        for (int k = 0; k < inputCount; k++)
        {
            options.Security.DepthStep(ref reader);
            int inputFields = WireReader.ReadFields(ref reader, InputFields, "an input");
            long time = unchecked(previous + WireReader.ReadInt64(ref reader, "an input's time delta"));
            previous = time;
            var e = new ErrorInjection
            {
                TimeNs = time,
                Cpu = WireReader.ReadInt32(ref reader, "an input's cpu", int.MinValue, int.MaxValue),
                BankIndex = WireReader.ReadInt32(ref reader, "an input's bank", int.MinValue, int.MaxValue),
                Status = WireReader.ReadUInt64(ref reader, "an input's status"),
                Addr = WireReader.ReadUInt64(ref reader, "an input's addr"),
                Misc = WireReader.ReadUInt64(ref reader, "an input's misc"),
                McgStatus = WireReader.ReadUInt64(ref reader, "an input's mcg_status"),
                Signal = (Signal)WireReader.ReadInt32(ref reader, "an input's signal", 0, byte.MaxValue),
                AutoSignal = WireReader.ReadBoolean(ref reader, "an input's auto_signal"),
                Interposed = WireReader.ReadBoolean(ref reader, "an input's interposed"),
                Count = WireReader.ReadInt64(ref reader, "an input's count"),
                Context = (GuestContext)WireReader.ReadInt32(ref reader, "an input's context", 0, byte.MaxValue),
                InGuest = WireReader.ReadBoolean(ref reader, "an input's in_guest"),
                RunningDomain = (short)WireReader.ReadInt32(ref reader, "an input's running_domain", short.MinValue, short.MaxValue),
                RunningVcpu = (short)WireReader.ReadInt32(ref reader, "an input's running_vcpu", short.MinValue, short.MaxValue),
            };
            inputs[k] = new RecordedInput(machine, e);
            WireReader.SkipFields(ref reader, inputFields - InputFields, reader.Depth);
            reader.Depth--;
        }

        reader.Depth--;
        options.Security.DepthStep(ref reader);
        int eventCount = WireReader.ReadArray(ref reader, "a section's events");
        var events = new HandlerEvent[eventCount];
        previous = 0;
        for (int k = 0; k < eventCount; k++)
        {
            options.Security.DepthStep(ref reader);
            int eventFields = WireReader.ReadFields(ref reader, EventFields, "an event");
            long time = unchecked(previous + WireReader.ReadInt64(ref reader, "an event's time delta"));
            previous = time;
            events[k] = new HandlerEvent
            {
                TimeNs = time,
                Machine = machine,
                Kind = (HandlerEventKind)WireReader.ReadInt32(ref reader, "an event's kind", 0, byte.MaxValue),
                Cpu = (short)WireReader.ReadInt32(ref reader, "an event's cpu", short.MinValue, short.MaxValue),
                Bank = (short)WireReader.ReadInt32(ref reader, "an event's bank", short.MinValue, short.MaxValue),
                Domain = (short)WireReader.ReadInt32(ref reader, "an event's domain", short.MinValue, short.MaxValue),
                Vcpu = (short)WireReader.ReadInt32(ref reader, "an event's vcpu", short.MinValue, short.MaxValue),
                Status = WireReader.ReadUInt64(ref reader, "an event's status"),
                Addr = WireReader.ReadUInt64(ref reader, "an event's addr"),
                Misc = WireReader.ReadUInt64(ref reader, "an event's misc"),
                Arg = WireReader.ReadInt64(ref reader, "an event's arg"),
                Arg2 = WireReader.ReadInt64(ref reader, "an event's arg2"),
            };
            WireReader.SkipFields(ref reader, eventFields - EventFields, reader.Depth);
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

        WireReader.SkipFields(ref reader, fields - SectionFields, reader.Depth);
        reader.Depth--;
        return new MachineFrame(machine, inputs, events, hash);
    }
}
