namespace Mca.Systems.Xen;

/// <summary><c>mctelem_class_t</c>: the two telemetry queues (Xen mctelem.c).</summary>
internal enum TelemetryClass : byte
{
    /// <summary>MC_URGENT: #MC telemetry; may borrow free non-urgent slots.</summary>
    Urgent = 0,
    /// <summary>MC_NONURGENT: CMCI, poll and boot-time telemetry.</summary>
    NonUrgent = 1,
}

/// <summary>The state of one telemetry entry (<c>MCTE_F_STATE_*</c>).</summary>
internal enum TelemetryEntryState : byte
{
    Free,
    /// <summary>Reserved, on no list (or on a per-CPU pending list: see <see cref="McTelemetry.IsDeferred"/>).</summary>
    Uncommitted,
    Committed,
    Processing,
}

/// <summary>Result of <see cref="McTelemetry.Fetch"/>, with the values of <c>XEN_MC_OK</c> and <c>XEN_MC_NODATA</c>.</summary>
internal enum FetchResult : byte
{
    Ok = 0,
    NoData = 2,
}
