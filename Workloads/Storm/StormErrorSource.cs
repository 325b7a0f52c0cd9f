using System.Diagnostics;
using System.Runtime.CompilerServices;
using Mca.Ecs;
using Mca.Systems.Engine;
using Mca.Systems.Model;
using Mca.Workloads.Campaign;
using Mca.Workloads.Field;

namespace Mca.Workloads.Storm;

/// <summary>
/// The <c>storm</c> workload: corrected-error storms and a high rate of uncorrected errors, for stress
/// and throughput work (<see cref="StormParameters"/>).
/// <list type="bullet">
/// <item>A storm hammers one bank for a while: the memory controller (bank 8, one bad line) or a core's
/// MLC (bank 3) or DCU (bank 0), for an exponential time: a Poisson stream of CEs at
/// <see cref="StormParameters.StormCePerSecond"/>, each at its own instant (a <see cref="CeTimeline"/> keyed by the
/// machine and the storm), which the engine takes in closed-form runs (<see cref="ICeStreamSource"/>).</item>
/// <item>Uncorrected errors arrive as a Poisson stream: LLC UCNA, SRAO (patrol scrub or LLC writeback),
/// SRAR loads in frames in use (the consumer runs the frame's owner, or Xen) and fatal PCC errors.</item>
/// </list>
/// Each machine's stream is a pure function of (campaign seed, fleet machine id); resets change nothing.
/// State is a fixed table per batch; Take allocates nothing.
/// </summary>
internal sealed class StormErrorSource : ICeStreamSource
{
    /// <summary>Stream purpose: "STORM" in ASCII.</summary>
    internal const ulong Purpose = 0x5354_4F52_4D00;
    /// <summary>The high bits of a storm's CE stream key ("SC" in ASCII); the machine and the storm fill the rest.</summary>
    private const ulong StreamKeyBase = 0x5343_0000_0000_0000;

    private const byte StormMemory = 0;
    private const byte StormMlc = 1;
    private const byte StormDcu = 2;

    private readonly Model _model;
    private readonly long _horizonNs;
    private readonly CounterRng[] _rng;
    private readonly ErrorInjection[] _next;
    private readonly long[] _nextNs;
    private readonly long[] _stormStartNs;
    private readonly long[] _stormEndNs;
    private readonly long[] _stormNextNs;
    private readonly CeTimeline[] _storm;
    /// <summary>Per machine: the index of the storm's next CE after the pending one, and the storm's CEs before its end.</summary>
    private readonly long[] _stormIndex;
    private readonly long[] _stormLimit;
    private readonly int[] _storms;
    private readonly bool[] _pendingStorm;
    private readonly CeTimeline.Path _path = new();
    private readonly ulong _seed;
    private readonly byte[] _stormKind;
    private readonly short[] _stormCpu;
    private readonly ulong[] _stormAddr;
    private readonly long[] _ucNs;

    private StormErrorSource(Model model, ulong seed, int firstMachineId, int machineCount, long horizonNs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstMachineId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(machineCount);
        ArgumentOutOfRangeException.ThrowIfNegative(horizonNs);
        _model = model;
        _seed = seed;
        _horizonNs = horizonNs;
        FirstMachineId = firstMachineId;
        MachineCount = machineCount;
        _rng = new CounterRng[machineCount];
        _next = new ErrorInjection[machineCount];
        _nextNs = new long[machineCount];
        _stormStartNs = new long[machineCount];
        _stormEndNs = new long[machineCount];
        _stormNextNs = new long[machineCount];
        _storm = new CeTimeline[machineCount];
        _stormIndex = new long[machineCount];
        _stormLimit = new long[machineCount];
        _storms = new int[machineCount];
        _pendingStorm = new bool[machineCount];
        _stormKind = new byte[machineCount];
        _stormCpu = new short[machineCount];
        _stormAddr = new ulong[machineCount];
        _ucNs = new long[machineCount];
        for (int i = 0; i < machineCount; i++)
        {
            _rng[i] = CounterRng.Create(seed, (ulong)(firstMachineId + i), Purpose);
            _stormStartNs[i] = Later(0, _rng[i].StandardExponential() * model.StormGapNs);
            _stormEndNs[i] = long.MaxValue;
            _stormNextNs[i] = long.MaxValue;
            _ucNs[i] = Later(0, _rng[i].StandardExponential() * model.UcGapNs);
            Advance(i);
        }
    }

