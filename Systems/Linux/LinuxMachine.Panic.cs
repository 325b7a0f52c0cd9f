using System.Globalization;
using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

internal sealed partial class LinuxMachine
{
    private const string HwErr = "[Hardware Error]: ";

    /// <summary>
    /// mce_panic (Linux core.c): prints the pending records (corrected first,
    /// then uncorrected, the final one last), the missing-CPU line of old kernels, "Machine check:
    /// &lt;reason&gt;" and the panic text. With fake_panic only the first panic prints
    /// "Fake kernel panic: &lt;msg&gt;" and the run continues; without it the machine halts.
    /// </summary>
    private void Panic(string message, LoggedMce? final, int finalIndex, string? reason, int cpu)
    {
        bool print = !_options.FakePanic || !_fakePanicPrinted;
        _panics.Add(new LinuxPanic(message, reason, cpu, _injectionIndex, print));
        if (!print)
        {
            // Linux core.c mce_panic: only the first fake panic is printed
            return;
        }

        _fakePanicPrinted = true;
        for (int i = _pendingStart; i < _logged.Count; i++)
        {
            if ((_logged[i].Status & MciStatusBits.Uc) == 0)
            {
                PrintMce(_logged[i]);
            }
        }

        for (int i = _pendingStart; i < _logged.Count; i++)
        {
            if ((_logged[i].Status & MciStatusBits.Uc) != 0 && i != finalIndex)
            {
                PrintMce(_logged[i]);
            }
        }

        if (final is { } last)
        {
            PrintMce(last);
        }

        if (_cpuMissing)
        {
            // Linux 2.6.32/v3.x mce.c: old kernels print this in mce_panic after a timeout
            _console.Add(HwErr + "Some CPUs didn't answer in synchronization");
        }

        if (reason is not null)
        {
            _console.Add(HwErr + "Machine check: " + reason);
        }

        if (_options.FakePanic)
        {
            _console.Add(HwErr + "Fake kernel panic: " + message);
        }
        else
        {
            _console.Add("Kernel panic - not syncing: " + message);
            _halted = true;
        }
    }

    /// <summary>print_mce (Linux core.c); the ip is printed as cs:&lt;ip&gt; without a symbol.</summary>
    private void PrintMce(in LoggedMce m)
    {
        CultureInfo inv = CultureInfo.InvariantCulture;
        string exception = (m.McgStatus & McgStatusBits.Mcip) != 0 ? " Exception" : "";
        _console.Add(string.Create(inv, $"{HwErr}CPU {m.Cpu}: Machine Check{exception}: {m.McgStatus:x} Bank {m.Bank}: {m.Status:x16}"));
        if (m.Ip != 0)
        {
            string inexact = (m.McgStatus & McgStatusBits.Eipv) == 0 ? " !INEXACT!" : "";
            _console.Add(string.Create(inv, $"{HwErr}RIP{inexact} {m.Cs:x2}:<{m.Ip:x16}>"));
        }

        string addr = m.Addr != 0 ? string.Create(inv, $" ADDR {m.Addr:x}") : "";
        string misc = m.Misc != 0 ? string.Create(inv, $" MISC {m.Misc:x}") : "";
        _console.Add(string.Create(inv, $"{HwErr}TSC {m.Tsc:x}{addr}{misc}"));
        _console.Add(string.Create(inv, $"{HwErr}PROCESSOR 0:0 TIME {m.Time} SOCKET {m.SocketId} APIC {m.ApicId:x} microcode 0"));
        _console.Add(HwErr + "Run the above through 'mcelog --ascii'");
    }
}
