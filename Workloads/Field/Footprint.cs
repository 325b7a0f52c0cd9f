namespace Mca.Workloads.Field;

/// <summary>
/// A set of 64-byte lines of one DIMM: each of row, bank and column burst is either one value or any
/// (-1). Every fault footprint and every overlap of two footprints has this shape.
/// </summary>
internal readonly record struct Footprint(int Row, sbyte Bank, short Column)
{
    public const int Any = -1;

    public bool IsSingleLine => Row != Any && Bank != Any && Column != Any;

    /// <summary>The lines in both footprints, or null when they share none.</summary>
    public Footprint? Intersect(Footprint other)
    {
        if (!Meet(Row, other.Row, out int row) || !Meet(Bank, other.Bank, out int bank) || !Meet(Column, other.Column, out int column))
        {
            return null;
        }

        return new Footprint(row, (sbyte)bank, (short)column);
    }

    private static bool Meet(int a, int b, out int value)
    {
        if (a == Any)
        {
            value = b;
            return true;
        }

        value = a;
        return b == Any || a == b;
    }
}
