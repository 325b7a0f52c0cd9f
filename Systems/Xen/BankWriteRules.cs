using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>The three writable registers of an MCA bank that an arriving error sets.</summary>
internal readonly record struct BankRegisters(ulong Status, ulong Addr, ulong Misc);

/// <summary>Which overwrite class an MCi_STATUS value belongs to (SDM Table 15-7).</summary>
internal enum OverwriteClass : byte
{
    /// <summary>UC = 0.</summary>
    Corrected,
    /// <summary>UC = 1, PCC = 0 with SER_P (UCNA, SRAO, SRAR).</summary>
    Ucr,
    /// <summary>UC = 1 with PCC = 1, or any UC without SER_P.</summary>
    Uncorrected,
}

/// <summary>
/// What the hardware does when a new error arrives in a bank that may already hold one (Intel
/// SDM vol. 3B 15.3.2.2 and 15.6.4, the UCR overwrite rules of Table 15-7), and the CMCI threshold.
/// </summary>
/// <remarks>
/// Rules, in this order, when VAL was already set: the new record replaces the old one only if its
/// class is higher (UCR overwrites CE; PCC overwrites UCR; UCR never overwrites UCR; CE never
/// overwrites UCR; an uncorrected error is never overwritten). Two corrected errors keep the first
/// record unless the second is yellow and the first is not (SDM Table 15-8; bits 54:53 are read as
/// the TES_P threshold status). OVER is set, and with SER_P the S and AR bits of both records are
/// kept (sticky). With CMCI_P the 15-bit corrected-error count (bits 52:38) is a counter of the bank,
/// not of the record: it carries over whichever record is kept, rises by one per corrected error and
/// saturates at 0x7FFF, so bit 52 stays set once reached (sticky overflow). With VAL clear the new
/// record is written as is, apart from the count.
/// </remarks>
internal static class BankWriteRules
{
    private const ulong Sticky = MciStatusBits.S | MciStatusBits.Ar;

    /// <summary>The overwrite class of a status value.</summary>
    public static OverwriteClass Classify(ulong status, bool ser)
    {
        if ((status & MciStatusBits.Uc) == 0)
        {
            return OverwriteClass.Corrected;
        }

        return ser && (status & MciStatusBits.Pcc) == 0 ? OverwriteClass.Ucr : OverwriteClass.Uncorrected;
    }

    /// <summary>The bank after the error (<paramref name="newStatus"/>, <paramref name="newAddr"/>, <paramref name="newMisc"/>) arrives.</summary>
    /// <param name="ser">MCG_CAP.SER_P of the CPU.</param>
    /// <param name="cmciP">MCG_CAP.CMCI_P of the CPU: bits 52:38 are the corrected-error count.</param>
    public static BankRegisters Merge(
        ulong existingStatus, ulong existingAddr, ulong existingMisc,
        ulong newStatus, ulong newAddr, ulong newMisc,
        bool ser, bool cmciP = true)
    {
        if ((newStatus & MciStatusBits.Val) == 0)
        {
            throw new ArgumentException($"an arriving error must have VAL set, got status 0x{newStatus:x16}", nameof(newStatus));
        }

        bool newCorrected = (newStatus & MciStatusBits.Uc) == 0;
        BankRegisters result;
        if ((existingStatus & MciStatusBits.Val) == 0)
        {
            result = new BankRegisters(newStatus, newAddr, newMisc);
        }
        else
        {
            bool overwrite = Overwrites(existingStatus, newStatus, ser);
            result = overwrite
                ? new BankRegisters(newStatus, newAddr, newMisc)
                : new BankRegisters(existingStatus, existingAddr, existingMisc);

            // Intel SDM vol. 3B 15.6.4: OVER is set in every case (a second error while VAL = 1)
            ulong status = result.Status | MciStatusBits.Over;
            if (ser)
            {
                // Intel SDM vol. 3B 15.3.2.2: S and AR are sticky, a second event cannot clear them
                status |= (existingStatus | newStatus) & Sticky;
            }

            result = result with { Status = status };
        }

        if (cmciP)
        {
            // Intel SDM vol. 3B 15.3.2.2: corrected-error count, 15 bits (52:38) with CMCI_P, rising until software clears it; bit 52 sticky overflow
            long count = MciStatusBits.CeCount(existingStatus) + (newCorrected ? 1 : 0);
            result = result with { Status = MciStatusBits.WithCeCount(result.Status, count) };
        }

        return result;
    }

