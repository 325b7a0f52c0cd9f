namespace Mca.Systems.Engine;

/// <summary>
/// Human-readable output of a run: the Xen console and dom0's mcelog. Campaigns run with it off,
/// so nothing is formatted; scenarios and replays of one machine turn it on.
/// </summary>
internal sealed class HandlerTrace
{
    private readonly List<string> _console = [];
    private readonly List<string> _dom0Mcelog = [];
    private readonly List<string> _guestConsole = [];

    public HandlerTrace(bool enabled)
    {
        Enabled = enabled;
    }

    public static HandlerTrace Off { get; } = new(false);

    public bool Enabled { get; }

    /// <summary>The Xen console as a sink for the XenConsole formatters, or null when tracing is off.</summary>
    public ICollection<string>? XenSink => Enabled ? _console : null;
    public IReadOnlyList<string> Console => _console;
    public IReadOnlyList<string> Dom0Mcelog => _dom0Mcelog;
    public IReadOnlyList<string> GuestConsole => _guestConsole;

    public void Xen(string line)
    {
        if (Enabled)
        {
            _console.Add(line);
        }
    }

    public void Mcelog(string line)
    {
        if (Enabled)
        {
            _dom0Mcelog.Add(line);
        }
    }

    public void Guest(int domId, string line)
    {
        if (Enabled)
        {
            _guestConsole.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"d{domId}: {line}"));
        }
    }
}
