using System.Globalization;
using Mca.Systems.Model;

namespace Mca.Workloads.Campaign;

/// <summary>
/// The <c>page_offline:</c> section of a campaign spec: a preset (<c>default</c> picks the policy's, see
/// <see cref="Dom0DaemonPolicy.DefaultFor"/>) and any of its settings overridden. Unset settings are null and come
/// from the preset, so the canonical text keeps what the user wrote and a replay resolves it the same way.
/// </summary>
public sealed record PageOfflineSpec
{
    public const string DefaultPreset = "default";

    /// <summary>The keys of the section, in canonical order.</summary>
    public static IReadOnlyList<string> Keys { get; } =
        ["preset", "threshold", "window_hours", "action", "dimm_ce_threshold", "dimm_uc_threshold", "socket_threshold", "trigger_window_hours", "release_hours", "persist_across_reboot"];

    public static IReadOnlyList<string> Actions { get; } = ["off", "account", "soft", "hard", "soft-then-hard"];

    public string Preset { get; init; } = DefaultPreset;
    public int? Threshold { get; init; }
    public double? WindowHours { get; init; }
    public string? Action { get; init; }
    public int? DimmCeThreshold { get; init; }
    public int? DimmUcThreshold { get; init; }
    public int? SocketThreshold { get; init; }
    public double? TriggerWindowHours { get; init; }
    public double? ReleaseHours { get; init; }
    public bool? PersistAcrossReboot { get; init; }

    /// <summary>Whether anything differs from "the policy's default preset".</summary>
    public bool IsDefault => this == new PageOfflineSpec();

    /// <summary>Checks every setting; throws <see cref="CampaignSpecException"/> naming the first at fault (key "page_offline.KEY").</summary>
    public void Validate()
    {
        var inv = CultureInfo.InvariantCulture;
        if (Preset != DefaultPreset && Dom0DaemonPolicy.Find(Preset) is null)
        {
            throw new CampaignSpecException("page_offline.preset", "one of default, " + string.Join(", ", Dom0DaemonPolicy.Presets.Select(p => p.Name)), $"'{Preset}'");
        }

        Count("threshold", Threshold, 0, 1_000_000);
        Count("dimm_ce_threshold", DimmCeThreshold, 0, 1_000_000);
        Count("dimm_uc_threshold", DimmUcThreshold, 0, 1_000_000);
        Count("socket_threshold", SocketThreshold, 0, 1_000_000);
        Hours("window_hours", WindowHours, 1.0 / 3600);
        Hours("trigger_window_hours", TriggerWindowHours, 1.0 / 3600);
        Hours("release_hours", ReleaseHours, 0);
        if (Action is not null && !Actions.Contains(Action))
        {
            throw new CampaignSpecException("page_offline.action", "one of " + string.Join(", ", Actions), $"'{Action}'");
        }

        void Count(string key, int? v, int min, int max)
        {
            if (v is { } x && (x < min || x > max))
            {
                throw new CampaignSpecException("page_offline." + key, string.Create(inv, $"a count from {min} to {max:N0} (0: none)"), x.ToString(inv));
            }
        }

        void Hours(string key, double? v, double min)
        {
            if (v is { } x && (!double.IsFinite(x) || x < min || x > 24 * 36_500))
            {
                throw new CampaignSpecException("page_offline." + key, string.Create(inv, $"hours from {min:G3} to a century"), x.ToString("R", inv));
            }
        }
    }

    /// <summary>The daemon this section gives under handler policy <paramref name="policyName"/>.</summary>
    public Dom0DaemonPolicy Resolve(string policyName)
    {
        var preset = Preset == DefaultPreset ? Dom0DaemonPolicy.DefaultFor(policyName) : Dom0DaemonPolicy.Find(Preset)!;
        var d = preset with
        {
            PageThreshold = Threshold ?? preset.PageThreshold,
            PageWindowNs = WindowHours is { } w ? Ns(w) : preset.PageWindowNs,
            Action = Action is { } a ? (PageAction)Actions.ToList().IndexOf(a) : preset.Action,
            DimmCeThreshold = DimmCeThreshold ?? preset.DimmCeThreshold,
            DimmUcThreshold = DimmUcThreshold ?? preset.DimmUcThreshold,
            SocketThreshold = SocketThreshold ?? preset.SocketThreshold,
            TriggerWindowNs = TriggerWindowHours is { } t ? Ns(t) : preset.TriggerWindowNs,
            PendingReleaseMeanNs = ReleaseHours is { } r ? Ns(r) : preset.PendingReleaseMeanNs,
            PersistAcrossReboot = PersistAcrossReboot ?? preset.PersistAcrossReboot,
        };

        // A daemon asked to act needs one: "off" with an action set means mcelog's accounting with that action.
        if (d.Kind == Dom0DaemonKind.None && d.Action != PageAction.Off)
        {
            d = d with { Kind = Dom0DaemonKind.Mcelog };
        }

        return d == preset ? preset : d with { Name = "custom" };
    }

    private static long Ns(double hours) => (long)Math.Round(hours * Dom0DaemonPolicy.HourNs);

    /// <summary>One line describing the resolved daemon, for tables and the canonical text's comment.</summary>
    public static string Describe(Dom0DaemonPolicy d)
    {
        ArgumentNullException.ThrowIfNull(d);
        var inv = CultureInfo.InvariantCulture;
        if (!d.Active)
        {
            return d.Name;
        }

        string kind = d.Kind == Dom0DaemonKind.Rasdaemon ? "rasdaemon" : "mcelog";
        string action = Actions[(int)d.Action];
        string text = string.Create(inv, $"{d.Name}: {kind}, {d.PageThreshold} CEs per page per {d.PageWindowNs / (double)Dom0DaemonPolicy.HourNs:G4} h, {action}");
        if (d.Kind == Dom0DaemonKind.Mcelog)
        {
            text += string.Create(inv, $"; DIMM CE {d.DimmCeThreshold}, DIMM UC {d.DimmUcThreshold}, socket {d.SocketThreshold} per {d.TriggerWindowNs / (double)Dom0DaemonPolicy.HourNs:G4} h");
        }

        if (d.Offlines)
        {
            text += string.Create(inv, $"; pending pages freed after {d.PendingReleaseMeanNs / (double)Dom0DaemonPolicy.HourNs:G4} h on average");
            text += d.PersistAcrossReboot ? "; re-offlined at boot" : "; forgotten at reboot";
        }

        return text;
    }
}
