namespace Mca.Systems.Xen;

/// <summary>Result of <see cref="VmceInject.Inject"/> (<c>inject_vmce</c>'s return value).</summary>
internal enum VmceInjectResult : byte
{
    Ok,
    /// <summary>-EBUSY: a target vCPU had mce_pending set or no #MC trap callback ("Failed to inject vMCE to dDvN").</summary>
    Busy,
    /// <summary>-ESRCH: no initialised target vCPU.</summary>
    NoTarget,
}

/// <summary><c>inject_vmce</c> (Xen vmce.c): marks the target vCPUs' <c>mce_pending</c>.</summary>
internal static class VmceInject
{
    /// <summary>
    /// Injects a vMCE into vCPU <paramref name="vcpuId"/> or, for <see cref="VmceFill.Broadcast"/>, into
    /// every vCPU in id order. Uninitialised vCPUs are skipped. A target is eligible if the domain is HVM
    /// or the vCPU registered a PV #MC trap callback; an eligible target with <c>mce_pending</c> clear gets
    /// it set (the caller kicks it). The first target that is not eligible or already pending stops the
    /// walk with <see cref="VmceInjectResult.Busy"/>; vCPUs already marked stay marked.
    /// </summary>
    /// <param name="initialised">Per vCPU: <c>is_initialised</c>.</param>
    /// <param name="pvTrapCallback">Per vCPU: a PV #MC trap callback is registered (ignored for HVM; may be empty then).</param>
    /// <param name="failedVcpu">The vCPU that made the injection fail, or -1.</param>
    /// <param name="console">Receives "Failed to inject vMCE to d&lt;D&gt;v&lt;N&gt;"; null for none.</param>
    public static VmceInjectResult Inject(
        Span<VcpuMca> vcpus, ushort domId, bool hvm, ReadOnlySpan<bool> initialised, ReadOnlySpan<bool> pvTrapCallback,
        int vcpuId, out int failedVcpu, ICollection<string>? console = null)
    {
        if (initialised.Length != vcpus.Length || (!hvm && pvTrapCallback.Length != vcpus.Length))
        {
            throw new ArgumentException($"expected one initialised flag (and, for PV, one trap-callback flag) per vCPU ({vcpus.Length})");
        }

        if (vcpuId != VmceFill.Broadcast && (uint)vcpuId >= (uint)vcpus.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(vcpuId), vcpuId, $"expected -1 (broadcast) or a vCPU 0..{vcpus.Length - 1}");
        }

        failedVcpu = -1;
        var result = VmceInjectResult.NoTarget;
        for (int v = 0; v < vcpus.Length; v++)
        {
            if (vcpuId != VmceFill.Broadcast && v != vcpuId)
            {
                continue;
            }

            // Xen vmce.c inject_vmce: eligible vCPUs are initialised and HVM or with a PV #MC trap callback
            if (!initialised[v])
            {
                continue;
            }

            bool eligible = hvm || pvTrapCallback[v];
            if (eligible && !vcpus[v].McePending)
            {
                vcpus[v].McePending = true;
                result = VmceInjectResult.Ok;
            }
            else
            {
                // Xen vmce.c inject_vmce: mce_pending already set or no callback -> "Failed to inject vMCE to <d>v<n>", -EBUSY
                failedVcpu = v;
                console?.Add(XenConsole.FailedToInjectVmce(domId, v));
                return VmceInjectResult.Busy;
            }

            if (vcpuId != VmceFill.Broadcast)
            {
                break;
            }
        }

        return result;
    }
}