    /// <summary>
    /// <paramref name="count"/> identical corrected errors (<paramref name="ceStatus"/> with UC = 0)
    /// arriving one after another, in O(1): the same result as calling <see cref="Merge"/>
    /// <paramref name="count"/> times.
    /// </summary>
    public static BankRegisters FoldCorrected(
        ulong existingStatus, ulong existingAddr, ulong existingMisc,
        ulong ceStatus, ulong ceAddr, ulong ceMisc,
        long count, bool ser, bool cmciP = true)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if ((ceStatus & MciStatusBits.Uc) != 0)
        {
            throw new ArgumentException($"FoldCorrected takes a corrected error (UC = 0), got status 0x{ceStatus:x16}", nameof(ceStatus));
        }

        if (count == 0)
        {
            return new BankRegisters(existingStatus, existingAddr, existingMisc);
        }

        // After the first merge VAL is set and every later merge keeps the same record (the choice is
        // idempotent), sets OVER, re-ORs the same sticky bits and adds one to the count.
        BankRegisters first = Merge(existingStatus, existingAddr, existingMisc, ceStatus, ceAddr, ceMisc, ser, cmciP);
        if (count == 1)
        {
            return first;
        }

        ulong status = first.Status | MciStatusBits.Over;
        if (cmciP)
        {
            long total = MciStatusBits.CeCount(first.Status) + Math.Min(count - 1, 0x7FFFL);
            status = MciStatusBits.WithCeCount(status, total);
        }

        return first with { Status = status };
    }

    /// <summary>
    /// Whether the bank's corrected-error count has reached its CMCI threshold: CTL2.CMCI_EN set, a
    /// non-zero threshold (CTL2 bits 14:0) and count ≥ threshold (Intel SDM vol. 3B 15.3.2.5).
    /// </summary>
    public static bool CmciThresholdReached(ulong status, ulong ctl2)
    {
        // Intel SDM vol. 3B 15.3.2.5: CTL2 bits 14:0 are the corrected-error threshold, bit 30 CMCI_EN
        ulong threshold = ctl2 & MciCtl2Bits.ThresholdMask;
        return (ctl2 & MciCtl2Bits.CmciEn) != 0 && threshold != 0 && (ulong)MciStatusBits.CeCount(status) >= threshold;
    }

    /// <summary>
    /// Whether going from <paramref name="before"/> to <paramref name="after"/> crossed the threshold,
    /// i.e. a CMCI is signalled. It fires once: a count left above the threshold (not cleared by the
    /// logout) never signals again, which is why Xen logs out CMCI banks after discovery (Xen mce_intel.c cmci_discover).
    /// </summary>
    public static bool CmciThresholdCrossed(ulong before, ulong after, ulong ctl2) =>
        !CmciThresholdReached(before, ctl2) && CmciThresholdReached(after, ctl2);

    private static bool Overwrites(ulong existingStatus, ulong newStatus, bool ser)
    {
        OverwriteClass older = Classify(existingStatus, ser);
        OverwriteClass younger = Classify(newStatus, ser);

        // Intel SDM vol. 3B 15.6.4: UCR overwrites CE, PCC overwrites UCR, UCR never overwrites UCR, CE never overwrites UCR
        if (younger != older)
        {
            return younger > older;
        }

        // SDM Table 15-8 (threshold status, TES_P): a yellow corrected error replaces a green one; otherwise the first record stays
        return older == OverwriteClass.Corrected
            && (newStatus & MciStatusBits.ThresholdMask) == MciStatusBits.ThresholdYellow
            && (existingStatus & MciStatusBits.ThresholdMask) != MciStatusBits.ThresholdYellow;
    }
}
