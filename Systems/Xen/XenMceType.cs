namespace Mca.Systems.Xen;

/// <summary>The grade Xen gives one bank (Intel SDM vol. 3B 15.6.3; Xen mce_intel.c <c>intel_check_mce_type</c>).</summary>
public enum XenMceType : byte
{
    /// <summary>VAL = 0.</summary>
    Invalid,
    /// <summary>UC = 0 (CE).</summary>
    Corrected,
    /// <summary>Uncorrected, no action (S = 0).</summary>
    Ucna,
    /// <summary>Software recoverable, action optional (S = 1, AR = 0).</summary>
    Srao,
    /// <summary>Software recoverable, action required (S = 1, AR = 1, OVER = 0).</summary>
    Srar,
    /// <summary>PCC, or UC without SER, or SRAR with OVER.</summary>
    Fatal,
}
