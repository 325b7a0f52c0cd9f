using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Mca.Replay.Recording;
using Mca.Systems.Engine;
using Mca.Systems.Events;
using static Mca.Replay.Wire.FrameSchema;

namespace Mca.Replay.Wire;

/// <summary>
/// Encodes a frame as MessagePack by hand into a reused buffer (the hot path of recording: a few
/// nanoseconds per field, no per-call bounds checks beyond one reserve per item). The layout is the one
/// <see cref="FrameFormatter"/> reads, with the keys and abbreviations of <see cref="FrameSchema"/>
/// (docs/replay-format.md "Frame"): integers in their shortest form, trailing fields at their defaults left out, a status, addr, misc or mcg_status written as nil when it repeats
/// the field's last non-zero value among the section's inputs (for inputs) or events (for events; the j-th
/// ErrorArrived repeats the j-th input instead), and the first event's time relative to the first input. An arrival
/// that says only what its input says, and the routine corrected-error chain of five events, are each written as
/// one abbreviation item (docs/replay-format.md "Abbreviations"), only when reading it back restores every field.
/// </summary>
internal sealed class FrameEncoder
{
    /// <summary>Largest encoding of one event or input: an array header and at most 15 values of at most 9 bytes.</summary>
    private const int ItemBytesMax = 1 + (InputFieldCount * 9);

    /// <summary>How many items ahead <see cref="Prefetch"/> asks for.</summary>
    private const int PrefetchAhead = 6;

    private byte[] _buffer = new byte[1 << 16];
    private int _length;

    /// <summary>The encoded frame (valid until the next <see cref="Encode"/>).</summary>
    public ReadOnlySpan<byte> Encoded => _buffer.AsSpan(0, _length);

