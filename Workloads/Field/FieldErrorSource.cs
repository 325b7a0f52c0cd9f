using System.Diagnostics;
using System.Runtime.CompilerServices;
using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;

namespace Mca.Workloads.Field;

/// <summary>
/// The <c>field</c> workload: machine-check errors as a fleet sees them (model choice, calibrated against Schroeder 2009, Sridharan 2012, Meza 2015, Nightingale 2011).
/// <list type="bullet">
/// <item>DRAM faults arrive per DIMM at the Jaguar per-device FIT table (<see cref="JaguarFit"/>) times
/// <see cref="FieldParameters.FaultRateScale"/>, transient or permanent, in seven modes from one bit to a
/// whole device; a DIMM with a permanent fault gets new faults faster (the two-state DIMM, after Schroeder 2011 CACM).</item>
/// <item>A transient fault is one CE. A permanent fault is a Poisson stream of CEs, each at its own instant, whose
/// rate is drawn per fault from a truncated Pareto law (<see cref="CeIntensity"/>): two streams, the patrol
/// scrubber's (MCACOD 0x00C0 | channel, <see cref="FieldParameters.CeScrubPerDay"/>) and demand reads' (0x0090 |
/// channel, the rest), each a <see cref="CeTimeline"/> keyed by (seed, machine, fault, stream), each CE at a line of
/// the fault's footprint keyed by its index. The engine may take a run of a stream's CEs at once
/// (<see cref="ICeStreamSource"/>); the CEs are the same either way.</item>
/// <item>An uncorrectable pattern (two faults on different devices of one DIMM overlapping, or a multi-bit
/// fault the ECC cannot correct) is a bad region: its UEs are found by the patrol scrubber (SRAO 0x00C0 | channel
/// in bank 8) or, in a frame something uses, possibly consumed first by a load (SRAR 0x0134 in bank 0 of the
/// consuming CPU, which was running the frame's owner, or Xen). The DIMM is replaced a while after its
/// first UE.</item>
/// <item>CPU errors: corrected L1/L2/TLB, LLC UCNA and SRAO 0x017A, and fatal PCC errors, each recurring
/// on the same core with the Nightingale 2011 probability.</item>
/// </list>
/// Each machine's errors are a pure function of (campaign seed, fleet machine id): two counter-based
/// streams (DRAM and CPU) per machine, so a machine's history never depends on its batch, and the CPU
/// parameters never move the DRAM errors. A reset changes nothing: faults are in the hardware, and the
/// same errors reach every handler policy. State is a fixed table per batch; Take allocates nothing.
/// </summary>
internal sealed class FieldErrorSource : ICeStreamSource, IWorkloadFacts
{
    /// <summary>Stream purposes: "FLD-DRAM" and "FLD-CPU" in ASCII.</summary>
    internal const ulong DramPurpose = 0x464C_442D_4452_414D;
    internal const ulong CpuPurpose = 0x464C_442D_4350_5500;
    /// <summary>The high bits of a CE stream's key ("CE" in ASCII); the machine, fault and stream fill the rest.</summary>
    private const ulong StreamKeyBase = 0x4345_0000_0000_0000;

    private const byte DimmFaulty = 1;
    private const byte DimmHadCe = 2;

    private readonly FieldModel _model;
    private readonly long _horizonNs;
    private readonly int _dimms;
    private readonly int _slotsPerMachine;
    private readonly CounterRng[] _dramRng;
    private readonly CounterRng[] _cpuRng;
    private readonly ErrorInjection[] _next;
    private readonly long[] _nextNs;
    /// <summary>The DIMM of the pending arrival when it is a memory CE, else -1.</summary>
    private readonly short[] _nextCeDimm;
    private readonly long[] _dimmFaultNs;
    private readonly long[] _dimmReplaceNs;
    private readonly byte[] _dimmFlags;
    private readonly long[] _cpuErrorNs;
    // Fresh CPU errors drawn per machine and class: the counts an importance-sampling weight needs (--bias CLASS=K).
    private readonly int[] _cpuPrimaries;
    private readonly FaultSlot[] _slots;
    /// <summary>The slot of the pending arrival when it is a CE of a stream, else -1.</summary>
    private readonly short[] _pendingSlot;
    /// <summary>Faults created so far per machine: with the machine id, a fault's name in its stream keys.</summary>
    private readonly int[] _faultCount;
    private readonly ulong _seed;
    /// <summary>The tree path of the last stream count (a run asks at instant after instant of one stream).</summary>
    private readonly CeTimeline.Path _path = new();
    /// <summary>The DIMM of the pending arrival when it is a UE a load would consume, else -1.</summary>
    private readonly short[] _nextLoadDimm;
    /// <summary>Which pages dom0 had taken out of service (null: none ever is).</summary>
    private IPageService? _pages;

