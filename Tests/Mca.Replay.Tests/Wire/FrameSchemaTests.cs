using System.Globalization;
using System.Reflection;
using MessagePack;
using Mca.Replay.Wire;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay.Tests.Wire;

/// <summary>
/// <see cref="FrameSchema"/>'s field tables against the structs they put on the wire: a stored field of
/// <see cref="ErrorInjection"/> or <see cref="HandlerEvent"/> with no key (or, for events, no stated reason to be
/// left off) would be dropped by every recording, and replays would no longer say what happened. Each key is
/// then checked against the encoder and the reader: a value in that field alone is written at that key and read
/// back.
/// </summary>
public sealed class FrameSchemaTests
{
    private const int Machine = 1_000;

    private const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;

    [Fact]
    public void ErrorInjection_EveryStoredField_HasAWireKey()
    {
        var listed = FrameSchema.InputFields.Select(f => f.Field).ToHashSet(StringComparer.Ordinal);
        Assert.All(StoredFields(typeof(ErrorInjection)), f =>
            Assert.True(listed.Contains(f), $"ErrorInjection.{f} is stored but has no key in FrameSchema.InputFields: recordings would drop it"));
    }

    [Fact]
    public void HandlerEvent_EveryStoredField_HasAWireKeyOrAReason()
    {
        var listed = FrameSchema.EventFields.Select(f => f.Field).Concat(FrameSchema.EventFieldsOffWire.Select(f => f.Field)).ToHashSet(StringComparer.Ordinal);
        Assert.All(StoredFields(typeof(HandlerEvent)), f =>
            Assert.True(listed.Contains(f), $"HandlerEvent.{f} is stored but has no key in FrameSchema.EventFields (nor a reason in EventFieldsOffWire): recordings would drop it"));
    }

    [Fact]
    public void HandlerEvent_ComputedViews_AreNotStoredFields()
    {
        // The typed views read Arg and Arg2 and store nothing: they must not count as fields the wire has to carry.
        var stored = StoredFields(typeof(HandlerEvent));
        Assert.DoesNotContain(nameof(HandlerEvent.ArrivalSignal), stored);
        Assert.DoesNotContain(nameof(HandlerEvent.ErrorCount), stored);
        Assert.DoesNotContain(nameof(HandlerEvent.IsLmce), stored);
        Assert.Contains(nameof(HandlerEvent.Arg2), stored);
    }

    [Fact]
    public void FieldTables_NameStoredFields_WithDenseKeys()
    {
        var inputs = StoredFields(typeof(ErrorInjection));
        var events = StoredFields(typeof(HandlerEvent));
        Assert.All(FrameSchema.InputFields, f => Assert.Contains(f.Field, inputs));
        Assert.All(FrameSchema.EventFields, f => Assert.Contains(f.Field, events));
        Assert.All(FrameSchema.EventFieldsOffWire, f => Assert.Contains(f.Field, events));
        Assert.All(FrameSchema.EventFieldsOffWire, f => Assert.DoesNotContain(f.Field, FrameSchema.EventFields.Select(e => e.Field)));
        Assert.Equal(Enumerable.Range(0, FrameSchema.InputFieldCount), FrameSchema.InputFields.Select(f => f.Key).Order());
        Assert.Equal(Enumerable.Range(0, FrameSchema.EventFieldCount), FrameSchema.EventFields.Select(f => f.Key).Order());
    }

    public static TheoryData<string> InputFieldNames => [.. FrameSchema.InputFields.Select(f => f.Field)];

    public static TheoryData<string> EventFieldNames => [.. FrameSchema.EventFields.Select(f => f.Field)];

    [Theory]
    [MemberData(nameof(InputFieldNames))]
    public void InputField_AloneAtItsValue_IsWrittenAtItsKeyAndReadBack(string field)
    {
        int key = FrameSchema.InputFields.Single(f => f.Field == field).Key;
        var input = With(default(ErrorInjection), field);
        var (frame, inputFields, _) = RoundTrip([new RecordedInput(Machine, input)], []);
        Assert.Equal([Math.Max(key + 1, FrameSchema.InputFieldCountMin)], inputFields);
        Assert.Equal(input, Assert.Single(Assert.Single(frame.Machines).Inputs).Error);
    }

