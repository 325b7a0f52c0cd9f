using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Mca.Workloads.Campaign;

namespace Mca.Replay;

/// <summary>
/// A replay's inputs and events on demand (docs/replay-format.md "Derived content"). A file that stores them is read;
/// one that keeps only their counts and hashes (format 4, the default) is re-simulated from the spec in its header
/// (the workload's errors are a pure function of the seed and the machine id, so one machine re-simulates alone), and
/// every re-simulated section is checked against the recorded counts, hashes and state hash before anyone sees it:
/// what a command shows is what the recording engine did, or a <see cref="ReplayMismatchException"/>.
/// </summary>
internal static class ReplayContent
{
    /// <summary>Epochs re-simulated ahead of the reader of <see cref="Frames"/>.</summary>
    private const int EpochsAhead = 2;

    /// <summary>Machine <paramref name="machine"/>'s sections with their inputs and events, in epoch order, each with its frame.</summary>
    public static IReadOnlyList<(ReplayFrame Frame, MachineFrame Section)> Machine(ReplayReader reader, int machine, WorkloadCatalog? catalog, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var recorded = reader.ReadMachine(machine).ToList();
        var h = reader.Header;
        if (h.StoresAll)
        {
            return recorded;
        }

        var spec = ReplaySession.LoadSpec(reader, catalog);
        var options = ReplaySession.Resimulation(spec, h, 1, catalog, first: machine, count: 1, batchSize: 1);
        var offsets = recorded.ToDictionary(r => r.Frame.Epoch, r => r.Frame.Offset);
        var derived = new List<(ReplayFrame, MachineFrame)>();
        using var cursor = new FrameCursor(recorded.Select(r => r.Frame), machine, machine + 1);
        var (_, divergence) = ReplaySession.RunAndCompare(options, h.DurationNs, cursor, stopAtFirst: true, onOutput: (o, sections) =>
        {
            foreach (var s in sections)
            {
                derived.Add((new ReplayFrame(offsets.GetValueOrDefault(o.Epoch), o.Epoch, h.BatchOf(machine), [s]), s));
            }
        }, ct: ct);
        if (divergence is not null)
        {
            throw new ReplayMismatchException(reader.Path, h, divergence);
        }

        return derived;
    }

    /// <summary>
    /// Every frame with its inputs and events, in file order: read, or re-simulated (on <paramref name="threads"/>
    /// workers, a few epochs ahead of the caller) and checked an epoch at a time.
    /// </summary>
    public static IEnumerable<ReplayFrame> Frames(ReplayReader reader, WorkloadCatalog? catalog, int threads = 0, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.Header.StoresAll ? reader.ReadFrames() : Derived(reader, catalog, threads, ct);
    }

    private static IEnumerable<ReplayFrame> Derived(ReplayReader reader, WorkloadCatalog? catalog, int threads, CancellationToken ct)
    {
        var h = reader.Header;
        var spec = ReplaySession.LoadSpec(reader, catalog);
        var options = ReplaySession.Resimulation(spec, h, threads, catalog);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var epochs = new BlockingCollection<ReplayFrame[]>(EpochsAhead);
        ReplayDivergence? divergence = null;
        ExceptionDispatchInfo? failure = null;
        var producer = new Thread(() =>
        {
            try
            {
                var pending = new List<ReplayFrame>();
                using var cursor = new FrameCursor(reader.ReadFrames());
                (_, divergence) = ReplaySession.RunAndCompare(options, h.DurationNs, cursor, stopAtFirst: true,
                    onOutput: (o, sections) =>
                    {
                        if (sections.Count > 0)
                        {
                            pending.Add(new ReplayFrame(0, o.Epoch, o.Batch, [.. sections]));
                        }
                    },
                    ct: stop.Token,
                    onEpochAgreed: _ =>
                    {
                        epochs.Add([.. pending], stop.Token);
                        pending.Clear();
                    });
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // The reader stopped early (or the caller cancelled): nothing more to derive.
            }
            catch (Exception e)
            {
                failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                epochs.CompleteAdding();
            }
        })
        {
            IsBackground = true,
            Name = "replay re-simulation",
        };
        producer.Start();
        try
        {
            foreach (var epoch in epochs.GetConsumingEnumerable(ct))
            {
                foreach (var f in epoch)
                {
                    yield return f;
                }
            }
        }
        finally
        {
            stop.Cancel();
            producer.Join();
        }

        failure?.Throw();
        if (divergence is not null)
        {
            throw new ReplayMismatchException(reader.Path, h, divergence);
        }
    }
}