    /// <summary>
    /// Encodes <paramref name="frame"/>, grouped from <paramref name="events"/> and <paramref name="inputs"/>, storing the
    /// lists <paramref name="contents"/> names; a section that leaves either out carries the counts and hashes of both (format 4).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Encode(FrameGrouper frame, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, ReplayContents contents = ReplayContents.All)
    {
        bool storeInputs = (contents & ReplayContents.Inputs) != 0;
        bool storeEvents = (contents & ReplayContents.Events) != 0;
        bool hashed = !(storeInputs && storeEvents);
        _length = 0;
        Reserve(32);
        var o = new PackCursor(_buffer, 0);
        o.ArrayHeader(FrameFieldCount);
        o.Int(frame.Epoch);
        o.Int(frame.Batch);
        o.ArrayHeader(frame.MachineCount);
        _length = o.Position;
        var eventOrder = frame.EventOrder;
        var inputOrder = frame.InputOrder;
        for (int m = 0; m < frame.Span; m++)
        {
            if (!frame.Has(m))
            {
                continue;
            }

            int takenCount = frame.InputCount(m);
            int eventCount = frame.EventCount(m);
            // Events refer to the stored inputs only (time base, arrivals): without stored inputs they stand alone.
            int inputCount = storeInputs ? takenCount : 0;
            Reserve(32);
            o = new PackCursor(_buffer, _length);
            o.ArrayHeader(hashed ? SectionFieldCountHashed : SectionFieldCount);
            o.Int(frame.FirstMachineId + m);
            if (storeInputs)
            {
                o.ArrayHeader(inputCount);
            }
            else
            {
                o.Nil();
            }

            _length = o.Position;
            long previous = 0;
            var lastInput = default(RepeatBase);
            int inputAt = frame.InputStart(m);
            for (int k = 0; k < inputCount; k++)
            {
                Prefetch(inputs, inputOrder, inputAt + k + PrefetchAhead);
                ref readonly var e = ref inputs[inputOrder[inputAt + k]];
                WriteInput(in e, unchecked(e.Error.TimeNs - previous), ref lastInput);
                previous = e.Error.TimeNs;
            }

            if (!storeEvents)
            {
                Reserve(1);
                o = new PackCursor(_buffer, _length);
                o.Nil();
                _length = o.Position;
                WriteHashes(frame, m, events, inputs, takenCount, eventCount, hashed);
                continue;
            }

            // The item count is known once the events are written (abbreviations stand for several): room is left
            // for the header of the event count, and the items are moved down if the count's header is shorter.
            Reserve(8);
            int itemsAt = _length;
            int room = PackCursor.ArrayHeaderLength(eventCount);
            _length += room;
            int items = 0;

            // The first event's time is relative to the section's first input (an arrival is usually at its input's instant).
            previous = inputCount > 0 ? inputs[frame.InputAt(m, 0)].Error.TimeNs : 0;
            var last = default(RepeatBase);
            int arrivals = 0;
            int eventAt = frame.EventStart(m);
            for (int k = 0; k < eventCount; k++)
            {
                Prefetch(events, eventOrder, eventAt + k + PrefetchAhead);
                ref readonly var e = ref events[eventOrder[eventAt + k]];
                long delta = unchecked(e.TimeNs - previous);
                if (e.Kind == HandlerEventKind.CmciRaised && k + CmciChainEventCount <= eventCount
                    && IsCmciChain(events, eventOrder.Slice(eventAt + k, CmciChainEventCount)))
                {
                    // The routine corrected-error chain, five events, as one item (docs/replay-format.md "Abbreviations").
                    ref readonly var found = ref events[eventOrder[eventAt + k + 1]];
                    ref readonly var logged = ref events[eventOrder[eventAt + k + 4]];
                    ref readonly var committed = ref events[eventOrder[eventAt + k + 2]];
                    WriteCmciChain(delta, in found, committed.Arg, unchecked(logged.TimeNs - e.TimeNs), in last);
                    last.Update(found.Status, found.Addr, found.Misc, 0);
                    previous = logged.TimeNs;
                    k += CmciChainEventCount - 1;
                    items++;
                    continue;
                }

                // The j-th arrival repeats the j-th input's values; other events the section's last non-zero ones.
                var repeat = last;
                if (e.Kind == HandlerEventKind.ErrorArrived && arrivals < inputCount)
                {
                    ref readonly var input = ref inputs[frame.InputAt(m, arrivals++)];
                    if (Same(in e, ArrivalOf(input.Error, e.Machine, e.TimeNs)))
                    {
                        // An arrival that says only what its input says (docs/replay-format.md "Abbreviations").
                        Reserve(4);
                        o = new PackCursor(_buffer, _length);
                        o.FixArrayHeader(ArrivalOfInputFieldCount);
                        o.Int(delta);
                        o.Int(KindArrivalOfInput);
                        _length = o.Position;
                        last.Update(e.Status, e.Addr, e.Misc, 0);
                        previous = e.TimeNs;
                        items++;
                        continue;
                    }

                    repeat = RepeatBase.Of(input.Error);
                }

                WriteEvent(in e, delta, in repeat);
                last.Update(e.Status, e.Addr, e.Misc, 0);
                previous = e.TimeNs;
                items++;
            }

            int header = PackCursor.ArrayHeaderLength(items);
            if (header != room)
            {
                _buffer.AsSpan(itemsAt + room, _length - itemsAt - room).CopyTo(_buffer.AsSpan(itemsAt + header));
                _length -= room - header;
            }

            o = new PackCursor(_buffer, itemsAt);
            o.ArrayHeader(items);

            WriteHashes(frame, m, events, inputs, takenCount, eventCount, hashed);
        }
    }

    /// <summary>A section's state hash (key 3) and, when a list is left out, the counts and hashes of both (keys 4 to 7).</summary>
    private void WriteHashes(FrameGrouper frame, int m, ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<RecordedInput> inputs, int inputCount, int eventCount, bool hashed)
    {
        Reserve(40);
        var o = new PackCursor(_buffer, _length);
        if (frame.Hash(m) is ulong hash)
        {
            o.UInt(hash);
        }
        else
        {
            o.Nil();
        }

        if (hashed)
        {
            o.Int(inputCount);
            o.UInt(SectionHash.Inputs(inputs, frame.InputOrder.Slice(frame.InputStart(m), inputCount)));
            o.Int(eventCount);
            o.UInt(SectionHash.Events(events, frame.EventOrder.Slice(frame.EventStart(m), eventCount)));
        }

        _length = o.Position;
    }

    /// <summary>
    /// Whether the <see cref="CmciChainEventCount"/> events at <paramref name="order"/> are exactly the chain a
    /// <see cref="KindCmciChain"/> item stands for (<see cref="FrameSchema.CmciChainEvent"/>, which the reader expands it with),
    /// made from the item's fields as they would be written.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsCmciChain(ReadOnlySpan<HandlerEvent> events, ReadOnlySpan<int> order)
    {
        ref readonly var c = ref events[order[0]];
        ref readonly var p = ref events[order[1]];
        var found = CmciChainFound(c.Machine, c.TimeNs, c.Cpu, p.Bank, p.Status, p.Addr, p.Misc, p.Arg);
        long commitArg = events[order[2]].Arg;
        long logTimeNs = events[order[4]].TimeNs;
        return Same(in c, CmciChainEvent(0, in found, commitArg, logTimeNs)) && Same(in p, in found)
            && Same(in events[order[2]], CmciChainEvent(2, in found, commitArg, logTimeNs))
            && Same(in events[order[3]], CmciChainEvent(3, in found, commitArg, logTimeNs))
            && Same(in events[order[4]], CmciChainEvent(4, in found, commitArg, logTimeNs));
    }

