using System.Diagnostics;
using Mca.Ecs;
using Mca.Systems.Model;

namespace Mca.Workloads.Field;

/// <summary>
/// How a DIMM's cells map to host-physical addresses. DIMM <c>d</c> covers the contiguous range
/// [d x DimmBytes, (d+1) x DimmBytes) (no channel interleave, so an address names its DIMM at a glance);
/// DIMMs 0..n/s-1 sit on socket 0, the next n/s on socket 1, and so on, one channel each. Inside a DIMM,
/// line index L = (row x Banks + bank) x ColumnBursts + column burst, address = base + 64 L: a row of one
/// bank is 16 KiB of contiguous addresses (2048 x4 columns of 16 data devices), as with x4 DDR3 devices
/// of 8 banks and 2 K columns; the row count follows from the DIMM size (32 K rows for the default 4 GiB).
/// </summary>
internal sealed class DimmGeometry
{
    public const int LineBytes = 64;
    public const int DimmsMax = 64;
    public const int Banks = 8;
    /// <summary>2048 columns read in bursts of 8.</summary>
    public const int ColumnBursts = 256;

    public DimmGeometry(MachineSpec spec, int dimmCount)
    {
        ArgumentNullException.ThrowIfNull(spec);
        long totalBytes = spec.Memory.TotalBytes;
        long unit = (long)LineBytes * Banks * ColumnBursts;
        if (dimmCount <= 0 || dimmCount > DimmsMax || dimmCount % spec.SocketCount != 0 || totalBytes % dimmCount != 0 || totalBytes / dimmCount % unit != 0)
        {
            throw new ArgumentException(
                $"dimm_count must divide machine '{spec.Name}' ({totalBytes} bytes, {spec.SocketCount} sockets) evenly: 1 to {DimmsMax} DIMMs, a multiple of the socket count, each a multiple of {unit} bytes (found {dimmCount})");
        }

        DimmCount = dimmCount;
        DimmBytes = totalBytes / dimmCount;
        Rows = (int)(DimmBytes / unit);
        DimmsPerSocket = dimmCount / spec.SocketCount;
    }

    public int DimmCount { get; }
    public long DimmBytes { get; }
    public int Rows { get; }
    public int DimmsPerSocket { get; }

    public int SocketOf(int dimm) => dimm / DimmsPerSocket;

    /// <summary>The memory-controller channel of a DIMM (0-14; 15 would mean "not specified", Intel SDM vol. 3B 15.9.2.6).</summary>
    public int ChannelOf(int dimm) => Math.Min(dimm % DimmsPerSocket, 14);

    public int DimmOf(ulong address) => (int)(address / (ulong)DimmBytes);

    public ulong AddressOf(int dimm, int row, int bank, int column)
    {
        Debug.Assert(row >= 0 && row < Rows && bank >= 0 && bank < Banks && column >= 0 && column < ColumnBursts, "a cell inside the DIMM");
        long line = ((((long)row * Banks) + bank) * ColumnBursts) + column;
        return (ulong)((dimm * DimmBytes) + (line * LineBytes));
    }

    /// <summary>A fault footprint of <paramref name="mode"/> around the cell (row, bank, column).</summary>
    public static Footprint FootprintOf(FaultMode mode, int row, int bank, int column) => mode switch
    {
        FaultMode.SingleBit or FaultMode.SingleWord => new(row, (sbyte)bank, (short)column),
        FaultMode.SingleColumn => new(Footprint.Any, (sbyte)bank, (short)column),
        FaultMode.SingleRow => new(row, (sbyte)bank, Footprint.Any),
        FaultMode.SingleBank => new(Footprint.Any, (sbyte)bank, Footprint.Any),
        _ => new(Footprint.Any, Footprint.Any, Footprint.Any),
    };

    /// <summary>A random cell of the DIMM: the origin of a new fault.</summary>
    public Footprint RandomCell(ref CounterRng rng) =>
        new(rng.NextInt(Rows), (sbyte)rng.NextInt(Banks), (short)rng.NextInt(ColumnBursts));

    /// <summary>A uniformly chosen line of a footprint (no draw for a single line).</summary>
    public ulong RandomAddress(ref CounterRng rng, int dimm, Footprint footprint)
    {
        int row = footprint.Row == Footprint.Any ? rng.NextInt(Rows) : footprint.Row;
        int bank = footprint.Bank == Footprint.Any ? rng.NextInt(Banks) : footprint.Bank;
        int column = footprint.Column == Footprint.Any ? rng.NextInt(ColumnBursts) : footprint.Column;
        return AddressOf(dimm, row, bank, column);
    }
}
