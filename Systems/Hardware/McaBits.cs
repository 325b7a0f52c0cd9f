namespace Mca.Systems.Hardware;

/// <summary>IA32_MCG_CAP bits (Intel SDM vol. 3B 15.3.1.1).</summary>
internal static class McgCapBits
{
    public const ulong CountMask = 0xFF;
    public const ulong CtlP = 1UL << 8;
    public const ulong ExtP = 1UL << 9;
    public const ulong CmciP = 1UL << 10;
    public const ulong TesP = 1UL << 11;
    public const int ExtCntShift = 16;
    public const ulong ExtCntMask = 0xFFUL << ExtCntShift;
    public const ulong SerP = 1UL << 24;
    public const ulong EmcP = 1UL << 25;
    public const ulong ElogP = 1UL << 26;
    public const ulong LmceP = 1UL << 27;

    public static int BankCount(ulong mcgCap) => (int)(mcgCap & CountMask);
    public static bool Ser(ulong mcgCap) => (mcgCap & SerP) != 0;
}

/// <summary>IA32_MCG_STATUS bits (Intel SDM vol. 3B 15.3.1.2, Linux asm/mce.h).</summary>
public static class McgStatusBits
{
    public const ulong Ripv = 1UL << 0;
    public const ulong Eipv = 1UL << 1;
    public const ulong Mcip = 1UL << 2;
    public const ulong Lmce = 1UL << 3;
    /// <summary>mce-inject keyword TES_P (bit 11) and SEAM_NR (bit 12), andikleen/mce-inject mce.lex.</summary>
    public const ulong TesP = 1UL << 11;
    public const ulong SeamNr = 1UL << 12;
}

/// <summary>IA32_MCi_STATUS bits with SER_P, TES_P and CMCI_P (Intel SDM vol. 3B 15.3.2.2).</summary>
public static class MciStatusBits
{
    public const ulong Val = 1UL << 63;
    public const ulong Over = 1UL << 62;
    public const ulong Uc = 1UL << 61;
    public const ulong En = 1UL << 60;
    public const ulong MiscV = 1UL << 59;
    public const ulong AddrV = 1UL << 58;
    public const ulong Pcc = 1UL << 57;
    public const ulong S = 1UL << 56;
    public const ulong Ar = 1UL << 55;
    public const int ThresholdShift = 53;
    public const ulong ThresholdMask = 3UL << ThresholdShift;
    public const ulong ThresholdGreen = 1UL << ThresholdShift;
    public const ulong ThresholdYellow = 2UL << ThresholdShift;
    /// <summary>Corrected-error count, bits 52:38 (15 bits; bit 52 is a sticky overflow).</summary>
    public const int CeCountShift = 38;
    public const ulong CeCountMask = 0x7FFFUL << CeCountShift;
    public const ulong CeCountOverflow = 1UL << 52;
    public const ulong OtherInfoMask = 0x3FUL << 32;
    public const int MscodShift = 16;
    public const ulong MscodMask = 0xFFFFUL << MscodShift;
    public const ulong McacodMask = 0xFFFF;

    public static bool Has(ulong status, ulong bits) => (status & bits) == bits;
    public static int Mcacod(ulong status) => (int)(status & McacodMask);
    public static int Mscod(ulong status) => (int)((status & MscodMask) >> MscodShift);
    public static int CeCount(ulong status) => (int)((status & CeCountMask) >> CeCountShift);

    /// <summary>Writes a 15-bit corrected-error count, saturating at 0x7FFF with bit 52 as overflow (Intel SDM vol. 3B 15.3.2.2).</summary>
    public static ulong WithCeCount(ulong status, long count)
    {
        ulong value = count >= 0x7FFF ? 0x7FFFUL : (ulong)count;
        return (status & ~CeCountMask) | (value << CeCountShift);
    }
}

/// <summary>IA32_MCi_MISC fields (Intel SDM vol. 3B 15.3.2.4).</summary>
public static class MciMiscBits
{
    public const ulong LsbMask = 0x3F;
    public const int ModeShift = 6;
    public const ulong ModeMask = 7UL << ModeShift;
    public const ulong ModePhysical = 2UL << ModeShift;

    public static int Lsb(ulong misc) => (int)(misc & LsbMask);
    public static int Mode(ulong misc) => (int)((misc & ModeMask) >> ModeShift);
}

/// <summary>IA32_MCi_CTL2 (Intel SDM vol. 3B 15.3.2.5).</summary>
internal static class MciCtl2Bits
{
    public const ulong ThresholdMask = 0x7FFF;
    public const ulong CmciEn = 1UL << 30;
}

/// <summary>MSR addresses (Intel SDM vol. 3B 15.3, vol. 4 MSR list).</summary>
public static class McaMsr
{
    public const uint P5McAddr = 0x0;
    public const uint P5McType = 0x1;
    public const uint McgCap = 0x179;
    public const uint McgStatus = 0x17A;
    public const uint McgCtl = 0x17B;
    public const uint McgExtCtl = 0x4D0;
    public const uint Mc0Ctl = 0x400;
    public const uint Mc0Ctl2 = 0x280;

    public static uint Ctl(int bank) => Mc0Ctl + (4u * (uint)bank);
    public static uint Status(int bank) => Mc0Ctl + (4u * (uint)bank) + 1;
    public static uint Addr(int bank) => Mc0Ctl + (4u * (uint)bank) + 2;
    public static uint Misc(int bank) => Mc0Ctl + (4u * (uint)bank) + 3;
    public static uint Ctl2(int bank) => Mc0Ctl2 + (uint)bank;
}

/// <summary>Architectural UCR error codes (Intel SDM vol. 3B 15.9.3, Linux severity.c).</summary>
internal static class Mcacod
{
    public const int MemScrubFirst = 0x00C0;
    public const int MemScrubLast = 0x00CF;
    public const int L3ExplicitWriteback = 0x017A;
    public const int DataLoad = 0x0134;
    public const int InstructionFetch = 0x0150;
    /// <summary>Bit 12 of a compound code: correction-report filtering (Intel SDM vol. 3B 15.9.2.1).</summary>
    public const int FilterBit = 1 << 12;

    public static bool IsMemScrub(int mcacod) => (mcacod & 0xFFF0) == MemScrubFirst;
}
