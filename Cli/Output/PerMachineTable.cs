using System.IO.Compression;
using Mca.Workloads.Campaign;
using Parquet;
using Parquet.Schema;

namespace Mca.Cli.Output;

/// <summary>
/// The per-machine table of a campaign (docs/per-machine.md): one Parquet row per machine, in machine order, with
/// the run's seed, policy and page-offline preset and every count of the machine, so each count column sums to the
/// campaign JSON's total of the same name. Streams as <see cref="Done"/> sees batches: it buffers at most one row
/// group of columns (<see cref="DefaultRowGroupRows"/> machines, about 25 MB), whatever the fleet's size.
/// <see cref="Complete"/> writes the last row group and the footer; a table never completed leaves an incomplete
/// file (no footer), which its <see cref="OutputFile"/> removes. The stream is written, never closed.
/// </summary>
internal sealed class PerMachineTable : IBatchSink
{
    /// <summary>Machines per row group.</summary>
    public const int DefaultRowGroupRows = 65_536;

    private readonly ParquetWriter _writer;
    private readonly Column[] _columns;
    private readonly int _capacity;
    private readonly int _arms;
    private int _rows;
    private long _nextMachine = -1;
    private bool _completed;

    /// <summary>A table written to <paramref name="stream"/> (the output's stream; it stays open).</summary>
    /// <param name="seed">The campaign's seed (column <c>seed</c>).</param>
    /// <param name="policy">The handler policy's name (column <c>policy</c>).</param>
    /// <param name="pageOffline">The page-offline preset (column <c>page_offline</c>).</param>
    public PerMachineTable(Stream stream, ulong seed, string policy, string pageOffline)
        : this(stream, seed, policy, pageOffline, DefaultRowGroupRows)
    {
    }

    /// <summary>As the public constructor, with <paramref name="rowGroupRows"/> machines per row group (tests use small groups).</summary>
    internal PerMachineTable(Stream stream, ulong seed, string policy, string pageOffline, int rowGroupRows)
        : this(stream, seed, [(string.Empty, policy ?? throw new ArgumentNullException(nameof(policy)), pageOffline ?? throw new ArgumentNullException(nameof(pageOffline)))], rowGroupRows)
    {
    }

    /// <summary>
    /// A comparison's table (<c>mca compare --per-machine</c>): one row per machine, and a column set per arm, each column
    /// named with its arm's prefix (<c>arm0_resets</c>, <c>arm1_resets</c>, ...); rows come through <see cref="DoneArms"/>.
    /// </summary>
    internal PerMachineTable(Stream stream, ulong seed, IReadOnlyList<(string Prefix, string Policy, string PageOffline)> arms, int rowGroupRows = DefaultRowGroupRows)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(arms);
        ArgumentOutOfRangeException.ThrowIfLessThan(rowGroupRows, 1);
        _capacity = rowGroupRows;
        _arms = arms.Count;
        var columns = new List<Column>
        {
            new ValueColumn<int>("machine", rowGroupRows, static (int id, in MachineOutcome _) => id),
            new ConstantColumn<ulong>(new DataField<ulong>("seed"), rowGroupRows, seed),
        };
        for (int a = 0; a < arms.Count; a++)
        {
            foreach (var c in ArmColumns(rowGroupRows, arms[a].Prefix, arms[a].Policy, arms[a].PageOffline))
            {
                c.Arm = a;
                columns.Add(c);
            }
        }

