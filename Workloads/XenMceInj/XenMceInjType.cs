using Mca.Systems.Events;

namespace Mca.Workloads.XenMceInj;

/// <summary>Which of xen-mceinj's error tables a run injects from.</summary>
public enum XenMceInjTable : byte
{
    /// <summary>The table of current Xen tools/misc/xen-mceinj.c (since the 2014 refactor cc31ff7b4c): types 0-4.</summary>
    Current,
    /// <summary>The 2010 original (Xen b6982669e8), whose mcelog strings the mce-test scripts check: types 0-2, with 0 and 1 the other way round.</summary>
    Original2010,
}

/// <summary>One row of xen-mceinj's error table (Xen xen-mceinj.c mce_table).</summary>
internal sealed record XenMceInjType(int Type, string Name, int Bank, ulong McgStatus, ulong Status, ulong Misc, Signal Signal)
{
    /// <summary>
    /// Current Xen tools/misc/xen-mceinj.c mce_table. The 2014 refactor (Xen cc31ff7b4c) swapped the records behind
    /// types 0 and 1 and kept the names, so type 0 "MCE_SRAO_MEM" carries the LLC writeback record (bank 7, MCACOD 0x17A)
    /// and type 1 "MCE_SRAO_LLC" the memory-scrub one (bank 8, MCACOD 0xCF); it added types 3 and 4.
    /// </summary>
    public static IReadOnlyList<XenMceInjType> Current { get; } =
    [
        new(0, "MCE_SRAO_MEM", Bank: 7, McgStatus: 0x5, Status: 0xBD2000008000017A, Misc: 0x86, Signal.Mce),
        new(1, "MCE_SRAO_LLC", Bank: 8, McgStatus: 0x5, Status: 0xBD000000004000CF, Misc: 0x86, Signal.Mce),
        new(2, "CMCI_UCNA_LLC", Bank: 9, McgStatus: 0x0, Status: 0xBC20000080000136, Misc: 0x86, Signal.Cmci),
        new(3, "AMD L1 icache parity", Bank: 1, McgStatus: 0x5, Status: 0x9400000000000151, Misc: 0x86, Signal.Mce),
        new(4, "MCE_SRAO_MEM (Fatal)", Bank: 7, McgStatus: 0x5, Status: 0xBF2000008000017A, Misc: 0x86, Signal.Mce),
    ];

    /// <summary>The 2010 original (Xen b6982669e8, tools/tests/mce-test/tools/xen-mceinj.c): the mapping the mce-test scripts were written for.</summary>
    public static IReadOnlyList<XenMceInjType> Original2010 { get; } =
    [
        new(0, "MCE_SRAO_MEM", Bank: 8, McgStatus: 0x5, Status: 0xBD000000004000CF, Misc: 0x86, Signal.Mce),
        new(1, "MCE_SRAO_LLC", Bank: 7, McgStatus: 0x5, Status: 0xBD2000008000017A, Misc: 0x86, Signal.Mce),
        new(2, "CMCI_UCNA_LLC", Bank: 9, McgStatus: 0x0, Status: 0xBC20000080000136, Misc: 0x86, Signal.Cmci),
    ];

    /// <summary>The rows of <paramref name="table"/>, type by type from 0.</summary>
    public static IReadOnlyList<XenMceInjType> TableOf(XenMceInjTable table) => table switch
    {
        XenMceInjTable.Current => Current,
        XenMceInjTable.Original2010 => Original2010,
        _ => throw new ArgumentOutOfRangeException(nameof(table), table, "expected Current or Original2010"),
    };

    /// <summary>Row <paramref name="type"/> of <paramref name="table"/>; throws naming the table's types when there is none.</summary>
    public static XenMceInjType Get(XenMceInjTable table, int type)
    {
        var rows = TableOf(table);
        if (type < 0 || type >= rows.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, $"type {type} is not in the xen-mceinj table: expected 0..{rows.Count - 1}");
        }

        return rows[type];
    }
}
