using System.Globalization;
using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>
/// The hypervisor console lines of the MCA code, formatted exactly as Xen prints them (Xen
/// mce.c mc_panic, mce_softirq and x86_mcinfo_dump, mcaction.c, vmce.c). One string per
/// line, without the trailing newline. Hex is lower case (<c>PRIx64</c>); <c>%16"PRIx64</c> in
/// <c>x86_mcinfo_dump</c> is space-padded to 16 columns, not zero-padded.
/// </summary>
/// <remarks>
/// dprintk lines carry Xen's debug-build prefix "file:line: ". The line numbers in
/// <see cref="Lines"/> are illustrative fixed values, not taken from a particular Xen release; tests
/// and tools should match on the text after the prefix when they need release independence.
/// </remarks>
internal static class XenConsole
{
    /// <summary>The banner separator of <c>mc_panic</c> and <c>panic</c>.</summary>
    public const string Stars = "****************************************";
    public const string BannerLine1 = "   The processor has reported a hardware error which cannot";
    public const string BannerLine2 = "   be recovered from.  Xen will now reboot the machine.";
    /// <summary>The message of the final <c>panic()</c> in <c>mc_panic</c>.</summary>
    public const string HardwareError = "HARDWARE ERROR";

    /// <summary>mc_panic reason when no CPU found a valid bank (Xen mce.c mcheck_cmn_handler).</summary>
    public const string NoCpuFoundValidMce = "MCE: No CPU found valid MCE, need reset";
    /// <summary>panic message after MCER_RESET in the softirq (Xen mce.c mce_delayed_action).</summary>
    public const string SoftwareRecoveryFailed = "MCE: Software recovery failed for the UCR";
    /// <summary>Era 4.0/4.1 panic after a need-reset recovery result.</summary>
    public const string Era40SoftwareRecoveryFailed = "MCE: Software recovery failed for the UCR error";
    /// <summary>Era 4.0/4.1 #MC-handler panic: PCC.</summary>
    public const string Era40PanicStateLost = "State lost due to machine check exception.";
    /// <summary>Era 4.0/4.1 #MC-handler panic: RIPV = 0.</summary>
    public const string Era40PanicRipv = "RIPV =0 can't resume execution!";
    /// <summary>Era 4.0/4.1 #MC-handler panic: not recoverable.</summary>
    public const string Era40PanicRecoveryFail = "Machine check exception software recovery fail.";
    /// <summary>Era 4.0 panic when no CPU found an error.</summary>
    public const string Era40PanicUnexpected = "Unexpected condition for the MCE handler, need reset";
    /// <summary>The prefix of the fatal-CPU reason; the CPU bitmap follows.</summary>
    public const string FatalErrorOnCpusPrefix = "MCE: Fatal error happened on CPUs ";
    /// <summary><c>intpose_add</c> with a full table (Xen mce.c).</summary>
    public const string InterposeArrayFull = "intpose_add: interpose array full - request dropped";

    /// <summary>Illustrative source lines of the dprintk calls (see the type remarks).</summary>
    public static class Lines
    {
        public const string McaFile = "mce.c";
        public const string ActionFile = "mcaction.c";
        public const int DelayedActionFailed = 1633;
        public const int Recovered = 1640;
        public const int CantRecover = 1645;
        public const int BeginDump = 1558;
        public const int EndDump = 1561;
        public const int NoPhysicalAddress = 53;
        public const int OfflineFailed = 60;
    }

    /// <summary>A dprintk line: "file:line: message".</summary>
    public static string Dprintk(string file, int line, string message) =>
        string.Create(CultureInfo.InvariantCulture, $"{file}:{line}: {message}");

    /// <summary>printf <c>%16"PRIx64</c>: lower-case hex right-aligned in 16 columns (space-padded).</summary>
    public static string Hex16(ulong value) => value.ToString("x", CultureInfo.InvariantCulture).PadLeft(16);

    /// <summary>printf <c>%016"PRIx64</c>: lower-case hex zero-padded to 16 digits.</summary>
    public static string Hex016(ulong value) => value.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>printf <c>%#Lx</c>: "0" for zero, otherwise "0x" and lower-case hex.</summary>
    public static string HexAlt(ulong value) =>
        value == 0 ? "0" : "0x" + value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary><c>%pv</c> of a real domain's vCPU: "d&lt;D&gt;v&lt;N&gt;".</summary>
    public static string Vcpu(ushort domId, int vcpu) => string.Create(CultureInfo.InvariantCulture, $"d{domId}v{vcpu}");