    internal FieldErrorSource(FieldModel model, ulong seed, int firstMachineId, int machineCount, long horizonNs)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(firstMachineId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(machineCount);
        ArgumentOutOfRangeException.ThrowIfNegative(horizonNs);
        _model = model;
        _seed = seed;
        _horizonNs = horizonNs;
        FirstMachineId = firstMachineId;
        MachineCount = machineCount;
        _dimms = model.Geometry.DimmCount;
        _slotsPerMachine = model.SlotsPerMachine;
        _dramRng = new CounterRng[machineCount];
        _cpuRng = new CounterRng[machineCount];
        _next = new ErrorInjection[machineCount];
        _nextNs = new long[machineCount];
        _nextCeDimm = new short[machineCount];
        _nextLoadDimm = new short[machineCount];
        _dimmFaultNs = new long[machineCount * _dimms];
        _dimmReplaceNs = new long[machineCount * _dimms];
        _dimmFlags = new byte[machineCount * _dimms];
        _cpuErrorNs = new long[machineCount];
        _cpuPrimaries = new int[machineCount * CpuClasses];
        _slots = new FaultSlot[machineCount * _slotsPerMachine];
        _pendingSlot = new short[machineCount];
        _faultCount = new int[machineCount];
        foreach (ref var slot in _slots.AsSpan())
        {
            Free(ref slot);
        }

        for (int i = 0; i < machineCount; i++)
        {
            ulong machineId = (ulong)(firstMachineId + i);
            _dramRng[i] = CounterRng.Create(seed, machineId, DramPurpose);
            _cpuRng[i] = CounterRng.Create(seed, machineId, CpuPurpose);
            for (int d = 0; d < _dimms; d++)
            {
                _dimmFaultNs[(i * _dimms) + d] = Later(0, _dramRng[i].StandardExponential() * model.HealthyFaultGapNs);
                _dimmReplaceNs[(i * _dimms) + d] = long.MaxValue;
            }

            _cpuErrorNs[i] = Later(0, _cpuRng[i].StandardExponential() * model.CpuErrorGapNs);
            Advance(i);
        }
    }

    public int FirstMachineId { get; }
    public int MachineCount { get; }

    public int DimmsPerMachine => _dimms;

    /// <summary>Faults dropped because a machine's slot table was full (0 unless the table is made very small).</summary>
    public long DroppedFaults { get; private set; }

    /// <summary>
    /// The factory a campaign calls per batch. Validates <paramref name="parameters"/> and prepares what
    /// every batch shares once; each call then builds one batch's source.
    /// </summary>
    /// <exception cref="ArgumentException">A parameter is out of range or does not fit <paramref name="machine"/>.</exception>
    public static ErrorSourceFactory Factory(MachineSpec machine, FieldParameters parameters, ulong seed)
    {
        var model = new FieldModel(machine, parameters);
        return (first, count, horizon) => new FieldErrorSource(model, seed, first, count, horizon);
    }

    public long NextArrivalNs(int machineIndex) => _nextNs[machineIndex];

    public ErrorInjection Take(int machineIndex)
    {
        if (_nextNs[machineIndex] == long.MaxValue)
        {
            ThrowNoError(machineIndex);
        }

        var e = _next[machineIndex];
        int load = _nextLoadDimm[machineIndex];
        if (load >= 0 && _pages is { } pages && pages.OutOfService(machineIndex, (long)(e.Addr >> MemoryMap.PageShift), e.TimeNs))
        {
            // Nobody reads a page out of service: the patrol scrubber finds the UE instead (the same draws were made).
            var g = _model.Geometry;
            e = _model.Records.MemoryScrubSrao(e.TimeNs, g.SocketOf(load), g.ChannelOf(load), e.Addr);
        }

        int dimm = _nextCeDimm[machineIndex];
        if (dimm >= 0)
        {
            _dimmFlags[(machineIndex * _dimms) + dimm] |= DimmHadCe;
        }

        Advance(machineIndex);
        Debug.Assert(_nextNs[machineIndex] >= e.TimeNs, "arrivals come in time order");
        return e;
    }

