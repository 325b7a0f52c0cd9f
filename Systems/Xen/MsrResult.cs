namespace Mca.Systems.Xen;

/// <summary>
/// The outcome of a guest MSR access routed to vMCE (Xen vmce.c): the handler's return value
/// &gt; 0, 0 or &lt; 0.
/// </summary>
internal enum MsrResult : byte
{
    /// <summary>&gt; 0: handled.</summary>
    Ok,
    /// <summary>0: not handled by vMCE; for an MSR in the MCA ranges the guest reads 0 and writes are ignored.</summary>
    NotHandled,
    /// <summary>&lt; 0: the guest gets #GP.</summary>
    GeneralProtection,
}
