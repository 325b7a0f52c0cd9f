namespace Mca.Systems.Engine;

/// <summary>
/// What a batch tells its recorder (see <see cref="MachineBatch.Observe"/>): each error taken from the source, each
/// row handed out writable, and the end of each round. Machines are indices within the batch. The recorder reads
/// the rows through the batch's read-only views; the engine knows nothing of hashing or encoding, and without a
/// recorder every hook is one null check.
/// </summary>
public interface IBatchObserver
{
    /// <summary>An error taken from the source, before it arrives.</summary>
    void InputTaken(int machine, in ErrorInjection error);

    /// <summary>Every CPU row of the machine was handed out writable.</summary>
    void CpusWritten(int machine);

    /// <summary>CPU row <paramref name="cpu"/> of the machine was handed out writable.</summary>
    void CpuWritten(int machine, int cpu);

    /// <summary>Every bank instance row of the machine was handed out writable.</summary>
    void BanksWritten(int machine);

    /// <summary>Bank instance row <paramref name="row"/> of the machine was handed out writable.</summary>
    void BankWritten(int machine, int row);

    /// <summary>vCPU rows of the machine were handed out writable.</summary>
    void VcpusWritten(int machine);

    /// <summary>A round of the pipeline ended (the rows just written are still in cache).</summary>
    void RoundDone();
}
