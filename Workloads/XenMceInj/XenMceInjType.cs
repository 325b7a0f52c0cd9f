using Mca.Systems.Events;

namespace Mca.Workloads.XenMceInj;

/// <summary>One row of xen-mceinj's error table (Xen xen-mceinj.c mce_table).</summary>
internal sealed record XenMceInjType(int Type, string Name, int Bank, ulong McgStatus, ulong Status, ulong Misc, Signal Signal)
{
    /// <summary>
    /// The table mca uses: the 2010 original (b6982669e8) for types 0-2, whose mcelog strings the
    /// mce-test scripts check, plus types 3 and 4 added by the 2014 refactor (Xen cc31ff7b4c, which swapped types 0 and 1).
    /// </summary>
    public static IReadOnlyList<XenMceInjType> Table { get; } =
    [
        new(0, "MCE_SRAO_MEM", Bank: 8, McgStatus: 0x5, Status: 0xBD000000004000CF, Misc: 0x86, Signal.Mce),
        new(1, "MCE_SRAO_LLC", Bank: 7, McgStatus: 0x5, Status: 0xBD2000008000017A, Misc: 0x86, Signal.Mce),
        new(2, "CMCI_UCNA_LLC", Bank: 9, McgStatus: 0x0, Status: 0xBC20000080000136, Misc: 0x86, Signal.Cmci),
        new(3, "AMD L1 icache parity", Bank: 1, McgStatus: 0x5, Status: 0x9400000000000151, Misc: 0x86, Signal.Mce),
        new(4, "MCE_SRAO_MEM (Fatal)", Bank: 7, McgStatus: 0x5, Status: 0xBF2000008000017A, Misc: 0x86, Signal.Mce),
    ];

    public static XenMceInjType Get(int type)
    {
        if (type < 0 || type >= Table.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, $"type {type} is not in the xen-mceinj table: expected 0..{Table.Count - 1}");
        }

        return Table[type];
    }
}