    /// <summary>A reset repairs nothing: faults stay in the DIMMs and cores, so the stream goes on unchanged.</summary>
    public void OnReset(int machineIndex, long timeNs)
    {
    }

    public void AttachPages(IPageService pages) => _pages = pages;

    public long StreamPage(int machineIndex)
    {
        ref var slot = ref PendingSlot(machineIndex);
        return slot.Region.IsSingleLine ? (long)(_next[machineIndex].Addr >> MemoryMap.PageShift) : -1;
    }

    private const int CpuClasses = 4;

    public int CpuPrimaries(int machineIndex, int cpuClass) => _cpuPrimaries[(machineIndex * CpuClasses) + cpuClass];

    public int DimmsWithCe(int machineIndex)
    {
        int n = 0;
        var flags = _dimmFlags.AsSpan(machineIndex * _dimms, _dimms);
        foreach (byte f in flags)
        {
            n += (f & DimmHadCe) != 0 ? 1 : 0;
        }

        return n;
    }

    public bool PendingStream(int machineIndex, out long otherNs)
    {
        int s = _pendingSlot[machineIndex];
        otherNs = long.MaxValue;
        if (s < 0 || _nextNs[machineIndex] == long.MaxValue)
        {
            return false;
        }

        var slots = SlotsOf(machineIndex);
        for (int o = 0; o < slots.Length; o++)
        {
            if (o != s)
            {
                otherNs = Math.Min(otherNs, slots[o].NextNs);
            }
        }

        otherNs = Math.Min(otherNs, EarliestDimmEvent(machineIndex, out _, out _));
        otherNs = Math.Min(otherNs, _cpuErrorNs[machineIndex]);
        return true;
    }

    public long StreamCount(int machineIndex, long untilNs)
    {
        ref var slot = ref PendingSlot(machineIndex);
        long pending = slot.NextIndex - 1;
        // The pending CE is the only one before the stream's next: no need to descend the tree.
        if (untilNs <= slot.NextNs)
        {
            return untilNs > _nextNs[machineIndex] ? 1 : 0;
        }

        return Math.Min(slot.Timeline.CountBefore(untilNs, PathOf(in slot)), slot.Limit) - pending;
    }

    public long StreamTime(int machineIndex, long k)
    {
        ref var slot = ref PendingSlot(machineIndex);
        return k == 0 ? _nextNs[machineIndex] : slot.Timeline.TimeOf(slot.NextIndex - 1 + k, PathOf(in slot));
    }

    public ErrorInjection StreamError(int machineIndex, long k)
    {
        ref var slot = ref PendingSlot(machineIndex);
        long index = slot.NextIndex - 1 + k;
        return k == 0 ? _next[machineIndex] : CeOf(in slot, index, slot.Timeline.TimeOf(index, PathOf(in slot)));
    }

    /// <summary>The cached tree path, made this stream's.</summary>
    private CeTimeline.Path PathOf(in FaultSlot slot)
    {
        if (_path.Owner != slot.StreamKey)
        {
            _path.Reset(slot.StreamKey);
        }

        return _path;
    }

    public long StreamDenseAt(int machineIndex, long untilNs, long windowNs, long k) =>
        PendingSlot(machineIndex).Timeline.DenseAt(_nextNs[machineIndex], Math.Min(untilNs, _horizonNs), windowNs, k);

    public void SkipStream(int machineIndex, long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        ref var slot = ref PendingSlot(machineIndex);
        long next = slot.NextIndex - 1 + n;
        Debug.Assert(next <= slot.Limit, "a run takes CEs before the horizon");
        _dimmFlags[(machineIndex * _dimms) + slot.Dimm] |= DimmHadCe;
        slot.NextIndex = next;
        slot.NextNs = next < slot.Limit ? slot.Timeline.TimeOf(next, PathOf(in slot)) : long.MaxValue;
        Advance(machineIndex);
    }

    private ref FaultSlot PendingSlot(int machineIndex)
    {
        int s = _pendingSlot[machineIndex];
        if (s < 0)
        {
            ThrowNoStream(machineIndex);
        }

        return ref SlotsOf(machineIndex)[s];
    }