    /// <summary>Field-by-field equality, without the record's generic comparers (it runs for every event recorded).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Same(in HandlerEvent a, in HandlerEvent b) =>
        a.Kind == b.Kind && a.TimeNs == b.TimeNs && a.Cpu == b.Cpu && a.Bank == b.Bank && a.Domain == b.Domain && a.Vcpu == b.Vcpu
        && a.Status == b.Status && a.Addr == b.Addr && a.Misc == b.Misc && a.Arg == b.Arg && a.Arg2 == b.Arg2 && a.Machine == b.Machine;

    /// <summary>The chain item, in <see cref="CmciChainKey"/> order: <c>[delta, 129, cpu, bank, status, addr, misc, poll_arg, commit_arg, log_delta]</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteCmciChain(long deltaNs, in HandlerEvent found, long commitArg, long logDeltaNs, in RepeatBase repeat)
    {
        Reserve(ItemBytesMax);
        var o = new PackCursor(_buffer, _length);
        o.FixArrayHeader(CmciChainFieldCount);
        o.Int(deltaNs);
        o.Int(KindCmciChain);
        o.Int(found.Cpu);
        o.Int(found.Bank);
        o.Repeatable(found.Status, repeat.Status);
        o.Repeatable(found.Addr, repeat.Addr);
        o.Repeatable(found.Misc, repeat.Misc);
        o.Int(found.Arg);
        o.Int(commitArg);
        o.Int(logDeltaNs);
        _length = o.Position;
    }

    /// <summary>
    /// Asks for the item <paramref name="ahead"/> places further in grouped order to be loaded into cache: items are
    /// read by machine, not in the order the engine wrote them, and the engine's rows have usually pushed them out
    /// of cache by the time an epoch is encoded. A hint only: nothing is read, and the bytes written do not change.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Prefetch<T>(ReadOnlySpan<T> items, ReadOnlySpan<int> order, int ahead)
    {
        if (Sse.IsSupported && (uint)ahead < (uint)order.Length)
        {
            int at = order[ahead];
            if ((uint)at < (uint)items.Length)
            {
                Sse.Prefetch0(Unsafe.AsPointer(ref Unsafe.AsRef(in items[at])));
            }
        }
    }

    /// <summary>An event at <see cref="EventKey"/>'s keys: an item holds the field of key k when it has more than k fields (docs/replay-format.md "Keys").</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteEvent(in HandlerEvent e, long deltaNs, in RepeatBase repeat)
    {
        Reserve(ItemBytesMax);
        var o = new PackCursor(_buffer, _length);
        // Fields after the last one that differs from its default are left out: the count is the bit length of
        // the mask of fields that differ, bit k for key k (the time delta and kind are always written).
        uint differ = (1u << EventKey.TimeDelta) | (1u << EventKey.Kind)
            | (e.Cpu != -1 ? 1u << EventKey.Cpu : 0) | (e.Bank != -1 ? 1u << EventKey.Bank : 0)
            | (e.Domain != -1 ? 1u << EventKey.Domain : 0) | (e.Vcpu != -1 ? 1u << EventKey.Vcpu : 0)
            | (e.Status != 0 ? 1u << EventKey.Status : 0) | (e.Addr != 0 ? 1u << EventKey.Addr : 0) | (e.Misc != 0 ? 1u << EventKey.Misc : 0)
            | (e.Arg != 0 ? 1u << EventKey.Arg : 0) | (e.Arg2 != 0 ? 1u << EventKey.Arg2 : 0);
        int fields = 32 - BitOperations.LeadingZeroCount(differ);
        o.FixArrayHeader(fields);
        o.Int(deltaNs);
        o.Int((byte)e.Kind);
        if (fields > EventKey.Cpu)
        {
            if (PackCursor.IsFixInt(e.Cpu) && PackCursor.IsFixInt(e.Bank) && PackCursor.IsFixInt(e.Domain) && PackCursor.IsFixInt(e.Vcpu))
            {
                // The usual case: CPU, bank, domain and vCPU (keys 2 to 5) are one-byte integers, written at once
                // (bytes past the fields kept are overwritten next or lie beyond the end).
                o.FixInts((byte)e.Cpu, (byte)e.Bank, (byte)e.Domain, (byte)e.Vcpu, Math.Min(fields, EventKey.Vcpu + 1) - EventKey.Cpu);
            }
            else
            {
                o.Int(e.Cpu);
                if (fields > EventKey.Bank)
                {
                    o.Int(e.Bank);
                }

                if (fields > EventKey.Domain)
                {
                    o.Int(e.Domain);
                }

                if (fields > EventKey.Vcpu)
                {
                    o.Int(e.Vcpu);
                }
            }
        }

        if (fields > EventKey.Status)
        {
            o.Repeatable(e.Status, repeat.Status);
        }

        if (fields > EventKey.Addr)
        {
            o.Repeatable(e.Addr, repeat.Addr);
        }

        if (fields > EventKey.Misc)
        {
            o.Repeatable(e.Misc, repeat.Misc);
        }

        if (fields > EventKey.Arg)
        {
            o.Int(e.Arg);
        }

        if (fields > EventKey.Arg2)
        {
            o.Int(e.Arg2);
        }

        _length = o.Position;
    }

