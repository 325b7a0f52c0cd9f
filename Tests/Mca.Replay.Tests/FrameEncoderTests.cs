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

    private static T Pick<T>(T[] values, Random rng) => values[rng.Next(values.Length)];
}