    /// <summary>CE <paramref name="index"/> of a stream: its line of the fault's footprint is keyed by the index.</summary>
    private ErrorInjection CeOf(in FaultSlot slot, long index, long timeNs)
    {
        var m = _model;
        var rng = CounterRng.Create(_seed, (ulong)index, ~slot.StreamKey);
        ulong address = m.Geometry.RandomAddress(ref rng, slot.Dimm, slot.Region);
        return m.Records.MemoryCorrected(timeNs, m.Geometry.SocketOf(slot.Dimm), m.Geometry.ChannelOf(slot.Dimm), address, 1, slot.Scrub);
    }

    /// <summary>
    /// Moves machine <paramref name="i"/> to its next arrival: runs every internal event (a new fault, a
    /// DIMM replacement, a new CPU error) due no later than the earliest pending arrival, then takes that
    /// arrival out of its slot. Internal events come first on ties, so their arrivals are never in the past.
    /// </summary>
    private void Advance(int i)
    {
        // Bounded: each internal event moves its own clock forward, and every clock stops at the horizon.
        for (int guard = 0; ; guard++)
        {
            Debug.Assert(guard < 10_000_000, "internal events are finite before the horizon");
            int slot = EarliestSlot(i, out long slotNs);
            long dimmNs = EarliestDimmEvent(i, out int dimm, out bool replace);
            long cpuNs = _cpuErrorNs[i];
            if (Math.Min(dimmNs, cpuNs) <= slotNs && Math.Min(dimmNs, cpuNs) != long.MaxValue)
            {
                if (dimmNs <= cpuNs)
                {
                    if (replace)
                    {
                        ReplaceDimm(i, dimm, dimmNs);
                    }
                    else
                    {
                        NewDramFault(i, dimm, dimmNs);
                    }
                }
                else
                {
                    NewCpuError(i, cpuNs);
                }

                continue;
            }

            if (slot < 0)
            {
                _nextNs[i] = long.MaxValue;
                _nextCeDimm[i] = -1;
                _nextLoadDimm[i] = -1;
                _pendingSlot[i] = -1;
                AssertInvariants(i);
                return;
            }

            Emit(i, slot, slotNs);
            AssertInvariants(i);
            return;
        }
    }

    /// <summary>Machine <paramref name="i"/>'s table after <see cref="Advance"/>: everything pending lies after the next arrival and before the horizon.</summary>
    [Conditional("DEBUG")]
    private void AssertInvariants(int i)
    {
        long next = _nextNs[i];
        Debug.Assert(next == long.MaxValue || next < _horizonNs, "the next arrival is before the horizon");
        foreach (ref readonly var s in SlotsOf(i))
        {
            Debug.Assert(s.Kind != SlotKind.Free || s.NextNs == long.MaxValue, "a free slot has no arrival");
            Debug.Assert(s.NextNs == long.MaxValue || (s.NextNs >= next && s.NextNs < _horizonNs), "pending arrivals lie between the next arrival and the horizon");
            Debug.Assert(s.Kind != SlotKind.CeStream || s.NextIndex <= s.Limit, "a CE stream hands out CEs before the horizon");
            Debug.Assert(s.Kind is SlotKind.Free or SlotKind.Cpu || s.Dimm < _dimms, "a DRAM slot names a DIMM of the machine");
            Debug.Assert(s.Kind != SlotKind.Cpu || s.Core < _model.Machine.SocketCount * _model.Machine.CoresPerSocket, "a CPU slot names a core of the machine");
        }

        for (int d = i * _dimms; d < (i + 1) * _dimms; d++)
        {
            Debug.Assert(_dimmFaultNs[d] == long.MaxValue || (_dimmFaultNs[d] > next && _dimmFaultNs[d] < _horizonNs), "the next fault comes after the next arrival");
            Debug.Assert(_dimmReplaceNs[d] == long.MaxValue || (_dimmReplaceNs[d] >= next && _dimmReplaceNs[d] < _horizonNs), "a replacement comes no earlier than the next arrival");
        }

        Debug.Assert(_cpuErrorNs[i] == long.MaxValue || (_cpuErrorNs[i] > next && _cpuErrorNs[i] < _horizonNs), "the next CPU error comes after the next arrival");
    }

    private int EarliestSlot(int i, out long timeNs)
    {
        var slots = SlotsOf(i);
        int best = -1;
        timeNs = long.MaxValue;
        for (int s = 0; s < slots.Length; s++)
        {
            if (slots[s].NextNs < timeNs)
            {
                timeNs = slots[s].NextNs;
                best = s;
            }
        }

        return best;
    }

