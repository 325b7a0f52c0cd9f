using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>
/// Intel's deferred (softirq) handler table and <c>mce_action</c> over one telemetry record
/// (Xen mce.c mce_action; mce_intel.c intel_mce_dhandlers), plus the era 4.0/4.1 table.
/// </summary>
internal static class DeferredTable
{
    /// <summary>
    /// The first matching deferred handler for one bank: SRAO (preset CONTINUE; memory recovery for
    /// MCACOD 0xC0-0xCF, 0x17A), SRAR (preset RESET; memory recovery for 0x134, 0x150), else the
    /// default handler (fatal RESET, anything else CONTINUE).
    /// </summary>
    public static McerResult BankAction<THandler>(int recordIndex, ref McBankRecord bank, bool ser, ref THandler memoryHandler)
        where THandler : struct, IMemoryErrorHandler
    {
        switch (IntelMca.CheckMceType(bank.Status, ser))
        {
            case XenMceType.Srao:
                // Xen mce_intel.c intel_mce_dhandlers: SRAO handler presets CONTINUE; 0xC0-0xCF or 0x17A go to memory recovery
                return IntelMca.IsSraoMemoryCode(bank.Status)
                    ? memoryHandler.Handle(recordIndex, ref bank, McerResult.Continue)
                    : McerResult.Continue;

            case XenMceType.Srar:
                // Xen mce_intel.c intel_mce_dhandlers: SRAR handler presets RESET; 0x134 or 0x150 go to memory recovery, else RESET stands
                return IntelMca.IsSrarMemoryCode(bank.Status)
                    ? memoryHandler.Handle(recordIndex, ref bank, McerResult.Reset)
                    : McerResult.Reset;

            case XenMceType.Fatal:
                // Xen mce_intel.c intel_mce_dhandlers: default handler, fatal gives RESET
                return McerResult.Reset;

            default:
                // Xen mce_intel.c intel_mce_dhandlers: default handler, else CONTINUE (UCNA, CE, spurious)
                return McerResult.Continue;
        }
    }

    /// <summary>
    /// <c>mce_action</c> with the deferred table: the worst result over the banks in record order
    /// (NOERROR &lt; RECOVERED &lt; CONTINUE &lt; RESET), the loop stopping after the first bank whose
    /// result is RESET. NOERROR for a record without banks.
    /// </summary>
    public static McerResult Run<THandler>(Span<McBankRecord> banks, bool ser, ref THandler memoryHandler)
        where THandler : struct, IMemoryErrorHandler
    {
        McerResult worst = McerResult.NoError;
        for (int i = 0; i < banks.Length; i++)
        {
            McerResult result = BankAction(i, ref banks[i], ser, ref memoryHandler);
            worst = McerResults.Worst(worst, result);

            // Xen mce.c mce_action: the worst result wins; the bank loop stops at the first RESET
            if (result == McerResult.Reset)
            {
                break;
            }
        }

        return worst;
    }

    /// <summary><see cref="Run{THandler}(Span{McBankRecord}, bool, ref THandler)"/> over the bank blocks of a telemetry record.</summary>
    public static McerResult Run<THandler>(McInfo info, bool ser, ref THandler memoryHandler)
        where THandler : struct, IMemoryErrorHandler
    {
        ArgumentNullException.ThrowIfNull(info);
        return Run(info.Banks, ser, ref memoryHandler);
    }

    /// <summary>
    /// The era 4.0/4.1 softirq <c>mce_action</c>. A bank matches only on MCACOD 0x17A or 0xC0-0xCF
    /// (<see cref="IntelMca.IsEra40RecoveryCode"/>, whatever its grade). A matching bank with OVER = 0
    /// goes to the memory handler with preset RESET (<see cref="MemoryErrorAction.DecideEra40"/>);
    /// with OVER = 1 recovery is skipped: RIPV = 1 gives "no action" (CONTINUE), RIPV = 0 RESET.
    /// Other banks give NOERROR ("No software recovery action found"). The first RESET ends the walk:
    /// in that era it was an immediate <c>mc_panic</c> ("MCE: Software recovery failed for the UCR
    /// error"). Every other outcome commits the telemetry (that <c>mce_action</c> always returned 1),
    /// so do not feed this result to <see cref="DelayedAction.Decide"/>.
    /// </summary>
    public static McerResult RunEra40<THandler>(Span<McBankRecord> banks, ulong mcgStatus, ref THandler memoryHandler)
        where THandler : struct, IMemoryErrorHandler
    {
        McerResult worst = McerResult.NoError;
        for (int i = 0; i < banks.Length; i++)
        {
            ref McBankRecord bank = ref banks[i];

            // Xen 4.0/4.1 mce_intel.c: MCACOD matched only against 0x17A and 0xC0 (masked to 0xFFF0)
            if (!IntelMca.IsEra40RecoveryCode(bank.Status))
            {
                continue;
            }

            McerResult result;
            if ((bank.Status & MciStatusBits.Over) == 0)
            {
                result = memoryHandler.Handle(i, ref bank, McerResult.Reset);
            }
            else
            {
                // Xen 4.0/4.1 mce_intel.c: OVER = 1 skips recovery; RIPV = 1 -> "no action", RIPV = 0 -> need reset
                result = (mcgStatus & McgStatusBits.Ripv) != 0 ? McerResult.Continue : McerResult.Reset;
            }

            worst = McerResults.Worst(worst, result);
            if (result == McerResult.Reset)
            {
                break;
            }
        }

        return worst;
    }
}
