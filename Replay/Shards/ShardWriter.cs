using Mca.Workloads.Campaign;

namespace Mca.Replay.Shards;

/// <summary>
/// Writes a shard file as the campaign's batches finish (<see cref="IBatchSink"/>, in batch order): the header
/// first, a frame per batch, and the end frame at <see cref="Complete"/>. Memory stays one batch; the stream is the
/// caller's (an output written under a temporary name and renamed at the end).
/// </summary>
public sealed class ShardWriter(Stream stream, ShardHeader header) : IBatchSink
{
    private int _batches;
    private int _machines;
    private bool _started;

    /// <summary>Bytes written so far.</summary>
    public long BytesWritten { get; private set; }

    public void Done(BatchResult result, bool resumed)
    {
        ArgumentNullException.ThrowIfNull(result);
        Start();
        Write(ShardFile.EncodeBatch(result));
        _batches++;
        _machines += result.Machines.Length;
    }

    /// <summary>Writes the end frame (after every batch).</summary>
    public void Complete()
    {
        Start();
        if (_machines != header.Machines)
        {
            throw new InvalidOperationException($"the shard holds {_machines} machines: expected {header.Machines}");
        }

        Write(ShardFile.EncodeEnd(new ShardEnd(_batches, _machines)));
        stream.Flush();
    }

    private void Start()
    {
        if (_started)
        {
            return;
        }

        _started = true;
        stream.Write(ShardFile.ShardMagic);
        BytesWritten += ShardFile.ShardMagic.Length;
        Write(ShardFile.EncodeHeader(header));
    }

    private void Write(byte[] payload)
    {
        ShardFile.WriteFrame(stream, payload);
        BytesWritten += payload.Length + 12;
    }
}