    private long EarliestDimmEvent(int i, out int dimm, out bool replace)
    {
        long best = long.MaxValue;
        dimm = -1;
        replace = false;
        int b = i * _dimms;
        for (int d = 0; d < _dimms; d++)
        {
            // Checked first with a strict test: a replacement goes before a fault of its DIMM at the same instant.
            if (_dimmReplaceNs[b + d] < best)
            {
                best = _dimmReplaceNs[b + d];
                dimm = d;
                replace = true;
            }

            if (_dimmFaultNs[b + d] < best)
            {
                best = _dimmFaultNs[b + d];
                dimm = d;
                replace = false;
            }
        }

        return best;
    }

    /// <summary>A new DRAM fault on <paramref name="dimm"/> at <paramref name="timeNs"/> (Sridharan 2012 FIT table; fault-to-error model is a model choice).</summary>
    private void NewDramFault(int i, int dimm, long timeNs)
    {
        var m = _model;
        ref var rng = ref _dramRng[i];
        int kind = rng.Weighted(m.ModeWeights, m.ModeWeightTotal);
        bool transient = kind < JaguarFit.ModeCount;
        var mode = (FaultMode)(kind % JaguarFit.ModeCount);
        int device = rng.NextInt(m.Parameters.DevicesPerDimm);
        var cell = m.Geometry.RandomCell(ref rng);
        var footprint = DimmGeometry.FootprintOf(mode, cell.Row, cell.Bank, cell.Column);

        // Uncorrectable: the new fault overlaps a permanent fault of another device (two symbols of one
        // codeword), or is itself a multi-bit pattern the ECC does not cover.
        Footprint? bad = null;
        var slots = SlotsOf(i);
        for (int s = 0; s < slots.Length && bad is null; s++)
        {
            ref var other = ref slots[s];
            if (other.Kind == SlotKind.CeStream && other.Dimm == dimm && other.Variant != device)
            {
                bad = footprint.Intersect(other.Region);
            }
        }

        if (mode != FaultMode.SingleBit && rng.Bernoulli(m.Parameters.MultiBitUeProbability))
        {
            bad ??= footprint;
        }

        if (bad is { } region)
        {
            int ue = Allocate(i);
            if (ue >= 0)
            {
                ref var u = ref slots[ue];
                u.Kind = SlotKind.Ue;
                u.Mode = mode;
                u.Dimm = (byte)dimm;
                u.Variant = (byte)device;
                u.Region = region;
                u.Remaining = transient ? (short)0 : (short)rng.Geometric(m.Parameters.UeExtraMean, short.MaxValue);
                u.NextNs = Later(timeNs, rng.StandardExponential() * m.UeDetectMeanNs);
            }
        }

        int di = (i * _dimms) + dimm;
        int fault = _faultCount[i]++;
        if (!transient)
        {
            double rate = m.Intensity.SamplePerDay(ref rng) / FieldModel.DayNs;
            double scrub = Math.Min(rate, m.ScrubCeRatePerNs);
            NewStream(i, fault, scrub: false, rate - scrub, timeNs, dimm, device, mode, footprint);
            NewStream(i, fault, scrub: true, scrub, timeNs, dimm, device, mode, footprint);
            _dimmFlags[di] |= DimmFaulty;
        }
        else if (bad is null)
        {
            int ce = Allocate(i);
            if (ce >= 0)
            {
                ref var f = ref slots[ce];
                f.Kind = SlotKind.TransientCe;
                f.Mode = mode;
                f.Dimm = (byte)dimm;
                f.Variant = (byte)device;
                f.Region = footprint;
                f.NextNs = timeNs;
            }
        }

        double gap = (_dimmFlags[di] & DimmFaulty) != 0 ? m.FaultyFaultGapNs : m.HealthyFaultGapNs;
        _dimmFaultNs[di] = Later(timeNs, rng.StandardExponential() * gap);
    }

