using Mca.Systems.Hardware;

namespace Mca.Systems.Xen;

/// <summary>One impacted bank queued for a domain in the March 2009 model (<c>struct bank_entry</c>).</summary>
internal struct BankEntry2009
{
    /// <summary>The pCPU whose telemetry held the bank.</summary>
    public int Cpu;
    public int Bank;
    public ulong Status;
    public ulong Addr;
    public ulong Misc;
}

/// <summary>
/// The per-domain vMCE state committed in March 2009 (Xen 32e8dd573b, f74394f46c;
/// "Committed in March 2009"): <c>vmca_msrs</c> with its FIFO of impacted banks. Each impacted bank
/// adds one entry and one to <see cref="NrInjection"/>; one vMCE is in flight at a time, always to
/// vcpu0; the guest's MSR view is the list head (<see cref="VmceMsrs2009"/>). The FIFO is a ring
/// buffer that grows (rarely) when more banks are queued than it holds; reuse it with <see cref="Reset"/>.
/// </summary>
internal sealed class VmceDomain2009
{
    /// <summary>The MSR constants f74394f46c enumerates cover banks 0..8 (MC0..MC8).</summary>
    public const int MsrBankCount = 9;

    private readonly ulong[] _mciCtl = new ulong[MsrBankCount];
    private BankEntry2009[] _ring;
    private int _head;
    private int _count;

    /// <summary>A domain created on a host whose MCG_CAP is <paramref name="hostMcgCap"/>.</summary>
    public VmceDomain2009(ulong hostMcgCap, int initialCapacity = 4)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(initialCapacity, 1);
        _ring = new BankEntry2009[initialCapacity];
        Reset(hostMcgCap);
    }

    /// <summary><c>mcg_cap</c>: the host's with CMCI_P cleared (so the host's bank count).</summary>
    public ulong McgCap { get; private set; }
    /// <summary><c>mcg_ctl</c>.</summary>
    public ulong McgCtl { get; set; }
    /// <summary><c>mcg_status</c>: set by each fill, written by the guest.</summary>
    public ulong McgStatus { get; set; }
    /// <summary><c>nr_injection</c>: vMCEs still owed to the guest.</summary>
    public int NrInjection { get; private set; }
    /// <summary>Entries in the FIFO.</summary>
    public int EntryCount => _count;

    /// <summary><c>mci_ctl[bank]</c> for banks 0..8.</summary>
    public Span<ulong> MciCtl => _mciCtl;

    /// <summary>The list head (the entry the guest sees); throws when the FIFO is empty.</summary>
    public ref BankEntry2009 Head
    {
        get
        {
            if (_count == 0)
            {
                throw new InvalidOperationException("the impacted-bank list is empty");
            }

            return ref _ring[_head];
        }
    }

    /// <summary>The FIFO entry at <paramref name="index"/> (0 = head).</summary>
    public BankEntry2009 Entry(int index)
    {
        if ((uint)index >= (uint)_count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"expected 0..{_count - 1}");
        }

        return _ring[(_head + index) % _ring.Length];
    }

    /// <summary>Domain creation: MCG_CAP from the host minus CMCI_P, MCG_CTL and every MCi_CTL all ones, nothing queued.</summary>
    public void Reset(ulong hostMcgCap)
    {
        // Xen f74394f46c: mcg_cap = host MCG_CAP with CMCI_P cleared; mcg_ctl and mci_ctl[] all ones
        McgCap = hostMcgCap & ~McgCapBits.CmciP;
        McgCtl = ulong.MaxValue;
        McgStatus = 0;
        NrInjection = 0;
        _mciCtl.AsSpan().Fill(ulong.MaxValue);
        _head = 0;
        _count = 0;
    }

    /// <summary>
    /// <c>fill_vmsr_data</c> (2009) for one bank impacting this domain: appends an entry at the tail,
    /// sets <c>mcg_status</c> = <paramref name="mcgStatus"/> and adds one to <c>nr_injection</c>.
    /// </summary>
    public void AddImpactedBank(int cpu, in McBankRecord bank, ulong mcgStatus)
    {
        // Xen f74394f46c: each impacted bank adds one list entry and one to nr_injection (per bank)
        if (_count == _ring.Length)
        {
            Grow();
        }

        _ring[(_head + _count) % _ring.Length] = new BankEntry2009
        {
            Cpu = cpu,
            Bank = bank.Bank,
            Status = bank.Status,
            Addr = bank.Addr,
            Misc = bank.Misc,
        };
        _count++;
        McgStatus = mcgStatus;
        NrInjection++;
    }

    /// <summary>
    /// Softirq step 3 (dom0 only in 2009): injects into vcpu0 if the domain registered an #MC trap
    /// callback and <c>mce_pending</c> was clear; sets it. The caller pins vcpu0 to the processing pCPU
    /// (saving its affinity) and kicks it. Returns whether a vMCE was injected.
    /// </summary>
    public static bool TryInject(bool hasMcTrapCallback, ref bool vcpu0McePending)
    {
        // Xen 32e8dd573b mce_intel.c mce_softirq: inject into dom0 vcpu0 only if it registered a trap callback and mce_pending was not set
        if (!hasMcTrapCallback || vcpu0McePending)
        {
            return false;
        }

        vcpu0McePending = true;
        return true;
    }

    /// <summary>
    /// The PV guest's IRET out of its #MC handler (async-exception clean-up): the caller restores the
    /// affinity; this decrements <c>nr_injection</c>, deletes the list head and, if injections are
    /// still owed, re-arms <c>mce_pending</c> so the next entry is delivered. Returns whether it re-armed.
    /// </summary>
    public bool CompleteInjection(ref bool vcpu0McePending)
    {
        // Xen f74394f46c: IRET decrements nr_injection, deletes the list head, re-arms if nr_injection > 0
        if (NrInjection > 0)
        {
            NrInjection--;
        }

        if (_count > 0)
        {
            _ring[_head] = default;
            _head = (_head + 1) % _ring.Length;
            _count--;
        }

        if (NrInjection > 0)
        {
            vcpu0McePending = true;
            return true;
        }

        return false;
    }

    private void Grow()
    {
        var larger = new BankEntry2009[_ring.Length * 2];
        for (int i = 0; i < _count; i++)
        {
            larger[i] = _ring[(_head + i) % _ring.Length];
        }

        _ring = larger;
        _head = 0;
    }
}
