using System.Text.Json;
using System.Text.RegularExpressions;
using Mca.Cli.Output;
using Mca.Workloads.Campaign;
using Parquet;
using Parquet.Schema;

namespace Mca.Cli.Tests;

/// <summary>
/// The per-machine Parquet table (docs/per-machine.md) and <c>mca query</c> over it: rows in machine order, nulls
/// where a machine never reset, the documented columns and types, several row groups with bounded buffering.
/// </summary>
public sealed partial class PerMachineTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-permachine-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A machine with the given counts; <paramref name="firstResetNs"/> matters only with resets.</summary>
    private static MachineOutcome Machine(int resets, long corrected, long firstResetNs = 0, int dimmsWithCe = 0)
    {
        var m = new MachineOutcome
        {
            Resets = resets,
            MceEvents = resets,
            CorrectedErrors = corrected,
            FirstResetNs = firstResetNs,
            DimmsWithCe = dimmsWithCe,
            EventHash = (ulong)(corrected * 31 + resets) | (1UL << 63),
        };
        m.Counts.Resets = resets;
        m.Counts.MceEvents = resets;
        m.Counts.Corrected = corrected;
        m.Counts.ErrorArrivals = corrected + resets;
        m.Counts.Fatal = resets;
        m.Counts.DowntimeNs = resets * 300_000_000_000L;
        m.Counts.PagesRetiredAtEnd = corrected > 0 ? 2 : 0;
        m.Counts.HandlerEvents = 3 * (corrected + resets);
        return m;
    }

    private static BatchResult Batch(int batch, int firstMachine, params MachineOutcome[] machines) => new(batch, firstMachine, machines, [], 0);

    /// <summary>Three batches, six machines (ids 10..15); machines 11 and 14 reset.</summary>
    private string WriteSample(string name = "run.parquet", int rowGroupRows = PerMachineTable.DefaultRowGroupRows)
    {
        string path = Path.Combine(_dir, name);
        using var file = new FileStream(path, FileMode.CreateNew);
        var table = new PerMachineTable(file, seed: 42, policy: "rfc2009", pageOffline: "mcelog", rowGroupRows);
        table.Done(Batch(0, 10, Machine(0, 5, dimmsWithCe: 1), Machine(1, 0, firstResetNs: CampaignOptions.DayNs * 3 / 2)), resumed: false);
        table.Done(Batch(1, 12, Machine(0, 0), Machine(0, 7, dimmsWithCe: 2)), resumed: true);
        table.Done(Batch(2, 14, Machine(2, 1, firstResetNs: 1_000), Machine(0, 0)), resumed: false);
        table.Complete();
        Assert.True(file.CanWrite, "the table leaves its stream open");
        return path;
    }

    private static async Task<(string[] Names, List<int> Machines, List<long?> FirstReset, int RowGroups, ParquetSchema Schema)> ReadBack(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        var fields = reader.Schema.GetDataFields();
        var machineField = fields.Single(f => f.Name == "machine");
        var resetField = fields.Single(f => f.Name == "first_reset_ns");
        var machines = new List<int>();
        var firstReset = new List<long?>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using var group = reader.OpenRowGroupReader(g);
            var ids = new int[group.RowCount];
            await group.ReadAsync<int>(machineField, ids);
            var resets = new long?[group.RowCount];
            await group.ReadAsync<long>(resetField, resets);
            machines.AddRange(ids);
            firstReset.AddRange(resets);
        }

        return ([.. fields.Select(f => f.Name)], machines, firstReset, reader.RowGroupCount, reader.Schema);
    }

    /// <summary>The column table of docs/per-machine.md: name and DuckDB type of each row whose first cell is a <c>`name`</c>.</summary>
    private static List<(string Name, string Type)> DocumentedColumns()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "docs", "per-machine.md")))
        {
            dir = dir.Parent;
        }

        string doc = File.ReadAllText(Path.Combine(dir?.FullName ?? throw new FileNotFoundException("docs/per-machine.md not found above the test binaries"), "docs", "per-machine.md"));
        return [.. ColumnRow().Matches(doc).Select(m => (m.Groups[1].Value, m.Groups[2].Value))];
    }

    [GeneratedRegex(@"^\| `([a-z0-9_]+)` \| `([A-Z]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ColumnRow();

    [Fact]
    public async Task Write_SyntheticBatches_RowsInMachineOrderWithNullFirstReset()
    {
        string path = WriteSample();
        var (names, machines, firstReset, groups, schema) = await ReadBack(path);
        Assert.Equal(1, groups);
        Assert.Equal([10, 11, 12, 13, 14, 15], machines);
        Assert.Equal([null, CampaignOptions.DayNs * 3 / 2, null, null, 1_000L, null], firstReset);
        Assert.Equal([.. DocumentedColumns().Select(c => c.Name)], names);
        Assert.Equal(names.Length, names.Distinct(StringComparer.Ordinal).Count());
        Assert.True(schema.DataFields.Single(f => f.Name == "first_reset_days").IsNullable);
        Assert.Equal(typeof(ulong), schema.DataFields.Single(f => f.Name == "seed").ClrType);
        Assert.Equal(typeof(int), schema.DataFields.Single(f => f.Name == "machine").ClrType);
    }

    [Fact]
    public void Query_Describe_TypesAreTheDocumentedOnes()
    {
        string path = WriteSample();
        var r = Mca("query", path, "select column_name as name, column_type as type from (describe select * from machines)", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var actual = doc.RootElement.EnumerateArray().Select(e => (e.GetProperty("name").GetString()!, e.GetProperty("type").GetString()!)).ToList();
        Assert.Equal(DocumentedColumns(), actual);
    }

    [Fact]
    public void Query_CountAndSum_Json()
    {
        string path = WriteSample();
        var r = Mca("query", path, "select count(*) as n, sum(resets) as r, sum(corrected) as ce, count(first_reset_ns) as reset_machines, "
            + "max(first_reset_days) as days, sum(memory_retired_bytes) as retired, any_value(policy) as policy, max(seed) as seed from machines", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal("", r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var row = Assert.Single(doc.RootElement.EnumerateArray().ToList());
        Assert.Equal(6, row.GetProperty("n").GetInt64());
        Assert.Equal(3, row.GetProperty("r").GetInt64());
        Assert.Equal(13, row.GetProperty("ce").GetInt64());
        Assert.Equal(2, row.GetProperty("reset_machines").GetInt64());
        Assert.Equal(1.5, row.GetProperty("days").GetDouble());
        Assert.Equal(3 * 2 * 4096, row.GetProperty("retired").GetInt64());
        Assert.Equal("rfc2009", row.GetProperty("policy").GetString());
        Assert.Equal(42UL, row.GetProperty("seed").GetUInt64());
    }

    [Fact]
    public void Query_FilesNamedInSql_NullsAndTable()
    {
        WriteSample("a.parquet");
        string b = WriteSample("b.parquet");
        string glob = Path.Combine(_dir, "*.parquet");
        var json = Mca("query", b, $"select machine, first_reset_ns, page_offline from '{glob}' where machine = 10 limit 1", "--json");
        Assert.True(json.Code == 0, json.Err);
        Assert.Equal("[\n  {\n    \"machine\": 10,\n    \"first_reset_ns\": null,\n    \"page_offline\": \"mcelog\"\n  }\n]\n", json.Out);

        var table = Mca("query", b, $"select policy, count(*) as machines, avg((resets > 0)::int) as share_reset from '{glob}' group by policy");
        Assert.True(table.Code == 0, table.Err);
        Assert.Equal(
            "policy   machines         share_reset\n" +
            "-------  --------  ------------------\n" +
            "rfc2009        12  0.3333333333333333\n", table.Out);
    }

    [Fact]
    public void Query_SeveralFiles_MachinesViewUnionsThem()
    {
        string a = WriteSample("a.parquet");
        string b = WriteSample("b.parquet");
        var r = Mca("query", a, b, "select count(*) as n from machines", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(12, doc.RootElement[0].GetProperty("n").GetInt64());
    }

    [Fact]
    public void Query_BadSql_OneLineExit2()
    {
        string path = WriteSample();
        var r = Mca("query", path, "selec count(*) from machines");
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("mca: query: ", line, StringComparison.Ordinal);
        Assert.Contains("syntax error", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", line, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", line, StringComparison.Ordinal);

        var unknown = Mca("query", path, "select nosuch from machines", "--json");
        Assert.Equal(2, unknown.Code);
        Assert.StartsWith("mca: query: Binder Error: ", Assert.Single(unknown.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text.mce", "CPU 0 BANK 8\n", "found \"CPU \" at its start")]
    [InlineData("empty.parquet", "", "found an empty file")]
    [InlineData("cut.parquet", "PAR1\0\0\0\0\0", "found no PAR1 at its end")]
    [InlineData("missing.parquet", null, "found no such file")]
    [InlineData("sub", "/", "found a directory")]
    public void Query_NotParquet_OneLineNamingTheFile(string name, string? content, string found)
    {
        string path = Path.Combine(_dir, name);
        if (content == "/")
        {
            Directory.CreateDirectory(path);
        }
        else if (content is not null)
        {
            File.WriteAllText(path, content);
        }

        string good = WriteSample();
        var r = Mca("query", good, path, "select 1");
        Assert.Equal(2, r.Code);
        Assert.Equal("", r.Out);
        string line = Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"mca: {path}: expected a Parquet file (PAR1), {found}", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Query_SqlOnly_IsAUsageError()
    {
        var r = Mca("query", "select 1");
        Assert.Equal(2, r.Code);
        Assert.StartsWith("mca: ", Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_MoreRowsThanARowGroup_SeveralGroupsAllRows()
    {
        string path = Path.Combine(_dir, "groups.parquet");
        await using (var file = new FileStream(path, FileMode.CreateNew))
        {
            var table = new PerMachineTable(file, 7, "xen", "off", rowGroupRows: 7);
            for (int b = 0; b < 3; b++)
            {
                // Batches of 10 straddle the groups of 7.
                table.Done(Batch(b, b * 10, [.. Enumerable.Range(0, 10).Select(i => Machine(i % 3 == 0 ? 1 : 0, i, firstResetNs: i))]), resumed: false);
            }

            Assert.Equal(30, table.Rows);
            table.Complete();
        }

        var (_, machines, firstReset, groups, _) = await ReadBack(path);
        Assert.Equal(5, groups);
        Assert.Equal(Enumerable.Range(0, 30), machines);
        Assert.Equal(Enumerable.Range(0, 30).Select(m => m % 10 % 3 == 0 ? (long?)(m % 10) : null), firstReset);

        var r = Mca("query", path, "select count(*) as n, sum(resets) as r from machines", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.Equal(30, doc.RootElement[0].GetProperty("n").GetInt64());
        Assert.Equal(12, doc.RootElement[0].GetProperty("r").GetInt64());
    }

    [Fact]
    public void Write_NoMachines_AFileWithNoRows()
    {
        string path = Path.Combine(_dir, "none.parquet");
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            new PerMachineTable(file, 1, "xen", "off").Complete();
        }

        var r = Mca("query", path, "select count(*) as n from machines", "--json");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("\"n\": 0", r.Out, StringComparison.Ordinal);
    }

    /// <summary>
    /// A real campaign into the table (as <c>mca campaign --per-machine</c> will): each count column sums to the
    /// campaign JSON's total, and machines with any reset or uncorrected arrival are the JSON's machine counts.
    /// </summary>
    [Fact]
    public void Campaign_AsSink_ColumnsSumToTheJsonTotals()
    {
        var spec = new CampaignSpec { Machines = 300, Days = 60, Workload = "storm", Policy = "xen", BatchSize = 64, Seed = 5 };
        var options = spec.ToOptions(2);
        string path = Path.Combine(_dir, "campaign.parquet");
        CampaignResult result;
        using (var file = new FileStream(path, FileMode.CreateNew))
        {
            var table = new PerMachineTable(file, spec.Seed, options.Policy.Name, options.Policy.Dom0Daemon.Name, rowGroupRows: 100);
            result = CampaignRunner.Run(options, sink: table);
            table.Complete();
        }

        var c = result.Counts;
        var totals = new (string Column, long Total)[]
        {
            ("error_arrivals", c.ErrorArrivals), ("corrected", c.Corrected), ("ucna", c.Ucna), ("srao", c.Srao), ("srar", c.Srar), ("fatal", c.Fatal),
            ("mce_events", c.MceEvents), ("cmci_events", c.CmciEvents), ("poll_finds", c.PollFinds), ("resets", c.Resets),
            ("vmce_injected", c.VmceInjected), ("vmce_vcpu_deliveries", c.VmceDeliveredToVcpus), ("guest_recovered", c.GuestRecovered),
            ("guest_process_killed", c.GuestProcessKilled), ("guest_panic", c.GuestPanic), ("domains_crashed", c.DomainsCrashed),
            ("pages_offlined", c.PagesOfflined), ("daemon_offlined", c.DaemonOfflined), ("daemon_pending", c.DaemonPending),
            ("daemon_failed", c.DaemonFailed), ("daemon_accounted", c.DaemonAccounted), ("dimm_triggers", c.DimmTriggers),
            ("socket_triggers", c.SocketTriggers), ("memory_retired_bytes", c.MemoryRetiredBytes), ("ues_on_retired_pages", c.UesOnRetiredPages),
            ("logs_delivered", c.LogsDelivered), ("logs_lost", c.LogsLost), ("lost_pool_exhausted", c.LostPoolExhausted),
            ("lost_reset_before_fetch", c.LostResetBeforeFetch), ("lost_virq_not_bound", c.LostVirqNotBound), ("lost_interposed", c.LostInterposed),
            ("lost_overwritten", c.LostOverwritten), ("lost_dom0_buffer", c.LostDom0Buffer), ("downtime_ns", c.DowntimeNs),
            ("dimms_with_ce", result.DimmsWithCe), ("handler_events", c.HandlerEvents),
            ("machines_reset", result.MachinesReset), ("machines_with_ue", result.MachinesWithUncorrected), ("n", result.Machines),
        };
        string sums = string.Join(", ", totals.Select(t => t.Column switch
        {
            "machines_reset" => "count(*) filter (resets > 0) as machines_reset",
            "machines_with_ue" => "count(*) filter (uncorrected_arrivals > 0) as machines_with_ue",
            "n" => "count(*) as n",
            var col => $"sum({col}) as {col}",
        }));
        var r = Mca("query", path, $"select {sums} from machines", "--json");
        Assert.True(r.Code == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var row = doc.RootElement[0];
        Assert.All(totals, t => Assert.True(t.Total == row.GetProperty(t.Column).GetInt64(), $"{t.Column}: table {row.GetProperty(t.Column)}, JSON {t.Total}"));
        Assert.True(result.MachinesReset > 0 && c.Corrected > 0, "the storm fleet resets and corrects");
    }

    [Fact]
    public void Done_OutOfOrderBatch_Throws()
    {
        using var stream = new MemoryStream();
        var table = new PerMachineTable(stream, 1, "xen", "off");
        table.Done(Batch(0, 0, Machine(0, 0), Machine(0, 0)), resumed: false);
        Assert.Throws<InvalidOperationException>(() => table.Done(Batch(2, 4, Machine(0, 0)), resumed: false));
    }
}