    /// <summary>One CE stream of a new permanent fault (none at rate 0): its CEs from <paramref name="timeNs"/> to the horizon.</summary>
    private void NewStream(int i, int fault, bool scrub, double ratePerNs, long timeNs, int dimm, int device, FaultMode mode, Footprint footprint)
    {
        if (!(ratePerNs > 0) || timeNs >= _horizonNs)
        {
            return;
        }

        int ce = Allocate(i);
        if (ce < 0)
        {
            return;
        }

        ulong key = StreamKeyBase ^ ((ulong)(FirstMachineId + i) << 32) ^ ((ulong)fault << 1) ^ (scrub ? 1UL : 0UL);
        ref var f = ref SlotsOf(i)[ce];
        f.Kind = SlotKind.CeStream;
        f.Mode = mode;
        f.Dimm = (byte)dimm;
        f.Variant = (byte)device;
        f.Region = footprint;
        f.Scrub = scrub;
        f.StreamKey = key;
        f.Timeline = new CeTimeline(_seed, key, timeNs, _horizonNs - timeNs, ratePerNs);
        f.Limit = f.Timeline.CountBefore(_horizonNs);
        f.NextIndex = 0;
        f.NextNs = f.Limit > 0 ? f.Timeline.TimeOf(0) : long.MaxValue;
    }

    /// <summary>The DIMM is swapped for a healthy one (model choice: repair after a delay): its faults and pending errors go.</summary>
    private void ReplaceDimm(int i, int dimm, long timeNs)
    {
        foreach (ref var s in SlotsOf(i))
        {
            if (s.Kind is not SlotKind.Free and not SlotKind.Cpu && s.Dimm == dimm)
            {
                s = default;
                s.NextNs = long.MaxValue;
            }
        }

        int di = (i * _dimms) + dimm;
        _dimmFlags[di] &= unchecked((byte)~DimmFaulty);
        _dimmReplaceNs[di] = long.MaxValue;
        _dimmFaultNs[di] = Later(timeNs, _dramRng[i].StandardExponential() * _model.HealthyFaultGapNs);
    }

    /// <summary>A new CPU error (model choice: small per-core stream): class by rate, on a uniformly chosen core.</summary>
    private void NewCpuError(int i, long timeNs)
    {
        var m = _model;
        ref var rng = ref _cpuRng[i];
        var cls = (CpuErrorClass)rng.Weighted(m.CpuClassWeights, m.CpuErrorsPerMachineYear);
        _cpuPrimaries[(i * CpuClasses) + (int)cls]++;
        int cores = m.Machine.SocketCount * m.Machine.CoresPerSocket;
        int core = rng.NextInt(cores);
        int variant = cls switch
        {
            CpuErrorClass.Corrected => rng.NextInt(4),
            CpuErrorClass.Fatal => rng.Bernoulli(m.Parameters.FatalInternalTimerFraction) ? 1 : 0,
            _ => 0,
        };
        int s = Allocate(i);
        if (s >= 0)
        {
            ref var slot = ref SlotsOf(i)[s];
            slot.Kind = SlotKind.Cpu;
            slot.CpuClass = cls;
            slot.Core = (byte)core;
            slot.Variant = (byte)variant;
            slot.Remaining = (short)m.Parameters.CpuMaxRecurrences;
            slot.NextNs = timeNs;
        }

        _cpuErrorNs[i] = Later(timeNs, rng.StandardExponential() * m.CpuErrorGapNs);
    }

