using Mca.Systems.Hardware;

namespace Mca.Systems.Tests.Xen;

/// <summary>Short names for building MCi_STATUS values in tests, and the 128 combinations of the seven grading bits.</summary>
internal static class StatusBits
{
    public const ulong Val = MciStatusBits.Val;
    public const ulong Over = MciStatusBits.Over;
    public const ulong Uc = MciStatusBits.Uc;
    public const ulong En = MciStatusBits.En;
    public const ulong MiscV = MciStatusBits.MiscV;
    public const ulong AddrV = MciStatusBits.AddrV;
    public const ulong Pcc = MciStatusBits.Pcc;
    public const ulong S = MciStatusBits.S;
    public const ulong Ar = MciStatusBits.Ar;

    private static readonly ulong[] GradingBits = [Val, Over, Uc, En, Pcc, S, Ar];

    /// <summary>Every combination of VAL, OVER, UC, EN, PCC, S and AR, with MCACOD <paramref name="code"/>.</summary>
    public static IEnumerable<ulong> AllCombinations(ulong code = 0x17A)
    {
        for (int mask = 0; mask < 1 << GradingBits.Length; mask++)
        {
            ulong status = code;
            for (int b = 0; b < GradingBits.Length; b++)
            {
                if ((mask & (1 << b)) != 0)
                {
                    status |= GradingBits[b];
                }
            }

            yield return status;
        }
    }

    public static bool Has(ulong status, ulong bit) => (status & bit) != 0;
}
