using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Mca.Systems.Components;
using Mca.Systems.Engine;
using Mca.Workloads.Campaign;

namespace Mca.Replay.Recording;

/// <summary>
/// The recorder of one batch: it keeps the inputs the batch takes and the state hashes of its machines, and is
/// created only when a campaign records (<see cref="CampaignOptions.Recorder"/> = <see cref="Attach"/>). It watches
/// the batch as its <see cref="IBatchObserver"/> and reads the rows through the batch's read-only views.
/// </summary>
/// <remarks>
/// A machine's state hash covers its machine, CPU, bank, domain and vCPU rows. The machine and domain rows enter
/// in <see cref="StateHashLayout"/>; bank and CPU rows (most of the bytes, and few of them change) as the wrapping
/// sum of one hash per row (seeded with the row's index within the machine), kept per machine and updated only
/// for the rows written since (<see cref="RowHashes{T}"/>): the batch reports every row it hands out writable,
/// and those views are the only writable ones. The vCPU rows' hash is kept until the batch hands them out again.
/// Nothing depends on where the machine sits in its batch, so a one-machine replay verifies against the fleet's
/// hashes. <see cref="StateHashUncached"/> recomputes everything.
/// </remarks>
internal sealed class BatchRecorder : IBatchObserver, IBatchRecorder
{
    private readonly MachineBatch _batch;
    private readonly List<RecordedInput> _inputs = [];
    private readonly RowHashes<BankState> _bankHashes;
    private readonly RowHashes<CpuState> _cpuHashes;
    private readonly ulong[] _vcpuHash;
    private readonly bool[] _vcpuHashStale;
    private byte[] _scratch = [];

    private BatchRecorder(MachineBatch batch)
    {
        _batch = batch;
        int n = batch.MachineCount;
        // One machine's rows as booted: a machine's first hash takes their hashes for rows still like them.
        _bankHashes = new RowHashes<BankState>(batch.BanksOf, n, batch.Spec.BankInstanceCount, batch.BanksOf(0).ToArray());
        _cpuHashes = new RowHashes<CpuState>(batch.CpusOf, n, batch.Spec.CpuCount, batch.CpusOf(0).ToArray());
        _vcpuHash = new ulong[n];
        _vcpuHashStale = new bool[n];
        _vcpuHashStale.AsSpan().Fill(true);
    }

    /// <summary>Creates a recorder and attaches it to <paramref name="batch"/> (before the batch first runs).</summary>
    public static BatchRecorder Attach(MachineBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var recorder = new BatchRecorder(batch);
        batch.Observe(recorder);
        return recorder;
    }

    /// <inheritdoc/>
    public ReadOnlySpan<RecordedInput> Inputs => CollectionsMarshal.AsSpan(_inputs);

    /// <inheritdoc/>
    public void EpochDone() => _inputs.Clear();

    /// <inheritdoc/>
    public ulong StateHash(int machine) => StateHash(machine, cached: true);

    /// <summary><see cref="StateHash(int)"/> with every row hashed afresh (to check the write reports).</summary>
    public ulong StateHashUncached(int machine) => StateHash(machine, cached: false);

    void IBatchObserver.InputTaken(int machine, in ErrorInjection error) => _inputs.Add(new RecordedInput(_batch.FirstMachineId + machine, error));

    void IBatchObserver.CpusWritten(int machine) => _cpuHashes.MarkAll(machine);

    void IBatchObserver.CpuWritten(int machine, int cpu) => _cpuHashes.Mark(machine, cpu);

    void IBatchObserver.BanksWritten(int machine) => _bankHashes.MarkAll(machine);

    void IBatchObserver.BankWritten(int machine, int row) => _bankHashes.Mark(machine, row);

    void IBatchObserver.VcpusWritten(int machine) => _vcpuHashStale[machine] = true;

    // The rows just written are rehashed while they are in cache, not at the epoch's end.
    void IBatchObserver.RoundDone()
    {
        _bankHashes.Update();
        _cpuHashes.Update();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private ulong StateHash(int machine, bool cached)
    {
        // One-shot hashes only (the streaming hasher copies its input): the machine and domain rows, the bank and CPU
        // sums and the vCPU hash are laid out in one scratch buffer and hashed together.
        var domains = _batch.DomainsOf(machine);
        int size = StateHashLayout.MachineBytes + (domains.Length * StateHashLayout.DomainBytes) + (3 * sizeof(ulong));
        if (_scratch.Length < size)
        {
            _scratch = new byte[size];
        }

        var scratch = _scratch.AsSpan(0, size);
        StateHashLayout.WriteMachine(in _batch.Machines[machine], scratch);
        int at = StateHashLayout.MachineBytes;
        foreach (ref readonly var d in domains)
        {
            StateHashLayout.WriteDomain(in d, scratch[at..]);
            at += StateHashLayout.DomainBytes;
        }

        var tail = MemoryMarshal.Cast<byte, ulong>(scratch[at..]);
        if (cached)
        {
            // A machine's first hash hashes all its rows; from then on the write reports say what to rehash.
            _bankHashes.Update();
            _cpuHashes.Update();
            tail[0] = _bankHashes.Sum(machine);
            tail[1] = _cpuHashes.Sum(machine);
        }
        else
        {
            tail[0] = RowHashes<BankState>.SumUncached(_batch.BanksOf(machine));
            tail[1] = RowHashes<CpuState>.SumUncached(_batch.CpusOf(machine));
        }

        if (!cached || _vcpuHashStale[machine])
        {
            ulong h = System.IO.Hashing.XxHash3.HashToUInt64(MemoryMarshal.AsBytes(_batch.AllVcpusOf(machine)));
            tail[2] = h;
            if (cached)
            {
                _vcpuHash[machine] = h;
                _vcpuHashStale[machine] = false;
            }
        }
        else
        {
            tail[2] = _vcpuHash[machine];
        }

        return System.IO.Hashing.XxHash3.HashToUInt64(scratch);
    }
}
