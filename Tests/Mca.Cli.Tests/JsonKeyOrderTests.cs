using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mca.Cli.Output;

namespace Mca.Cli.Tests;

/// <summary>
/// The key order, indentation and trailing newline of the <c>--json</c> documents: scripts (and people reading them) rely
/// on the documents staying byte-stable, so a reordered record or a changed serializer option fails here.
/// </summary>
public sealed class JsonKeyOrderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("mca-json-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Mca(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        Assert.True(code == 0, $"mca {string.Join(' ', args)}: exit {code}: {stderr}");
        return stdout.ToString();
    }

    private static string Keys(JsonElement e) => string.Join(" ", e.EnumerateObject().Select(p => p.Name));

    /// <summary>A 2-space indented object on its own lines, then one newline.</summary>
    private static JsonElement Parse(string json, string firstKey)
    {
        Assert.StartsWith("{\n  \"" + firstKey + "\": ", json, StringComparison.Ordinal);
        Assert.EndsWith("\n}\n", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private string RecordStorm()
    {
        string replay = Path.Combine(_dir, "r.mcar");
        Mca("campaign", "--machines", "40", "--days", "30", "--workload", "storm", "--threads", "1", "--record", replay, "--quiet");
        return replay;
    }

    [Fact]
    public void CampaignJson_KeysInContractOrder()
    {
        string replay = Path.Combine(_dir, "c.mcar");
        var root = Parse(Mca("campaign", "--machines", "40", "--days", "30", "--workload", "storm", "--record", replay, "--quiet", "--json", "-"), "machines");
        Assert.Equal(
            "machines days seed policy workload digest errors error_arrivals mce_events cmci_events poll_finds resets machines_reset reset_rate_per_machine_year " +
            "vmce_injected vmce_vcpu_deliveries guests domains_crashed pages_offlined page_offline cmcis_per_machine_year dom0_records_per_machine_year logs downtime_seconds dimms dimms_with_ce machines_with_ue machine_years " +
            "handler_events wall_seconds events_per_second intervals recording provenance",
            Keys(root));
        Assert.Equal("tool version commit command_line spec machine host", Keys(root.GetProperty("provenance")));
        Assert.Equal("cpus banks memory_bytes domains vcpus mcg_cap ser", Keys(root.GetProperty("provenance").GetProperty("machine")));
        Assert.Equal("storm", root.GetProperty("provenance").GetProperty("spec").GetProperty("workload").GetString());
        Assert.Equal("corrected ucna srao srar fatal", Keys(root.GetProperty("errors")));
        Assert.Equal(
            "daemon pages_offlined pages_pending offline_failed pages_accounted dimm_triggers socket_triggers memory_retired_bytes ues_on_retired_pages",
            Keys(root.GetProperty("page_offline")));
        Assert.Equal("rate wilson95_low wilson95_high method", Keys(root.GetProperty("reset_rate_per_machine_year")));
        Assert.Equal("recovered process_killed panic", Keys(root.GetProperty("guests")));
        Assert.Equal("delivered lost lost_by_cause", Keys(root.GetProperty("logs")));
        Assert.Equal("pool_exhausted reset_before_fetch virq_not_bound interposed_lost_on_reset overwritten dom0_buffer", Keys(root.GetProperty("logs").GetProperty("lost_by_cause")));
        Assert.Equal(
            "corrected ucna srao srar fatal uncorrected_arrivals mce_events cmci_events poll_finds resets vmce_injected guest_recovered guest_process_killed " +
            "guest_panic domains_crashed pages_offlined logs_delivered logs_lost downtime_seconds handler_events",
            Keys(root.GetProperty("intervals")));
        var resets = root.GetProperty("intervals").GetProperty("resets");
        Assert.Equal("rate_per_machine_year low high method dispersion machines_with_any", Keys(resets));
        Assert.Equal("machines share low high method", Keys(resets.GetProperty("machines_with_any")));
        Assert.Equal("path bytes frames events inputs bytes_per_recorded_event", Keys(root.GetProperty("recording")));
    }

    [Fact]
    public void ReplayShowJson_TotalsAndTimelineKeysInContractOrder()
    {
        string replay = RecordStorm();
        const string Header = "kind engine seed policy workload first_machine machine_count duration_ns";
        var totals = Parse(Mca("replay", "show", replay, "--json"), "file");
        Assert.Equal(
            $"file {Header} from_ns to_ns frames bytes events inputs bytes_per_event machines_with_data digest machines_reset machines_with_uncorrected machines_with_vmce counts",
            Keys(totals));
        Assert.Equal(
            "error_arrivals corrected ucna srao srar fatal mce_events cmci_events poll_finds resets vmce_injected vmce_vcpu_deliveries guest_recovered " +
            "guest_process_killed guest_panic domains_crashed pages_offlined logs_delivered logs_lost lost_pool_exhausted lost_reset_before_fetch " +
            "lost_virq_not_bound lost_interposed lost_overwritten lost_dom0_buffer downtime_ns handler_events " +
            "daemon_offlined daemon_pending daemon_failed daemon_accounted dimm_triggers socket_triggers ues_on_retired_pages pages_retired_at_end",
            Keys(totals.GetProperty("counts")));

        var with = Parse(Mca("replay", "show", replay, "--with", "any", "--json"), "file");
        Assert.Equal($"file {Header} with from_ns to_ns count machines", Keys(with));
        var row = with.GetProperty("machines")[0];
        Assert.Equal("machine mce_events resets vmce_injected guest_recovered guest_process_killed guest_panic domains_crashed pages_offlined logs_delivered logs_lost", Keys(row));

        var timeline = Parse(Mca("replay", "show", replay, "--machine", row.GetProperty("machine").GetInt32().ToString(System.Globalization.CultureInfo.InvariantCulture), "--json"), "file");
        Assert.Equal($"file machine from_ns to_ns {Header} timeline tally", Keys(timeline));
        var byType = timeline.GetProperty("timeline").EnumerateArray().GroupBy(e => e.GetProperty("type").GetString()!).ToDictionary(g => g.Key, g => Keys(g.First()));
        Assert.Equal("time_ns epoch type cpu bank status addr misc mcg_status signal interposed count in_guest running_domain running_vcpu context text", byType["input"]);
        Assert.Equal("time_ns epoch type kind cpu bank domain vcpu status addr misc arg arg2 text", byType["event"]);
        Assert.Equal("time_ns epoch type hash", byType["state_hash"]);
    }

    [Fact]
    public void ReplayRunJson_KeysInContractOrderAndChangesAsPairs()
    {
        string replay = RecordStorm();
        var run = Parse(Mca("replay", "run", replay, "--policy", "xen", "--threads", "1", "--quiet", "--json"), "file");
        Assert.Equal("file recorded_policy policy first_machine machines totals paired machines_changed changes first_divergence", Keys(run));
        Assert.Equal("recorded replayed", Keys(run.GetProperty("totals").GetProperty("resets")));
        Assert.Equal("more fewer p", Keys(run.GetProperty("paired").GetProperty("resets")));
        var change = run.GetProperty("changes")[0];
        Assert.Equal("machine", change.EnumerateObject().First().Name);
        foreach (var outcome in change.EnumerateObject().Skip(1))
        {
            Assert.Equal(2, outcome.Value.GetArrayLength());
        }
    }

    /// <summary>
    /// Numbers and strings as the hand-written <see cref="Utf8JsonWriter"/> wrote them before the documents were generated:
    /// shortest round-trip doubles (1E-05, not 1e-05; 1, not 1.0), and relaxed escaping (only the quote is escaped here).
    /// </summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-2.0)]
    [InlineData(0.1 + 0.2)]
    [InlineData(1e-5)]
    [InlineData(1.52587890625e-5)]
    [InlineData(123456789012.5)]
    [InlineData(1e21)]
    [InlineData(6.02214076e23)]
    [InlineData(4.9e-324)]
    [InlineData(1e300)]
    public void Doubles_AndStrings_AsTheWriterWroteThem(double value)
    {
        const string Method = "wilson é<&>'\"";
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("machines", 7L);
            w.WriteNumber("share", value);
            w.WriteNumber("low", value / 3);
            w.WriteNumber("high", value * 3);
            w.WriteString("method", Method);
            w.WriteEndObject();
        }

        string expected = Encoding.UTF8.GetString(stream.ToArray()) + "\n";
        Assert.Equal(expected, JsonOut.Build(new CampaignJson.ShareJson(7, value, value / 3, value * 3, Method), JsonOut.Contracts.ShareJson));
    }
}
