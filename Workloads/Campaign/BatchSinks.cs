namespace Mca.Workloads.Campaign;

/// <summary>Combines batch sinks: the first that resumes a batch supplies it; every sink sees every finished batch, in order.</summary>
public static class BatchSinks
{
    /// <summary>The sinks given (nulls skipped) as one, or null when there are none.</summary>
    public static IBatchSink? Of(params IBatchSink?[] sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        var live = sinks.Where(s => s is not null).Cast<IBatchSink>().ToArray();
        return live.Length switch
        {
            0 => null,
            1 => live[0],
            _ => new Many(live),
        };
    }

    private sealed class Many(IBatchSink[] sinks) : IBatchSink
    {
        public BatchResult? Resume(int batch)
        {
            foreach (var s in sinks)
            {
                if (s.Resume(batch) is { } r)
                {
                    return r;
                }
            }

            return null;
        }

        public IReadOnlyList<EpochOutput>? ResumeOutputs(int batch)
        {
            foreach (var s in sinks)
            {
                if (s.ResumeOutputs(batch) is { } r)
                {
                    return r;
                }
            }

            return null;
        }

        public void Outputs(BatchResult result, IReadOnlyList<EpochOutput> outputs)
        {
            foreach (var s in sinks)
            {
                s.Outputs(result, outputs);
            }
        }

        public void Done(BatchResult result, bool resumed)
        {
            foreach (var s in sinks)
            {
                s.Done(result, resumed);
            }
        }
    }
}