    public int FirstMachineId { get; }
    public int MachineCount { get; }

    /// <summary>The factory a campaign calls per batch; validates <paramref name="parameters"/> once.</summary>
    /// <exception cref="ArgumentException">A parameter is out of range.</exception>
    public static ErrorSourceFactory Factory(MachineSpec machine, StormParameters parameters, ulong seed)
    {
        var model = new Model(machine, parameters);
        return (first, count, horizon) => new StormErrorSource(model, seed, first, count, horizon);
    }

    public long NextArrivalNs(int machineIndex) => _nextNs[machineIndex];

    public ErrorInjection Take(int machineIndex)
    {
        if (_nextNs[machineIndex] == long.MaxValue)
        {
            ThrowNoError(machineIndex);
        }

        var e = _next[machineIndex];
        Advance(machineIndex);
        Debug.Assert(_nextNs[machineIndex] >= e.TimeNs, "arrivals come in time order");
        return e;
    }

    public bool PendingStream(int machineIndex, out long otherNs)
    {
        otherNs = Math.Min(_ucNs[machineIndex], _stormStartNs[machineIndex]);
        return _pendingStorm[machineIndex] && _nextNs[machineIndex] != long.MaxValue;
    }

    public long StreamCount(int machineIndex, long untilNs)
    {
        long pending = PendingIndex(machineIndex);
        if (untilNs <= _stormNextNs[machineIndex])
        {
            return untilNs > _nextNs[machineIndex] ? 1 : 0;
        }

        return Math.Min(_storm[machineIndex].CountBefore(untilNs, PathOf(machineIndex)), _stormLimit[machineIndex]) - pending;
    }

    public long StreamTime(int machineIndex, long k) =>
        k == 0 ? _nextNs[machineIndex] : _storm[machineIndex].TimeOf(PendingIndex(machineIndex) + k, PathOf(machineIndex));

    public ErrorInjection StreamError(int machineIndex, long k) =>
        k == 0 ? _next[machineIndex] : StormCe(machineIndex, StreamTime(machineIndex, k));

    public long StreamDenseAt(int machineIndex, long untilNs, long windowNs, long k)
    {
        PendingIndex(machineIndex);
        return _storm[machineIndex].DenseAt(_nextNs[machineIndex], Math.Min(untilNs, _stormEndNs[machineIndex]), windowNs, k);
    }

    public void SkipStream(int machineIndex, long n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        long next = PendingIndex(machineIndex) + n;
        Debug.Assert(next <= _stormLimit[machineIndex], "a run takes CEs of the storm");
        _stormIndex[machineIndex] = next;
        _stormNextNs[machineIndex] = next < _stormLimit[machineIndex] ? _storm[machineIndex].TimeOf(next, PathOf(machineIndex)) : long.MaxValue;
        Advance(machineIndex);
    }

    private long PendingIndex(int machineIndex)
    {
        if (!_pendingStorm[machineIndex])
        {
            throw new InvalidOperationException($"machine {machineIndex} has no storm CE pending: PendingStream is false");
        }

        return _stormIndex[machineIndex] - 1;
    }

    private CeTimeline.Path PathOf(int machineIndex)
    {
        ulong owner = ((ulong)(FirstMachineId + machineIndex) << 32) | (uint)_storms[machineIndex];
        if (_path.Owner != owner)
        {
            _path.Reset(owner);
        }

        return _path;
    }

    /// <summary>A reset changes nothing: the stream goes on, so every policy sees the same errors.</summary>
    public void OnReset(int machineIndex, long timeNs)
    {
    }