    [Theory]
    [MemberData(nameof(EventFieldNames))]
    public void EventField_AloneAtItsValue_IsWrittenAtItsKeyAndReadBack(string field)
    {
        int key = FrameSchema.EventFields.Single(f => f.Field == field).Key;
        var bare = new HandlerEvent { Machine = Machine, Kind = HandlerEventKind.Graded, Cpu = -1, Bank = -1, Domain = -1, Vcpu = -1 };
        var e = With(bare, field);
        var (frame, _, eventFields) = RoundTrip([], [e]);
        Assert.Equal([Math.Max(key + 1, FrameSchema.EventFieldCountMin)], eventFields);
        Assert.Equal(e, Assert.Single(Assert.Single(frame.Machines).Events));
    }

    /// <summary>
    /// The instance fields a value of <paramref name="type"/> stores, by the name the code uses: an auto-property's
    /// by its property's name (its backing field is <c>&lt;Name&gt;k__BackingField</c>); a computed property has none.
    /// </summary>
    private static string[] StoredFields(Type type) => [.. type.GetFields(Instance).Select(f => PropertyName(f.Name) ?? f.Name)];

    private static string? PropertyName(string fieldName) =>
        fieldName.StartsWith('<') && fieldName.EndsWith(">k__BackingField", StringComparison.Ordinal) ? fieldName[1..fieldName.IndexOf('>', StringComparison.Ordinal)] : null;

    /// <summary><paramref name="value"/> with <paramref name="field"/> set to a value that is neither its default nor an id's -1.</summary>
    private static T With<T>(T value, string field)
        where T : struct
    {
        var info = typeof(T).GetFields(Instance).Single(f => (PropertyName(f.Name) ?? f.Name) == field);
        object boxed = value;
        var t = info.FieldType;
        // Enum value 2 is a real value of each enum on the wire (MceEntered, LMCE, KernelRecov) and no abbreviation's.
        object sample = t == typeof(bool) ? true : t.IsEnum ? Enum.ToObject(t, 2) : Convert.ChangeType(7, t, CultureInfo.InvariantCulture);
        info.SetValue(boxed, sample);
        return (T)boxed;
    }

    /// <summary>Encodes one machine's inputs and events as a frame and reads it back; also returns each item's field count as written.</summary>
    private static (ReplayFrame Frame, List<int> InputFields, List<int> EventFields) RoundTrip(RecordedInput[] inputs, HandlerEvent[] events)
    {
        var grouper = new FrameGrouper();
        grouper.Group(0, 0, Machine, events, inputs, []);
        var encoder = new FrameEncoder();
        encoder.Encode(grouper, events, inputs);
        byte[] bytes = encoder.Encoded.ToArray();
        var reader = new MessagePackReader(bytes);
        var frame = FrameFormatter.Instance.Deserialize(ref reader, ReplayResolver.Options);
        Assert.Equal(bytes.Length, (int)reader.Consumed);

        var raw = new MessagePackReader(bytes);
        Assert.Equal(FrameSchema.FrameFieldCount, raw.ReadArrayHeader());
        raw.Skip();
        raw.Skip();
        Assert.Equal(1, raw.ReadArrayHeader());
        Assert.Equal(FrameSchema.SectionFieldCount, raw.ReadArrayHeader());
        raw.Skip();
        return (frame, ItemFieldCounts(ref raw), ItemFieldCounts(ref raw));
    }

    private static List<int> ItemFieldCounts(ref MessagePackReader raw)
    {
        var counts = new List<int>();
        for (int items = raw.ReadArrayHeader(); items > 0; items--)
        {
            int n = raw.ReadArrayHeader();
            counts.Add(n);
            for (int f = 0; f < n; f++)
            {
                raw.Skip();
            }
        }

        return counts;
    }
}
