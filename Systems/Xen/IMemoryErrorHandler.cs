namespace Mca.Systems.Xen;

/// <summary>
/// Memory-error recovery (Xen mcaction.c <c>mc_memerr_dhandler</c>), supplied by the pipeline as a
/// struct so the deferred table calls it without boxing. The table calls it only for banks whose
/// MCACOD names a memory error, with the handler's preset result (SRAO: CONTINUE, SRAR: RESET; era
/// 4.0/4.1: RESET). Return the bank's final result; <see cref="MemoryErrorAction.Decide"/> computes
/// it. The handler may rewrite the bank (owner domid, guest address) and append a
/// recovery record to the telemetry it holds.
/// </summary>
internal interface IMemoryErrorHandler
{
    /// <param name="recordIndex">Index of the bank record within the telemetry's bank blocks.</param>
    /// <param name="bank">The bank record; <c>bank.Bank</c> is the hardware bank number.</param>
    /// <param name="preset">The result the handler starts from.</param>
    McerResult Handle(int recordIndex, ref McBankRecord bank, McerResult preset);
}

/// <summary>A memory handler that does nothing: every bank keeps its preset (as if the address were not physical).</summary>
internal struct PresetMemoryErrorHandler : IMemoryErrorHandler
{
    /// <summary>Number of times the table called the handler.</summary>
    public int Calls;

    public McerResult Handle(int recordIndex, ref McBankRecord bank, McerResult preset)
    {
        Calls++;
        return preset;
    }
}
