using MessagePack;
using Mca.Replay.Wire;
using Mca.Systems.Engine;
using Mca.Systems.Events;

namespace Mca.Replay.Tests;

/// <summary>
/// The hand-written frame encoder against the frame reader, on items whose fields sit on every boundary of
/// MessagePack's integer forms (the one-byte fast path for CPU, bank, domain and vCPU, and the general one),
/// at and away from their defaults, with repeated and fresh status, addr and misc values.
/// </summary>
public sealed class FrameEncoderTests
{
    private const int First = 1_000;

    private static readonly short[] Smalls = [-1, 0, 1, 5, 127, 128, -32, -33, short.MaxValue, short.MinValue];
    private static readonly long[] Longs = [0, 1, 127, 128, 255, 256, 65_535, 65_536, uint.MaxValue, 1L << 40, long.MaxValue, -1, -32, -33, -129, int.MinValue, long.MinValue];
    private static readonly ulong[] Registers = [0, 0, 0x9C00000000000090, 0x9C00000000000090, 0xDC0000C000000090, 0x250E84600, 0x86, 1, ulong.MaxValue];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Encoded_ReadsBackAsTheItems(int seed)
    {
        var rng = new Random(seed);
        var events = new List<HandlerEvent>();
        var inputs = new List<RecordedInput>();
        long time = 0;
        for (int k = 0; k < 3_000; k++)
        {
            int machine = First + rng.Next(40);
            time += rng.Next(4) == 0 ? 0 : Longs[rng.Next(4)];
            if (rng.Next(4) == 0)
            {
                inputs.Add(new RecordedInput(machine, new ErrorInjection
                {
                    TimeNs = time,
                    Cpu = Pick(Smalls, rng) & 0x7FFF,
                    BankIndex = rng.Next(3) == 0 ? 0 : rng.Next(200),
                    Status = Pick(Registers, rng),
                    Addr = Pick(Registers, rng),
                    Misc = Pick(Registers, rng),
                    McgStatus = rng.Next(2) == 0 ? 0UL : 4UL,
                    Count = rng.Next(3) == 0 ? 0 : rng.Next(1, 1000),
                }));
            }

            var kind = rng.Next(3) == 0 ? HandlerEventKind.ErrorArrived : (HandlerEventKind)rng.Next(1, 20);
            bool defaults = rng.Next(3) == 0;
            events.Add(new HandlerEvent
            {
                TimeNs = time,
                Machine = machine,
                Kind = kind,
                Cpu = defaults ? (short)-1 : Pick(Smalls, rng),
                Bank = defaults ? (short)-1 : Pick(Smalls, rng),
                Domain = rng.Next(2) == 0 ? (short)-1 : Pick(Smalls, rng),
                Vcpu = rng.Next(2) == 0 ? (short)-1 : Pick(Smalls, rng),
                Status = defaults ? 0 : Pick(Registers, rng),
                Addr = defaults ? 0 : Pick(Registers, rng),
                Misc = Pick(Registers, rng),
                Arg = rng.Next(2) == 0 ? 0 : Pick(Longs, rng),
                Arg2 = rng.Next(4) == 0 ? Pick(Longs, rng) : 0,
            });
        }

        var grouper = new FrameGrouper();
        grouper.Group(3, 1, First, events.ToArray(), inputs.ToArray(), []);
        var encoder = new FrameEncoder();
        encoder.Encode(grouper, events.ToArray(), inputs.ToArray());
        var reader = new MessagePackReader(encoder.Encoded.ToArray());
        var frame = FrameFormatter.Instance.Deserialize(ref reader, ReplayResolver.Options);

        Assert.Equal(encoder.Encoded.Length, (int)reader.Consumed);
        var expected = grouper.ToSections(events.ToArray(), inputs.ToArray());
        Assert.Equal(expected.Length, frame.Machines.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Machine, frame.Machines[i].Machine);
            Assert.Equal(expected[i].Events, frame.Machines[i].Events);
            Assert.Equal(expected[i].Inputs.Select(x => x.Error), frame.Machines[i].Inputs.Select(x => x.Error));
        }
    }

    [Fact]
    public void RoutineErrors_AreOneItemForTheArrivalAndOneForTheChain()
    {
        var (events, inputs) = Routine(First, time: 5_000, cpu: 3, bank: 8);
        events.AddRange(Routine(First, time: 9_000, cpu: 3, bank: 8, inputs).Events);
        var (machines, kinds) = RoundTrip(events, inputs);
        Assert.Equal(events, machines[0].Events);
        Assert.Equal([Arrival, Chain, Arrival, Chain], kinds[0]);
    }

    public static TheoryData<int, string> Changes()
    {
        var data = new TheoryData<int, string>();
        for (int j = 0; j < 6; j++)
        {
            foreach (string field in Fields)
            {
                data.Add(j, field);
            }
        }

        return data;
    }

    /// <summary>
    /// Every field of the arrival and of each chain event, changed alone: the frame still reads back as the events
    /// (an abbreviation is written only when it restores every field).
    /// </summary>
    [Theory]
    [MemberData(nameof(Changes))]
    public void AnyFieldChanged_StillReadsBack(int at, string field)
    {
        var (events, inputs) = Routine(First, time: 5_000, cpu: 3, bank: 8);
        events[at] = Change(events[at], field, 1);
        var (machines, kinds) = RoundTrip(events, inputs);
        Assert.Equal(events, machines[0].Events);
        Assert.Equal(events.Count, machines[0].Events.Length);
        Assert.True(kinds[0].Count >= 2);
    }

    /// <summary>Realistic sections: routine errors, some of them with one field changed, cut short or interleaved with other events.</summary>
    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void RoutineSectionsWithChanges_ReadBack(int seed)
    {
        var rng = new Random(seed);
        var events = new List<HandlerEvent>();
        var inputs = new List<RecordedInput>();
        int abbreviated = 0;
        for (int machine = First; machine < First + 30; machine++)
        {
            long time = rng.Next(1_000);
            for (int k = rng.Next(25); k > 0; k--)
            {
                time += rng.Next(3) == 0 ? 0 : rng.Next(1, 1 << 20);
                var (group, _) = Routine(machine, time, (short)rng.Next(16), (short)rng.Next(12), inputs, rng);
                switch (rng.Next(6))
                {
                    case 0:
                        int at = rng.Next(group.Count);
                        group[at] = Change(group[at], Pick(Fields, rng), rng.Next(1, 300));
                        break;
                    case 1:
                        group.RemoveRange(1 + rng.Next(group.Count - 1), 1);
                        break;
                    case 2:
                        group.Insert(1 + rng.Next(group.Count - 1), group[0] with { Kind = HandlerEventKind.CorrectedFolded, Arg = 2 });
                        break;
                    default:
                        abbreviated++;
                        break;
                }

                events.AddRange(group);
                time = group[^1].TimeNs;
            }
        }

        var (machines, kinds) = RoundTrip(events, inputs);
        var grouper = new FrameGrouper();
        grouper.Group(0, 0, First, events.ToArray(), inputs.ToArray(), []);
        var expected = grouper.ToSections(events.ToArray(), inputs.ToArray());
        Assert.Equal(expected.Length, machines.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Events, machines[i].Events);
        }

        Assert.InRange(kinds.Sum(k => k.Count(x => x == Chain)), abbreviated, int.MaxValue);
    }

    private const int Arrival = FrameSchema.KindArrivalOfInput;
    private const int Chain = FrameSchema.KindCmciChain;

    private static readonly string[] Fields = ["time", "kind", "cpu", "bank", "domain", "vcpu", "status", "addr", "misc", "arg", "arg2"];

    /// <summary>
    /// One routine corrected error as the engine records it: the input, its arrival, then a CMCI, a poll find, a
    /// telemetry commit and VIRQ_MCA at the same instant, and dom0's log a millisecond later.
    /// </summary>
    private static (List<HandlerEvent> Events, List<RecordedInput> Inputs) Routine(int machine, long time, short cpu, short bank, List<RecordedInput>? inputs = null, Random? rng = null)
    {
        inputs ??= [];
        ulong addr = 0x250E84600UL + (ulong)(rng?.Next(64) ?? 0) * 64;
        long count = rng?.Next(0, 4) ?? 3;
        inputs.Add(new RecordedInput(machine, new ErrorInjection { TimeNs = time, Cpu = cpu, BankIndex = bank, Status = 0x9C00000000000090, Addr = addr, Misc = 0x86, AutoSignal = true, Count = count }));
        var bare = new HandlerEvent { TimeNs = time, Machine = machine, Cpu = -1, Bank = -1, Domain = -1, Vcpu = -1 };
        var found = bare with { Kind = HandlerEventKind.PollFound, Cpu = cpu, Bank = bank, Status = 0xDC0000C000000090, Addr = addr, Misc = 0x86, Arg = 1 };
        return (
        [
            bare with { Kind = HandlerEventKind.ErrorArrived, Cpu = cpu, Bank = bank, Status = 0x9C00000000000090, Addr = addr, Misc = 0x86, Arg2 = Math.Max(1, count) },
            bare with { Kind = HandlerEventKind.CmciRaised, Cpu = cpu },
            found,
            bare with { Kind = HandlerEventKind.TelemetryCommitted, Cpu = cpu, Arg = 1 },
            bare with { Kind = HandlerEventKind.VirqSent },
            found with { TimeNs = time + 1_000_000, Kind = HandlerEventKind.Dom0Logged, Arg = 0 },
        ], inputs);
    }

    private static HandlerEvent Change(HandlerEvent e, string field, int by) => field switch
    {
        "time" => e with { TimeNs = e.TimeNs + by },
        "kind" => e with { Kind = e.Kind == HandlerEventKind.CmciRaised ? HandlerEventKind.PollFound : HandlerEventKind.CmciRaised },
        "cpu" => e with { Cpu = (short)(e.Cpu + by) },
        "bank" => e with { Bank = (short)(e.Bank + by) },
        "domain" => e with { Domain = (short)(e.Domain + by) },
        "vcpu" => e with { Vcpu = (short)(e.Vcpu + by) },
        "status" => e with { Status = e.Status ^ (ulong)by },
        "addr" => e with { Addr = e.Addr ^ (ulong)by },
        "misc" => e with { Misc = e.Misc ^ (ulong)by },
        "arg" => e with { Arg = e.Arg + by },
        _ => e with { Arg2 = e.Arg2 + by },
    };

    /// <summary>Encodes the events as one frame and reads it back; also returns each section's item kinds as written.</summary>
    private static (MachineFrame[] Machines, List<List<int>> Kinds) RoundTrip(List<HandlerEvent> events, List<RecordedInput> inputs)
    {
        var grouper = new FrameGrouper();
        grouper.Group(0, 0, First, events.ToArray(), inputs.ToArray(), []);
        var encoder = new FrameEncoder();
        encoder.Encode(grouper, events.ToArray(), inputs.ToArray());
        byte[] bytes = encoder.Encoded.ToArray();
        var reader = new MessagePackReader(bytes);
        var frame = FrameFormatter.Instance.Deserialize(ref reader, ReplayResolver.Options);
        Assert.Equal(bytes.Length, (int)reader.Consumed);

        var kinds = new List<List<int>>();
        var raw = new MessagePackReader(bytes);
        raw.ReadArrayHeader();
        raw.Skip();
        raw.Skip();
        for (int sections = raw.ReadArrayHeader(); sections > 0; sections--)
        {
            raw.ReadArrayHeader();
            raw.Skip();
            raw.Skip();
            var section = new List<int>();
            for (int items = raw.ReadArrayHeader(); items > 0; items--)
            {
                int n = raw.ReadArrayHeader();
                raw.Skip();
                section.Add(raw.ReadInt32());
                for (int f = 2; f < n; f++)
                {
                    raw.Skip();
                }
            }

            raw.Skip();
            kinds.Add(section);
        }

        return (frame.Machines, kinds);
    }

    private static T Pick<T>(T[] values, Random rng) => values[rng.Next(values.Length)];
}
