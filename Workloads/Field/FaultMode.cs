namespace Mca.Workloads.Field;

/// <summary>DRAM fault modes of the Jaguar table (field-calibration A.2), each with the footprint it covers in one device.</summary>
public enum FaultMode : byte
{
    /// <summary>One bit: one 64-byte line.</summary>
    SingleBit,
    /// <summary>One word: one line.</summary>
    SingleWord,
    /// <summary>One column of one bank: one line per row.</summary>
    SingleColumn,
    /// <summary>One row of one bank: 256 lines (16 KiB).</summary>
    SingleRow,
    /// <summary>One bank: every row and column of it.</summary>
    SingleBank,
    /// <summary>Several banks: modelled as every bank of the device.</summary>
    MultiBank,
    /// <summary>Several ranks: on a single-rank DIMM, every bank of the device.</summary>
    MultiRank,
}

/// <summary>
/// The Jaguar per-device FIT table (Sridharan and Liberty, SC 2012, as FaultSim's default "JAGUAR" model;
/// field-calibration A.2): failures per 10^9 device-hours, indexed by <see cref="FaultMode"/>.
/// </summary>
public static class JaguarFit
{
    /// <summary>Number of modes in the table.</summary>
    public const int ModeCount = 7;

    /// <summary>Transient FIT per mode: bit, word, column, row, bank, multi-bank, multi-rank (A.2).</summary>
    public static ReadOnlySpan<double> Transient => [14.2, 1.4, 1.4, 0.2, 0.8, 0.3, 0.9];

    /// <summary>Permanent FIT per mode, same order (A.2).</summary>
    public static ReadOnlySpan<double> Permanent => [18.6, 0.3, 5.6, 8.2, 10.0, 1.4, 2.8];

    /// <summary>Total FIT of one device: 66.1 (A.2).</summary>
    public static double TotalPerDevice
    {
        get
        {
            double total = 0;
            for (int i = 0; i < ModeCount; i++)
            {
                total += Transient[i] + Permanent[i];
            }

            return total;
        }
    }
}
