namespace Mca.Systems.Engine;

/// <summary>A machine's cached poll scan: whether the next poll round would find a valid record in a polled bank.</summary>
internal enum PollScan : byte
{
    /// <summary>A bank of the machine was written since the last scan: scan again.</summary>
    Stale = 0,
    /// <summary>No polled bank holds a valid record: the poll is skipped in closed form.</summary>
    Empty = 1,
    /// <summary>A polled bank holds a valid record: the poll must run.</summary>
    Finds = 2,
}