    /// <summary>An input at <see cref="InputKey"/>'s keys: an item holds the field of key k when it has more than k fields (docs/replay-format.md "Keys").</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteInput(in RecordedInput input, long deltaNs, ref RepeatBase last)
    {
        Reserve(ItemBytesMax);
        var o = new PackCursor(_buffer, _length);
        var e = input.Error;
        // Fields after the last one that differs from its default (zero, false) are left out: the count is the
        // bit length of the mask of fields that differ, bit k for key k (the time delta is always written), as for events.
        uint differ = (1u << InputKey.TimeDelta)
            | (e.Cpu != 0 ? 1u << InputKey.Cpu : 0) | (e.BankIndex != 0 ? 1u << InputKey.BankIndex : 0)
            | (e.Status != 0 ? 1u << InputKey.Status : 0) | (e.Addr != 0 ? 1u << InputKey.Addr : 0)
            | (e.Misc != 0 ? 1u << InputKey.Misc : 0) | (e.McgStatus != 0 ? 1u << InputKey.McgStatus : 0)
            | (e.Signal != 0 ? 1u << InputKey.Signal : 0) | (e.AutoSignal ? 1u << InputKey.AutoSignal : 0)
            | (e.Interposed ? 1u << InputKey.Interposed : 0) | (e.Count != 0 ? 1u << InputKey.Count : 0)
            | (e.Context != 0 ? 1u << InputKey.Context : 0) | (e.InGuest ? 1u << InputKey.InGuest : 0)
            | (e.RunningDomain != 0 ? 1u << InputKey.RunningDomain : 0) | (e.RunningVcpu != 0 ? 1u << InputKey.RunningVcpu : 0);
        int fields = 32 - BitOperations.LeadingZeroCount(differ);
        o.FixArrayHeader(fields);
        o.Int(deltaNs);
        if (fields > InputKey.Cpu)
        {
            o.Int(e.Cpu);
        }

        if (fields > InputKey.BankIndex)
        {
            o.Int(e.BankIndex);
        }

        if (fields > InputKey.Status)
        {
            o.Repeatable(e.Status, last.Status);
        }

        if (fields > InputKey.Addr)
        {
            o.Repeatable(e.Addr, last.Addr);
        }

        if (fields > InputKey.Misc)
        {
            o.Repeatable(e.Misc, last.Misc);
        }

        if (fields > InputKey.McgStatus)
        {
            o.Repeatable(e.McgStatus, last.McgStatus);
        }

        if (fields > InputKey.Signal)
        {
            o.Int((byte)e.Signal);
        }

        if (fields > InputKey.AutoSignal)
        {
            o.Bool(e.AutoSignal);
        }

        if (fields > InputKey.Interposed)
        {
            o.Bool(e.Interposed);
        }

        if (fields > InputKey.Count)
        {
            o.Int(e.Count);
        }

        if (fields > InputKey.Context)
        {
            o.Int((byte)e.Context);
        }

        if (fields > InputKey.InGuest)
        {
            o.Bool(e.InGuest);
        }

        if (fields > InputKey.RunningDomain)
        {
            o.Int(e.RunningDomain);
        }

        if (fields > InputKey.RunningVcpu)
        {
            o.Int(e.RunningVcpu);
        }

        _length = o.Position;
        last.Update(e.Status, e.Addr, e.Misc, e.McgStatus);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Reserve(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Grow(bytes);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Grow(int bytes) => Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
}