    /// <summary>
    /// The first line of <c>x86_mcinfo_dump</c>, chosen by the flags in that order: MCE, CMCI, POLLED.
    /// All three print <c>mc_coreid</c>. Null when none of the three flags is set (Xen prints no header then).
    /// </summary>
    public static string? DumpHeader(in McGlobal global)
    {
        // Xen mce.c x86_mcinfo_dump: three first-line forms, all printing mc_coreid
        if ((global.Flags & McFlags.Mce) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"CPU{global.CoreId}: Machine Check Exception: {Hex16(global.McgStatus)}");
        }

        if ((global.Flags & McFlags.Cmci) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"CMCI occurred on CPU {global.CoreId}.");
        }

        if ((global.Flags & McFlags.Polled) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"POLLED occurred on CPU {global.CoreId}.");
        }

        return null;
    }

    /// <summary>One bank line of the dump: "Bank i: status", then "[misc]" if MISCV and " at addr" if ADDRV.</summary>
    public static string BankLine(in McBankRecord bank)
    {
        // Xen mce.c x86_mcinfo_dump: per bank "Bank <i>: <status>" + "[<misc>]" if MISCV + " at <addr>" if ADDRV
        string line = string.Create(CultureInfo.InvariantCulture, $"Bank {bank.Bank}: {Hex16(bank.Status)}");
        if ((bank.Status & MciStatusBits.MiscV) != 0)
        {
            line += "[" + Hex16(bank.Misc) + "]";
        }

        if ((bank.Status & MciStatusBits.AddrV) != 0)
        {
            line += " at " + Hex16(bank.Addr);
        }

        return line;
    }

    /// <summary><c>x86_mcinfo_dump</c>: nothing without a global block; else the header (if any) and one line per bank block.</summary>
    public static void McinfoDump(McInfo info, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(lines);
        if (!info.HasGlobal)
        {
            return;
        }

        string? header = DumpHeader(info.Global);
        if (header != null)
        {
            lines.Add(header);
        }

        foreach (ref readonly McBankRecord bank in info.Banks)
        {
            lines.Add(BankLine(bank));
        }
    }

    /// <summary>The opening of <c>mc_panic(reason)</c>: "Fatal machine check: &lt;reason&gt;" and the banner.</summary>
    public static void McPanicBanner(string reason, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);

        // Xen mce.c mc_panic: "Fatal machine check: <s>", then the banner text
        lines.Add("Fatal machine check: " + reason);
        lines.Add(string.Empty);
        lines.Add(Stars);
        lines.Add(string.Empty);
        lines.Add(BannerLine1);
        lines.Add(BannerLine2);
    }

    /// <summary>The dprintk that opens <c>mc_panic_dump</c>.</summary>
    public static string McPanicDumpBegin() => Dprintk(Lines.McaFile, Lines.BeginDump, "Begin dump mc_info");

    /// <summary>The dprintk that closes <c>mc_panic_dump</c>; the count is printed in hex (<c>%x</c>).</summary>
    public static string McPanicDumpEnd(int dumped) =>
        Dprintk(Lines.McaFile, Lines.EndDump, string.Create(CultureInfo.InvariantCulture, $"End dump mc_info, {dumped:x} mcinfo dumped"));

    /// <summary>The frame Xen's <c>panic(message)</c> prints on <paramref name="cpu"/>, ending with the reboot notice.</summary>
    public static void Panic(string message, int cpu, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);

        // Xen's generic panic() frame (common/console.c panic); mce.c only passes it the message.
        lines.Add(string.Empty);
        lines.Add(Stars);
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"Panic on CPU {cpu}:"));
        lines.Add(message);
        lines.Add(Stars);
        lines.Add(string.Empty);
        lines.Add("Reboot in five seconds...");
    }

    /// <summary>
    /// The whole <c>mc_panic(reason)</c> on <paramref name="cpu"/>: banner, then every record in
    /// <paramref name="deferred"/> dumped between the begin/end dprintks (the caller passes each
    /// online CPU's deferred telemetry, e.g. via <see cref="PanicDumpHandler"/>), then panic("HARDWARE ERROR").
    /// </summary>
    public static void McPanic(string reason, IReadOnlyList<McInfo> deferred, int cpu, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(deferred);
        McPanicBanner(reason, lines);
        lines.Add(McPanicDumpBegin());
        for (int i = 0; i < deferred.Count; i++)
        {
            McinfoDump(deferred[i], lines);
        }

        lines.Add(McPanicDumpEnd(deferred.Count));

        // Xen mce.c mc_panic: it ends with panic("HARDWARE ERROR")
        Panic(HardwareError, cpu, lines);
    }

    /// <summary>
    /// The mc_panic reason for fatal CPUs: "MCE: Fatal error happened on CPUs &lt;%*pb&gt;", where the mask
    /// of <paramref name="nrCpuIds"/> bits prints as zero-padded hex in comma-separated 32-bit chunks,
    /// the whole string cut to 95 characters like Xen's 96-byte buffer.
    /// </summary>
    public static string FatalCpusReason(ReadOnlySpan<ulong> cpuMask, int nrCpuIds)
    {
        // Xen mce.c mcheck_cmn_handler: mc_panic("MCE: Fatal error happened on CPUs <mask>")
        string text = FatalErrorOnCpusPrefix + CpuMaskBitmap(cpuMask, nrCpuIds);
        return text.Length > 95 ? text[..95] : text;
    }

    /// <summary>Xen's <c>%*pb</c> of a bitmap: 32-bit chunks, most significant first, comma separated, zero-padded hex.</summary>
    public static string CpuMaskBitmap(ReadOnlySpan<ulong> mask, int nrBits)
    {
        if (nrBits <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(nrBits), nrBits, "expected at least one CPU id");
        }

        const int ChunkBits = 32;
        int chunkBits = nrBits % ChunkBits == 0 ? ChunkBits : nrBits % ChunkBits;
        var text = new System.Text.StringBuilder();
        for (int bit = ((nrBits + ChunkBits - 1) / ChunkBits * ChunkBits) - ChunkBits; bit >= 0; bit -= ChunkBits)
        {
            ulong word = bit / 64 < mask.Length ? mask[bit / 64] : 0;
            ulong chunk = (word >> (bit % 64)) & ((1UL << chunkBits) - 1);
            if (text.Length > 0)
            {
                text.Append(',');
            }

            text.Append(chunk.ToString("x" + ((chunkBits + 3) / 4).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            chunkBits = ChunkBits;
        }

        return text.ToString();
    }

    /// <summary>
    /// What <c>mce_delayed_action</c> prints for a deferred record on the processing CPU: the dprintk,
    /// the dump for CONTINUE and RESET, and for RESET the panic frame.
    /// </summary>
    public static void DelayedActionLines(DelayedDisposition disposition, McInfo info, int cpu, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        switch (disposition)
        {
            case DelayedDisposition.Panic:
                // Xen mce.c mce_delayed_action: "MCE delayed action failed", dump, panic("MCE: Software recovery failed for the UCR")
                lines.Add(Dprintk(Lines.McaFile, Lines.DelayedActionFailed, "MCE delayed action failed"));
                McinfoDump(info, lines);
                Panic(SoftwareRecoveryFailed, cpu, lines);
                break;
            case DelayedDisposition.CommitRecovered:
                // Xen mce.c mce_delayed_action: "MCE: Error is successfully recovered"
                lines.Add(Dprintk(Lines.McaFile, Lines.Recovered, "MCE: Error is successfully recovered"));
                break;
            case DelayedDisposition.CommitTainted:
                // Xen mce.c mce_delayed_action: "MCE: Error can't be recovered, system is tainted", plus a console dump
                lines.Add(Dprintk(Lines.McaFile, Lines.CantRecover, "MCE: Error can't be recovered, system is tainted"));
                McinfoDump(info, lines);
                break;
            case DelayedDisposition.Dismiss:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(disposition), disposition, "expected a DelayedDisposition value");
        }
    }

    /// <summary>dprintk "No physical address provided for memory error" (Xen mcaction.c mc_memerr_dhandler step 1).</summary>
    public static string NoPhysicalAddress() =>
        Dprintk(Lines.ActionFile, Lines.NoPhysicalAddress, "No physical address provided for memory error");

    /// <summary>dprintk "Failed to offline page &lt;mfn&gt; for MCE error"; the MFN prints as <c>PRI_mfn</c> ("%05lx").</summary>
    public static string OfflineFailed(ulong mfn) =>
        Dprintk(Lines.ActionFile, Lines.OfflineFailed, $"Failed to offline page {Mfn(mfn)} for MCE error");

    /// <summary>"MCE: This error page is ownded by DOM &lt;D&gt;" (MCE_QUIET, always printed; the typo is Xen's).</summary>
    public static string OwnedBy(ushort domId) =>
        string.Create(CultureInfo.InvariantCulture, $"MCE: This error page is ownded by DOM {domId}");

    /// <summary>"Unmap broken memory &lt;mfn&gt; for DOM&lt;D&gt; failed".</summary>
    public static string UnmapFailed(ulong mfn, ushort domId) =>
        string.Create(CultureInfo.InvariantCulture, $"Unmap broken memory {Mfn(mfn)} for DOM{domId} failed");

    /// <summary>"Fill vMCE# data for DOM&lt;D&gt; failed".</summary>
    public static string FillFailed(ushort domId) =>
        string.Create(CultureInfo.InvariantCulture, $"Fill vMCE# data for DOM{domId} failed");

    /// <summary>"inject vMCE to DOM&lt;D&gt; failed".</summary>
    public static string InjectFailed(ushort domId) =>
        string.Create(CultureInfo.InvariantCulture, $"inject vMCE to DOM{domId} failed");

    /// <summary>The memory-recovery lines of a decision, in Xen's order (without the vMCE layer's own lines, which <see cref="VmceFill"/> and <see cref="VmceInject"/> emit between them).</summary>
    public static void MemoryErrorLines(in MemoryErrorDecision decision, ICollection<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        MemoryErrorMessages m = decision.Messages;
        if ((m & MemoryErrorMessages.NoPhysicalAddress) != 0)
        {
            lines.Add(NoPhysicalAddress());
        }

        if ((m & MemoryErrorMessages.OfflineFailed) != 0)
        {
            lines.Add(OfflineFailed(decision.Mfn));
        }

        if ((m & MemoryErrorMessages.OwnedBy) != 0)
        {
            lines.Add(OwnedBy(decision.Owner));
        }

        if ((m & MemoryErrorMessages.UnmapFailed) != 0)
        {
            lines.Add(UnmapFailed(decision.Mfn, decision.Owner));
        }

        if ((m & MemoryErrorMessages.FillFailed) != 0)
        {
            lines.Add(FillFailed(decision.Owner));
        }

        if ((m & MemoryErrorMessages.InjectFailed) != 0)
        {
            lines.Add(InjectFailed(decision.Owner));
        }
    }

    /// <summary>vmce.c: "MCE: d&lt;D&gt;v&lt;N&gt;: guest has not handled previous vMCE yet!".</summary>
    public static string GuestNotHandledPreviousVmce(ushort domId, int vcpu) =>
        $"MCE: {Vcpu(domId, vcpu)}: guest has not handled previous vMCE yet!";

    /// <summary>vmce.c: "Failed to inject vMCE to d&lt;D&gt;v&lt;N&gt;".</summary>
    public static string FailedToInjectVmce(ushort domId, int vcpu) => "Failed to inject vMCE to " + Vcpu(domId, vcpu);

    /// <summary>xen-mceinj's trigger on each CPU that runs <c>int $0x12</c>: "Simulating #MC on cpu &lt;n&gt;".</summary>
    public static string SimulatingMc(int cpu) => string.Create(CultureInfo.InvariantCulture, $"Simulating #MC on cpu {cpu}");

    /// <summary>"HV MSR INJECT (interpose|hardware) target &lt;cpu&gt; actual &lt;cpu&gt; MSR &lt;msr&gt; &lt;-- &lt;value&gt;" with <c>%#Lx</c> numbers.</summary>
    public static string MsrInject(bool interpose, int targetCpu, int actualCpu, ulong msr, ulong value) =>
        string.Create(CultureInfo.InvariantCulture,
            $"HV MSR INJECT ({(interpose ? "interpose" : "hardware")}) target {targetCpu} actual {actualCpu} MSR {HexAlt(msr)} <-- {HexAlt(value)}");

    /// <summary>"HV MSR INJECT ERROR: MSR &lt;msr&gt; &lt;reason&gt;" (reasons such as "must specify interposition", "not a recognized MCA MSR").</summary>
    public static string MsrInjectError(ulong msr, string reason) => $"HV MSR INJECT ERROR: MSR {HexAlt(msr)} {reason}";

    private static string Mfn(ulong mfn) => mfn.ToString("x5", CultureInfo.InvariantCulture);
}

/// <summary>
/// A deferred-telemetry handler that dumps each record to the console and dismisses it, as
/// <c>mc_panic_dump</c> does with <c>x86_mcinfo_dump_panic</c>.
/// </summary>
internal struct PanicDumpHandler : IDeferredTelemetryHandler
{
    private readonly ICollection<string> _lines;

    public PanicDumpHandler(ICollection<string> lines)
    {
        _lines = lines ?? throw new ArgumentNullException(nameof(lines));
        Dumped = 0;
    }

    /// <summary>Records dumped so far (<c>mcinfo_dumpped</c>).</summary>
    public int Dumped { get; private set; }

    public bool Process(int cookie, McInfo info)
    {
        XenConsole.McinfoDump(info, _lines);
        Dumped++;
        return false;
    }
}