        _columns = [.. columns];
        var schema = new ParquetSchema(_columns.Select(c => (Field)c.Field));
        // Zstd at its Optimal level: the smallest files for their time (docs/performance.md "The per-machine table").
        var options = new ParquetOptions { CompressionMethod = CompressionMethod.Zstd, CompressionLevel = CompressionLevel.Optimal };
        _writer = ParquetWriter.CreateAsync(schema, stream, options).GetAwaiter().GetResult();
        _writer.CustomMetadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["mca.per_machine.version"] = "1" };
    }

    /// <summary>Machines written so far (rows in finished row groups and in the buffer).</summary>
    public long Rows { get; private set; }

    /// <summary>Adds the batch's machines; batches come in machine order, each starting where the last ended.</summary>
    public void Done(BatchResult result, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(result);
        DoneArms([result]);
    }

    /// <summary>Adds one batch's machines under every arm (the same machines, in the arms' order).</summary>
    public void DoneArms(IReadOnlyList<BatchResult> arms)
    {
        ArgumentNullException.ThrowIfNull(arms);
        if (arms.Count != _arms)
        {
            throw new ArgumentException($"expected {_arms} arms, found {arms.Count}", nameof(arms));
        }

        var result = arms[0];
        if (_completed)
        {
            throw new InvalidOperationException("The per-machine table is complete: no batch can follow");
        }

        if (_nextMachine >= 0 && result.FirstMachineId != _nextMachine)
        {
            throw new InvalidOperationException($"Per-machine rows go in machine order: expected machine {_nextMachine} next, found batch {result.Batch} starting at machine {result.FirstMachineId}");
        }

        int first = result.FirstMachineId;
        int offset = 0, count = result.Machines.Length;
        while (offset < count)
        {
            int take = Math.Min(count - offset, _capacity - _rows);
            foreach (var column in _columns)
            {
                column.Set(_rows, first, arms[column.Arm].Machines.AsSpan(offset, take));
            }

            _rows += take;
            Rows += take;
            first += take;
            offset += take;
            if (_rows == _capacity)
            {
                WriteRowGroup();
            }
        }

        _nextMachine = (long)result.FirstMachineId + result.Machines.Length;
    }

    /// <summary>Writes the buffered rows as the last row group and the file's footer: the file is complete.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        WriteRowGroup();
        _writer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _completed = true;
    }

    private void WriteRowGroup()
    {
        if (_rows == 0)
        {
            return;
        }

        using (var group = _writer.CreateRowGroup())
        {
            foreach (var column in _columns)
            {
                column.WriteAsync(group, _rows).GetAwaiter().GetResult();
            }

            group.CompleteValidate();
        }

        _rows = 0;
    }

    /// <summary>
    /// Every column. The counts come from <see cref="MachineOutcome.Counts"/>, tallied as the campaign's totals are;
    /// a hashed fact that equals a count by definition (resets, MCEs, vMCEs, crashed domains, delivered and lost
    /// records) is that count's column, and the other two are <c>uncorrected_arrivals</c> and <c>event_hash</c>.
    /// </summary>
    private static Column[] ArmColumns(int n, string p, string policy, string pageOffline) =>
    [
        new ConstantColumn<ReadOnlyMemory<char>>(new DataField<string>(p + "policy", false), n, policy.AsMemory()),
        new ConstantColumn<ReadOnlyMemory<char>>(new DataField<string>(p + "page_offline", false), n, pageOffline.AsMemory()),
        Count(p + "error_arrivals", n, static (int _, in MachineOutcome m) => m.Counts.ErrorArrivals),
        Count(p + "corrected", n, static (int _, in MachineOutcome m) => m.Counts.Corrected),
        Count(p + "ucna", n, static (int _, in MachineOutcome m) => m.Counts.Ucna),
        Count(p + "srao", n, static (int _, in MachineOutcome m) => m.Counts.Srao),
        Count(p + "srar", n, static (int _, in MachineOutcome m) => m.Counts.Srar),
        Count(p + "fatal", n, static (int _, in MachineOutcome m) => m.Counts.Fatal),
        Count(p + "uncorrected_arrivals", n, static (int _, in MachineOutcome m) => m.UncorrectedArrivals),
        Count(p + "mce_events", n, static (int _, in MachineOutcome m) => m.Counts.MceEvents),
        Count(p + "cmci_events", n, static (int _, in MachineOutcome m) => m.Counts.CmciEvents),
        Count(p + "poll_finds", n, static (int _, in MachineOutcome m) => m.Counts.PollFinds),
        Count(p + "resets", n, static (int _, in MachineOutcome m) => m.Counts.Resets),
        new NullableColumn<long>(p + "first_reset_ns", n, static (int _, in MachineOutcome m) => m.Resets > 0 ? m.FirstResetNs : null),
        new NullableColumn<double>(p + "first_reset_days", n, static (int _, in MachineOutcome m) => m.Resets > 0 ? m.FirstResetNs / (double)CampaignOptions.DayNs : null),
        Count(p + "vmce_injected", n, static (int _, in MachineOutcome m) => m.Counts.VmceInjected),
        Count(p + "vmce_vcpu_deliveries", n, static (int _, in MachineOutcome m) => m.Counts.VmceDeliveredToVcpus),
        Count(p + "guest_recovered", n, static (int _, in MachineOutcome m) => m.Counts.GuestRecovered),
        Count(p + "guest_process_killed", n, static (int _, in MachineOutcome m) => m.Counts.GuestProcessKilled),
        Count(p + "guest_panic", n, static (int _, in MachineOutcome m) => m.Counts.GuestPanic),
        Count(p + "domains_crashed", n, static (int _, in MachineOutcome m) => m.Counts.DomainsCrashed),
        Count(p + "pages_offlined", n, static (int _, in MachineOutcome m) => m.Counts.PagesOfflined),
        Count(p + "daemon_offlined", n, static (int _, in MachineOutcome m) => m.Counts.DaemonOfflined),
        Count(p + "daemon_pending", n, static (int _, in MachineOutcome m) => m.Counts.DaemonPending),
        Count(p + "daemon_failed", n, static (int _, in MachineOutcome m) => m.Counts.DaemonFailed),
        Count(p + "daemon_accounted", n, static (int _, in MachineOutcome m) => m.Counts.DaemonAccounted),
        Count(p + "dimm_triggers", n, static (int _, in MachineOutcome m) => m.Counts.DimmTriggers),
        Count(p + "socket_triggers", n, static (int _, in MachineOutcome m) => m.Counts.SocketTriggers),
        Count(p + "memory_retired_bytes", n, static (int _, in MachineOutcome m) => m.Counts.MemoryRetiredBytes),
        Count(p + "ues_on_retired_pages", n, static (int _, in MachineOutcome m) => m.Counts.UesOnRetiredPages),
        Count(p + "logs_delivered", n, static (int _, in MachineOutcome m) => m.Counts.LogsDelivered),
        Count(p + "logs_lost", n, static (int _, in MachineOutcome m) => m.Counts.LogsLost),
        Count(p + "lost_pool_exhausted", n, static (int _, in MachineOutcome m) => m.Counts.LostPoolExhausted),
        Count(p + "lost_reset_before_fetch", n, static (int _, in MachineOutcome m) => m.Counts.LostResetBeforeFetch),
        Count(p + "lost_virq_not_bound", n, static (int _, in MachineOutcome m) => m.Counts.LostVirqNotBound),
        Count(p + "lost_interposed", n, static (int _, in MachineOutcome m) => m.Counts.LostInterposed),
        Count(p + "lost_overwritten", n, static (int _, in MachineOutcome m) => m.Counts.LostOverwritten),
        Count(p + "lost_dom0_buffer", n, static (int _, in MachineOutcome m) => m.Counts.LostDom0Buffer),
        Count(p + "downtime_ns", n, static (int _, in MachineOutcome m) => m.Counts.DowntimeNs),
        new ValueColumn<int>(p + "dimms_with_ce", n, static (int _, in MachineOutcome m) => m.DimmsWithCe),
        Count(p + "handler_events", n, static (int _, in MachineOutcome m) => m.Counts.HandlerEvents),
        new ValueColumn<ulong>(p + "event_hash", n, static (int _, in MachineOutcome m) => m.EventHash),
    ];

    private static ValueColumn<long> Count(string name, int n, Read<long> read) => new(name, n, read);

    /// <summary>One machine's value of a column; <paramref name="machine"/> is its id.</summary>
    private delegate T Read<out T>(int machine, in MachineOutcome m);

    /// <summary>A column's buffer for one row group.</summary>
    private abstract class Column(DataField field)
    {
        public DataField Field { get; } = field;

        /// <summary>The arm whose machines fill it (0 but in a comparison's table).</summary>
        public int Arm { get; set; }

        /// <summary>Fills rows <paramref name="row"/> onward from consecutive machines, the first with id <paramref name="firstMachine"/>.</summary>
        public abstract void Set(int row, int firstMachine, ReadOnlySpan<MachineOutcome> machines);

        /// <summary>Writes the first <paramref name="rows"/> rows to the row group.</summary>
        public abstract Task WriteAsync(ParquetRowGroupWriter group, int rows);
    }

    private sealed class ValueColumn<T>(string name, int capacity, Read<T> read) : Column(new DataField<T>(name))
        where T : struct
    {
        private readonly T[] _values = new T[capacity];

        public override void Set(int row, int firstMachine, ReadOnlySpan<MachineOutcome> machines)
        {
            for (int i = 0; i < machines.Length; i++)
            {
                _values[row + i] = read(firstMachine + i, in machines[i]);
            }
        }

        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) => group.WriteAsync<T>(Field, _values.AsMemory(0, rows));
    }

    private sealed class NullableColumn<T>(string name, int capacity, Read<T?> read) : Column(new DataField<T?>(name))
        where T : struct
    {
        private readonly T?[] _values = new T?[capacity];

        public override void Set(int row, int firstMachine, ReadOnlySpan<MachineOutcome> machines)
        {
            for (int i = 0; i < machines.Length; i++)
            {
                _values[row + i] = read(firstMachine + i, in machines[i]);
            }
        }

        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) => group.WriteAsync<T>(Field, _values.AsMemory(0, rows));
    }

    /// <summary>The same value in every row (the run's seed, policy and preset): filled once.</summary>
    private sealed class ConstantColumn<T> : Column
        where T : struct
    {
        private readonly T[] _values;

        public ConstantColumn(DataField field, int capacity, T value)
            : base(field)
        {
            _values = new T[capacity];
            Array.Fill(_values, value);
        }

        public override void Set(int row, int firstMachine, ReadOnlySpan<MachineOutcome> machines)
        {
        }

        public override Task WriteAsync(ParquetRowGroupWriter group, int rows) => group.WriteAsync<T>(Field, _values.AsMemory(0, rows));
    }
}