    private void Advance(int i)
    {
        // Bounded: a storm starts at most once per loop and the next start is strictly later.
        for (int guard = 0; ; guard++)
        {
            Debug.Assert(guard < 3, "at most one storm starts before an arrival");
            long start = _stormStartNs[i];
            long storm = _stormNextNs[i];
            long uc = _ucNs[i];
            if (start != long.MaxValue && start <= Math.Min(storm, uc))
            {
                StartStorm(i, start);
                continue;
            }

            if (storm == long.MaxValue && uc == long.MaxValue)
            {
                _nextNs[i] = long.MaxValue;
                _pendingStorm[i] = false;
                return;
            }

            if (storm <= uc)
            {
                EmitStorm(i, storm);
            }
            else
            {
                EmitUncorrected(i, uc);
            }

            return;
        }
    }

    private void StartStorm(int i, long timeNs)
    {
        var m = _model;
        var spec = m.Machine;
        ref var rng = ref _rng[i];
        long end = Later(timeNs, Math.Max(1.0, rng.StandardExponential() * m.StormDurationMeanNs));
        _stormEndNs[i] = end;
        _stormStartNs[i] = end == long.MaxValue ? long.MaxValue : Later(end, rng.StandardExponential() * m.StormGapNs);
        // The storm's CEs: a Poisson stream from its start to its end (or the horizon), keyed by the machine and the storm.
        long until = Math.Min(end, _horizonNs);
        int storm = ++_storms[i];
        ulong key = StreamKeyBase ^ ((ulong)(FirstMachineId + i) << 24) ^ (uint)storm;
        _storm[i] = new CeTimeline(_seed, key, timeNs, Math.Max(1, until - timeNs), m.StormCePerNs);
        _stormLimit[i] = _storm[i].CountBefore(until);
        _stormIndex[i] = 0;
        _path.Reset(ulong.MaxValue);
        _stormNextNs[i] = _stormLimit[i] > 0 ? _storm[i].TimeOf(0) : long.MaxValue;
        if (rng.Bernoulli(m.Parameters.StormMemoryFraction))
        {
            _stormKind[i] = StormMemory;
            _stormCpu[i] = (short)m.Records.FirstCpuOfSocket(rng.NextInt(spec.SocketCount));
            _stormAddr[i] = m.Memory.AnyAddress(ref rng);
        }
        else
        {
            _stormKind[i] = rng.NextInt(2) == 0 ? StormMlc : StormDcu;
            _stormCpu[i] = (short)rng.NextInt(spec.CpuCount);
            _stormAddr[i] = m.Memory.InUseAddress(ref rng);
        }
    }

    private void EmitStorm(int i, long timeNs)
    {
        _next[i] = StormCe(i, timeNs);
        _nextNs[i] = timeNs;
        _pendingStorm[i] = true;
        long next = ++_stormIndex[i];
        _stormNextNs[i] = next < _stormLimit[i] ? _storm[i].TimeOf(next, PathOf(i)) : long.MaxValue;
    }

    /// <summary>One CE of machine <paramref name="i"/>'s storm: its bank, its one address.</summary>
    private ErrorInjection StormCe(int i, long timeNs)
    {
        var m = _model;
        var r = m.Records;
        int cpu = _stormCpu[i];
        return _stormKind[i] switch
        {
            StormMemory => r.MemoryCorrected(timeNs, m.Machine.SocketOf(cpu), Channel(_stormAddr[i]), _stormAddr[i], 1),
            StormMlc => r.CoreCorrected(timeNs, cpu, r.Mlc, _stormAddr[i], 1),
            _ => r.CoreCorrected(timeNs, cpu, r.Dcu, _stormAddr[i], 1),
        };
    }