    /// <summary>Builds the arrival of slot <paramref name="s"/> at <paramref name="timeNs"/> and moves the slot on.</summary>
    private void Emit(int i, int s, long timeNs)
    {
        var m = _model;
        var records = m.Records;
        ref var slot = ref SlotsOf(i)[s];
        _nextNs[i] = timeNs;
        _nextCeDimm[i] = -1;
        _nextLoadDimm[i] = -1;
        _pendingSlot[i] = -1;
        switch (slot.Kind)
        {
            case SlotKind.CeStream:
            {
                long index = slot.NextIndex;
                _next[i] = CeOf(in slot, index, timeNs);
                _nextCeDimm[i] = slot.Dimm;
                _pendingSlot[i] = (short)s;
                slot.NextIndex = index + 1;
                slot.NextNs = slot.NextIndex < slot.Limit ? slot.Timeline.TimeOf(slot.NextIndex, PathOf(in slot)) : long.MaxValue;
                break;
            }

            case SlotKind.TransientCe:
            {
                ref var rng = ref _dramRng[i];
                ulong address = m.Geometry.RandomAddress(ref rng, slot.Dimm, slot.Region);
                _next[i] = records.MemoryCorrected(timeNs, m.Geometry.SocketOf(slot.Dimm), m.Geometry.ChannelOf(slot.Dimm), address, 1);
                _nextCeDimm[i] = slot.Dimm;
                Free(ref slot);
                break;
            }

            case SlotKind.Ue:
            {
                ref var rng = ref _dramRng[i];
                ulong address = m.Geometry.RandomAddress(ref rng, slot.Dimm, slot.Region);
                bool consumed = m.Memory.InUse(address) && !rng.Bernoulli(m.Parameters.ScrubFindsFirstFraction);
                if (consumed)
                {
                    int cpu = rng.NextInt(m.Machine.CpuCount);
                    bool user = rng.Bernoulli(m.Parameters.SrarUserFraction);
                    _next[i] = records.MemoryLoadSrar(timeNs, cpu, address, user, ref rng);
                    _nextLoadDimm[i] = slot.Dimm;
                }
                else
                {
                    _next[i] = records.MemoryScrubSrao(timeNs, m.Geometry.SocketOf(slot.Dimm), m.Geometry.ChannelOf(slot.Dimm), address);
                }

                int di = (i * _dimms) + slot.Dimm;
                if (m.Parameters.ReplaceDimmAfterUe && _dimmReplaceNs[di] == long.MaxValue)
                {
                    _dimmReplaceNs[di] = Later(timeNs, m.DimmReplaceDelayNs);
                }

                if (slot.Remaining > 0)
                {
                    slot.Remaining--;
                    slot.NextNs = Later(timeNs, rng.StandardExponential() * m.UeRepeatMeanNs);
                }
                else
                {
                    Free(ref slot);
                }

                break;
            }

            case SlotKind.Cpu:
            {
                ref var rng = ref _cpuRng[i];
                var spec = m.Machine;
                int thread = slot.CpuClass == CpuErrorClass.Corrected ? rng.NextInt(spec.ThreadsPerCore) : 0;
                int cpu = records.CpuOfCore(slot.Core, thread);
                _next[i] = slot.CpuClass switch
                {
                    CpuErrorClass.Corrected => records.CoreCorrected(timeNs, cpu, CoreBank(slot.Variant), m.Memory.InUseAddress(ref rng), 1),
                    CpuErrorClass.LlcUcna => records.LlcUcna(timeNs, cpu, m.Memory.InUseAddress(ref rng)),
                    CpuErrorClass.LlcSrao => records.LlcSrao(timeNs, cpu, m.Memory.InUseAddress(ref rng)),
                    _ => records.CpuFatal(timeNs, cpu, internalTimer: slot.Variant != 0),
                };
                if (slot.Remaining > 0 && rng.Bernoulli(m.Parameters.CpuRecurrenceProbability))
                {
                    slot.Remaining--;
                    slot.NextNs = Later(timeNs, rng.TruncatedExponential(m.CpuRecurrenceRatePerNs, m.CpuRecurrenceWindowNs));
                }
                else
                {
                    Free(ref slot);
                }

                break;
            }

            default:
                throw new UnreachableException($"slot {s} of machine {i} has no arrival");
        }
    }

    private int CoreBank(int variant)
    {
        var r = _model.Records;
        return variant switch
        {
            0 => r.Dcu,
            1 => r.Ifu,
            2 => r.Dtlb,
            _ => r.Mlc,
        };
    }

    /// <summary><paramref name="timeNs"/> + <paramref name="delayNs"/>, or "never" when that reaches the horizon.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Later(long timeNs, double delayNs)
    {
        Debug.Assert(!(delayNs < 0), "delays are not negative (NaN or infinity: never)");
        return delayNs < _horizonNs - timeNs ? timeNs + (long)delayNs : long.MaxValue;
    }

    private Span<FaultSlot> SlotsOf(int i) => _slots.AsSpan(i * _slotsPerMachine, _slotsPerMachine);

    private int Allocate(int i)
    {
        var slots = SlotsOf(i);
        for (int s = 0; s < slots.Length; s++)
        {
            if (slots[s].Kind == SlotKind.Free)
            {
                Free(ref slots[s]);
                return s;
            }
        }

        DroppedFaults++;
        return -1;
    }

    private static void Free(ref FaultSlot slot)
    {
        slot = default;
        slot.NextNs = long.MaxValue;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoStream(int machineIndex) =>
        throw new InvalidOperationException($"machine {machineIndex} has no CE stream pending: PendingStream is false");

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoError(int machineIndex) =>
        throw new InvalidOperationException($"machine {machineIndex} has no error to take: NextArrivalNs is long.MaxValue");
}
