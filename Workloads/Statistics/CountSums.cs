using System.Diagnostics;

namespace Mca.Workloads.Statistics;

/// <summary>
/// Mergeable per-machine sums of one outcome: machines, Σx, Σx² and machines with x &gt; 0, all exact
/// integers, so sums of shards added in any grouping equal the sums of the whole fleet (docs/statistics.md).
/// </summary>
public struct CountSums : IEquatable<CountSums>
{
    /// <summary>Machines observed (n).</summary>
    public long Machines;

    /// <summary>Σx over machines.</summary>
    public long Total;

    /// <summary>Σx² over machines; 128 bits, so per-machine values up to 2^63 square without overflow for billions of machines.</summary>
    public UInt128 SumSquares;

    /// <summary>Machines with x &gt; 0.</summary>
    public long MachinesWithAny;

    /// <summary>Adds one machine's value.</summary>
    public void Add(long x)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(x);
        Machines++;
        Total += x;
        SumSquares += (UInt128)(ulong)x * (ulong)x;
        MachinesWithAny += x > 0 ? 1 : 0;
    }

    /// <summary>Adds the sums of another set of machines (a batch or a shard).</summary>
    public void Merge(in CountSums other)
    {
        Machines += other.Machines;
        Total += other.Total;
        SumSquares += other.SumSquares;
        MachinesWithAny += other.MachinesWithAny;
    }

    /// <summary>The mean per machine, Σx / n (0 for no machines).</summary>
    public readonly double Mean => Machines == 0 ? 0 : Total / (double)Machines;

    /// <summary>
    /// The between-machine sample variance, (Σx² − (Σx)²/n) / (n − 1); 0 for fewer than two machines. The
    /// numerator is computed exactly in 128-bit integers as (nΣx² − (Σx)²) / n, so no cancellation is lost.
    /// </summary>
    public readonly double Variance
    {
        get
        {
            if (Machines < 2)
            {
                return 0;
            }

            UInt128 total = (ulong)Total;
            UInt128 nSumSquares = (UInt128)(ulong)Machines * SumSquares;
            UInt128 totalSquared = total * total;
            Debug.Assert(nSumSquares >= totalSquared, "Cauchy-Schwarz: nΣx² ≥ (Σx)².");
            double numerator = (double)(nSumSquares - totalSquared) / Machines;
            return numerator / (Machines - 1);
        }
    }

    /// <summary>
    /// The quasi-Poisson dispersion φ = max(1, variance / mean) (Wedderburn 1974): how many times more
    /// variable the per-machine counts are than Poisson; 1 when nothing happened or fewer than two machines.
    /// </summary>
    public readonly double Dispersion
    {
        get
        {
            double mean = Mean;
            return mean > 0 ? Math.Max(1, Variance / mean) : 1;
        }
    }

    public readonly bool Equals(CountSums other) =>
        Machines == other.Machines && Total == other.Total && SumSquares == other.SumSquares && MachinesWithAny == other.MachinesWithAny;

    public override readonly bool Equals(object? obj) => obj is CountSums other && Equals(other);

    public override readonly int GetHashCode() => (int)(Machines ^ Total ^ MachinesWithAny ^ (long)(ulong)SumSquares);

    public static bool operator ==(CountSums left, CountSums right) => left.Equals(right);

    public static bool operator !=(CountSums left, CountSums right) => !left.Equals(right);
}