    private void EmitUncorrected(int i, long timeNs)
    {
        var m = _model;
        var r = m.Records;
        var spec = m.Machine;
        var p = m.Parameters;
        ref var rng = ref _rng[i];
        int cpu = rng.NextInt(spec.CpuCount);
        _pendingStorm[i] = false;
        _next[i] = rng.Weighted(m.UcWeights, m.UcPerMachineYear) switch
        {
            0 => r.LlcUcna(timeNs, cpu, m.Memory.InUseAddress(ref rng)),
            1 when rng.Bernoulli(p.LlcSraoFraction) => r.LlcSrao(timeNs, cpu, m.Memory.InUseAddress(ref rng)),
            1 => ScrubSrao(timeNs, ref rng),
            2 => r.MemoryLoadSrar(timeNs, cpu, m.Memory.InUseAddress(ref rng), rng.Bernoulli(p.SrarUserFraction), ref rng),
            _ => r.CpuFatal(timeNs, cpu, internalTimer: rng.NextInt(2) == 0),
        };
        _nextNs[i] = timeNs;
        _ucNs[i] = Later(timeNs, rng.StandardExponential() * m.UcGapNs);
    }

    private ErrorInjection ScrubSrao(long timeNs, ref CounterRng rng)
    {
        ulong address = _model.Memory.AnyAddress(ref rng);
        return _model.Records.MemoryScrubSrao(timeNs, rng.NextInt(_model.Machine.SocketCount), Channel(address), address);
    }

    /// <summary>A memory-controller channel (0-3) for an address: 4 KiB pages interleaved over four channels.</summary>
    private static int Channel(ulong address) => (int)((address >> MemoryMap.PageShift) & 3);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Later(long timeNs, double delayNs)
    {
        Debug.Assert(!(delayNs < 0), "delays are not negative (NaN or infinity: never)");
        return delayNs < _horizonNs - timeNs ? timeNs + (long)delayNs : long.MaxValue;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowNoError(int machineIndex) =>
        throw new InvalidOperationException($"machine {machineIndex} has no error to take: NextArrivalNs is long.MaxValue");

    /// <summary>What every batch of one storm campaign shares: parameters as nanosecond means and rates.</summary>
    private sealed class Model
    {
        private const double YearNs = 365 * 86_400.0 * MachineSpec.NsPerSecond;
        private readonly double[] _ucWeights = new double[4];

        public Model(MachineSpec machine, StormParameters p)
        {
            ArgumentNullException.ThrowIfNull(machine);
            ArgumentNullException.ThrowIfNull(p);
            p.Validate();
            Machine = machine;
            // A copy: the record is settable by reflection (the spec loader), and a running campaign must not see later changes.
            Parameters = p with { };
            Records = new ErrorRecords(machine);
            Memory = new MemoryRanges(machine);
            StormGapNs = p.StormsPerMachineYear > 0 ? YearNs / p.StormsPerMachineYear : double.PositiveInfinity;
            StormDurationMeanNs = p.StormDurationMeanMinutes * 60 * MachineSpec.NsPerSecond;
            StormCePerNs = p.StormCePerSecond / MachineSpec.NsPerSecond;
            _ucWeights[0] = p.UcnaPerMachineYear;
            _ucWeights[1] = p.SraoPerMachineYear;
            _ucWeights[2] = p.SrarPerMachineYear;
            _ucWeights[3] = p.FatalPerMachineYear;
            UcPerMachineYear = p.UcnaPerMachineYear + p.SraoPerMachineYear + p.SrarPerMachineYear + p.FatalPerMachineYear;
            UcGapNs = UcPerMachineYear > 0 ? YearNs / UcPerMachineYear : double.PositiveInfinity;
        }

        public MachineSpec Machine { get; }
        public StormParameters Parameters { get; }
        public ErrorRecords Records { get; }
        public MemoryRanges Memory { get; }
        public double StormGapNs { get; }
        public double StormDurationMeanNs { get; }
        public double StormCePerNs { get; }
        public ReadOnlySpan<double> UcWeights => _ucWeights;
        public double UcPerMachineYear { get; }
        public double UcGapNs { get; }
    }
}
