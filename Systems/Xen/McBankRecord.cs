namespace Mca.Systems.Xen;

/// <summary>One bank block of a telemetry record, <c>struct mcinfo_bank</c> (Xen public xen-mca.h).</summary>
internal struct McBankRecord
{
    /// <summary><c>mc_bank</c>: the hardware bank number.</summary>
    public ushort Bank;
    /// <summary><c>mc_domid</c>: owner of the page in <see cref="Addr"/> when known, else <see cref="XenIds.DomIdInvalid"/>.</summary>
    public ushort DomId;
    /// <summary><c>mc_status</c>.</summary>
    public ulong Status;
    /// <summary><c>mc_addr</c>: read only when ADDRV (else 0); rewritten to the guest address by memory recovery.</summary>
    public ulong Addr;
    /// <summary><c>mc_misc</c>: read only when MISCV (else 0).</summary>
    public ulong Misc;
    /// <summary><c>mc_ctrl2</c>: filled by CMCI logouts only.</summary>
    public ulong Ctl2;
    /// <summary><c>mc_tsc</c>: filled by CMCI logouts only.</summary>
    public ulong Tsc;

    /// <summary>A bank record as <c>mca_init_bank</c> fills it: MISC and ADDR only when their valid bits are set, domid invalid.</summary>
    public static McBankRecord FromRegisters(int bank, ulong status, ulong addr, ulong misc)
    {
        if ((uint)bank > ushort.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(bank), bank, "expected a bank number 0..65535");
        }

        // Xen mce.c mcheck_mca_logout: bank record = status; misc if MISCV; addr if ADDRV; mc_domid = DOMID_INVALID
        return new McBankRecord
        {
            Bank = (ushort)bank,
            DomId = XenIds.DomIdInvalid,
            Status = status,
            Misc = (status & Hardware.MciStatusBits.MiscV) != 0 ? misc : 0,
            Addr = (status & Hardware.MciStatusBits.AddrV) != 0 ? addr : 0,
        };
    }
}
