using Mca.Systems.Hardware;

namespace Mca.Systems.Linux;

internal sealed partial class LinuxMachine
{
    /// <summary>
    /// machine_check_poll on <paramref name="cpu"/> over every bank (Linux mce/core.c
    /// "machine_check_poll"): logs what the era's rule lets through, grades it with is_excp = false
    /// (modern only), and clears the bank. No ip is gathered and MCG_STATUS is left alone.
    /// </summary>
    public void MachineCheckPoll(int cpu, LinuxLogSource source = LinuxLogSource.TimerPoll)
    {
        CheckCpu(cpu);
        if (_halted)
        {
            return;
        }

        ulong mcg = _mcgStatus[cpu];
        // Linux severity.c error_context: the poller has no registers, cs is 0, so the context is kernel
        LinuxContext context = LinuxSeverityTable.ContextOf(mcg, 0, kernelRecoverableFixup: false);
        for (int bank = 0; bank < _bankCount; bank++)
        {
            int index = cpu * _bankCount + bank;
            ulong status = _bankStatus[index];
            if ((status & MciStatusBits.Val) == 0 || !PollLogs(status))
            {
                continue;
            }

            // Linux core.c machine_check_poll grades with is_excp = false; assumption: 2.6.32/v3.x did not grade polled records
            LinuxGrade? grade = _era == LinuxTableEra.Modern
                ? LinuxSeverityTable.Grade(_era, status, mcg, _ser, context, isException: false)
                : null;
            Log(BankRecord(cpu, bank, mcg, 0, 0, grade, source));
            // Linux core.c machine_check_poll: a logged record's bank is cleared
            _bankStatus[index] = 0;
        }
    }

    /// <summary>Whether the poller logs a valid bank (it skips what it leaves to #MC).</summary>
    private bool PollLogs(ulong status)
    {
        if (_era != LinuxTableEra.Modern)
        {
            // Linux core.c machine_check_poll: 2.6.32/v3.x skip when SER ? S : UC
            return (status & (_ser ? MciStatusBits.S : MciStatusBits.Uc)) == 0;
        }

        // Linux core.c machine_check_poll: logged if UC = 0, or SER with EN = 0, or SER UCNA (PCC = 0 and S = 0)
        if ((status & MciStatusBits.Uc) == 0)
        {
            return true;
        }

        if (!_ser)
        {
            return false;
        }

        return (status & MciStatusBits.En) == 0 || (status & (MciStatusBits.Pcc | MciStatusBits.S)) == 0;
    }
}
