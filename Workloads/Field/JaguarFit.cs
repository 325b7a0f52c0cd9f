namespace Mca.Workloads.Field;

/// <summary>
/// The Jaguar per-device FIT table (Sridharan and Liberty, SC 2012, as FaultSim's default "JAGUAR" model,
/// src/main.cpp): failures per 10^9 device-hours, indexed by <see cref="FaultMode"/>.
/// </summary>
internal static class JaguarFit
{
    /// <summary>Number of modes in the table.</summary>
    public const int ModeCount = 7;

    private static readonly double[] TransientFit = [14.2, 1.4, 1.4, 0.2, 0.8, 0.3, 0.9];
    private static readonly double[] PermanentFit = [18.6, 0.3, 5.6, 8.2, 10.0, 1.4, 2.8];

    /// <summary>Transient FIT per mode: bit, word, column, row, bank, multi-bank, multi-rank (Sridharan 2012).</summary>
    public static ReadOnlySpan<double> Transient => TransientFit;

    /// <summary>Permanent FIT per mode, same order (Sridharan 2012).</summary>
    public static ReadOnlySpan<double> Permanent => PermanentFit;

    /// <summary>Total FIT of one device: 66.1 (Sridharan 2012), summed in mode order.</summary>
    public static double TotalPerDevice { get; } = Sum();

    private static double Sum()
    {
        double total = 0;
        for (int i = 0; i < ModeCount; i++)
        {
            total += TransientFit[i] + PermanentFit[i];
        }

        return total;
    }
}
