using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>Result of <see cref="VmceFill.Fill"/> (<c>fill_vmsr_data</c>'s return value).</summary>
internal enum VmceFillResult : byte
{
    Ok,
    /// <summary>-EINVAL: the bank record names no domain (mc_domid = DOMID_INVALID).</summary>
    InvalidDomain,
    /// <summary>-EBUSY: a target vCPU still had MCIP set ("guest has not handled previous vMCE yet!").</summary>
    Busy,
}

/// <summary>
/// <c>fill_vmsr_data</c> of the current model (Xen vmce.c): writes the error into
/// the guest's vMCG_STATUS and virtual bank 1.
/// </summary>
internal static class VmceFill
{
    /// <summary><c>VMCE_INJECT_BROADCAST</c>: fill (and inject) every vCPU.</summary>
    public const int Broadcast = -1;
    /// <summary>MCIP | RIPV, the "less severe" event the other vCPUs get on broadcast.</summary>
    public const ulong SecondaryMcgStatus = McgStatusBits.Mcip | McgStatusBits.Ripv;

    /// <summary>
    /// Fills the domain's vCPUs for the bank record <paramref name="bank"/> (address already rewritten
    /// to the guest address, <c>mc_domid</c> = the domain). Broadcast (<paramref name="vcpuId"/> =
    /// <see cref="Broadcast"/>): vCPU 0 gets <paramref name="mcgStatus"/> without LMCE_S and bank 1 =
    /// {status with MSCOD cleared, addr, misc}; every other vCPU gets MCIP|RIPV and an empty bank 1.
    /// Otherwise, with LMCE_S set, only vCPU <paramref name="vcpuId"/> is filled; without it (the AMD
    /// path) vCPU 0 is filled. A vCPU whose vMCG_STATUS still has MCIP is left untouched and makes the
    /// result <see cref="VmceFillResult.Busy"/>; on broadcast every other vCPU is still filled.
    /// </summary>
    /// <param name="console">Receives "MCE: d&lt;D&gt;v&lt;N&gt;: guest has not handled previous vMCE yet!" per busy vCPU; null for none.</param>
    public static VmceFillResult Fill(Span<VcpuMca> vcpus, in McBankRecord bank, ulong mcgStatus, int vcpuId, ICollection<string>? console = null)
    {
        if (vcpus.IsEmpty)
        {
            throw new ArgumentException("a domain has at least one vCPU", nameof(vcpus));
        }

        if (vcpuId != Broadcast && (uint)vcpuId >= (uint)vcpus.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpuId), vcpuId, $"expected -1 (broadcast) or a vCPU 0..{vcpus.Length - 1}");
        }

        if (bank.DomId == XenIds.DomIdInvalid)
        {
            return VmceFillResult.InvalidDomain;
        }

        bool broadcast = vcpuId == Broadcast;
        int target = 0;
        if (broadcast)
        {
            // Xen vmce.c fill_vmsr_data: broadcast -> vcpu0 gets host MCG_STATUS with the LMCE bit cleared
            mcgStatus &= ~McgStatusBits.Lmce;
        }
        else if ((mcgStatus & McgStatusBits.Lmce) != 0)
        {
            // Xen vmce.c fill_vmsr_data: LMCE -> only the chosen vCPU is filled
            target = vcpuId;
        }

        // Xen vmce.c fill_vmsr_data: bank 1 = {status with MSCOD bits 31:16 cleared, addr = guest physical address, misc}
        bool ok = FillOne(ref vcpus[target], mcgStatus, bank.Status & ~MciStatusBits.MscodMask, bank.Addr, bank.Misc);
        if (!ok)
        {
            Report(console, bank.DomId, target);
        }

        if (broadcast)
        {
            for (int v = 1; v < vcpus.Length; v++)
            {
                // Xen vmce.c fill_vmsr_data: every other vCPU gets vMCG_STATUS = MCIP|RIPV (0x5) with an empty bank 1
                if (!FillOne(ref vcpus[v], SecondaryMcgStatus, 0, 0, 0))
                {
                    ok = false;
                    Report(console, bank.DomId, v);
                }
            }
        }

        return ok ? VmceFillResult.Ok : VmceFillResult.Busy;
    }

    private static bool FillOne(ref VcpuMca vcpu, ulong mcgStatus, ulong status, ulong addr, ulong misc)
    {
        // Xen vmce.c fill_vmsr_data: a vCPU whose vMCG_STATUS still has MCIP set makes the fill fail (-EBUSY)
        if ((vcpu.McgStatus & McgStatusBits.Mcip) != 0)
        {
            return false;
        }

        vcpu.McgStatus = mcgStatus;
        vcpu.Bank1.Status = status;
        vcpu.Bank1.Addr = addr;
        vcpu.Bank1.Misc = misc;
        return true;
    }

    private static void Report(ICollection<string>? console, ushort domId, int vcpu) =>
        console?.Add(XenConsole.GuestNotHandledPreviousVmce(domId, vcpu));
}
