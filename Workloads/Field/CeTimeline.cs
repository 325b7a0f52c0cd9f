using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using Mca.Ecs;

namespace Mca.Workloads.Field;

/// <summary>
/// The corrected errors of one permanent fault as a homogeneous Poisson process with random access: how
/// many fall before an instant, and when the k-th falls, each in O(depth) without walking the errors in
/// between. A closed-form stretch of the engine and the literal mode that steps every error read the same
/// instants, so the two agree exactly.
/// </summary>
/// <remarks>
/// The process lives on [<see cref="StartNs"/>, <see cref="StartNs"/> + 2^<see cref="Depth"/>). Its total is
/// Poisson(rate x 2^depth); each node of the binary tree over that span splits its count between its halves
/// with a fair binomial (given the total, a Poisson process's points are uniform and independent, so the
/// left half holds Binomial(n, 1/2) of them). A node holding one error places it uniformly in the node;
/// a 1 ns node holds all of its errors at its start. Node i (the root is 1, its children 2i and 2i+1) draws
/// from stream i of the fault's key, so every split is a pure function of (seed, fault, node) and queries
/// may come in any order. Binomials are exact (a count of fair bits) up to <see cref="BinomialExactMax"/>;
/// above it the rounded normal n/2 + (sqrt(n)/2) Z, Z an Irwin-Hall sum of 12 uniforms, clamped to [0, n], whose error is far below the
/// fault-to-fault spread of rates; the split always sums to n, so counts are exact.
/// </remarks>
internal readonly struct CeTimeline
{
    /// <summary>The deepest tree: 2^62 ns is about 146 years.</summary>
    public const int DepthMax = 62;

    /// <summary>Up to this many errors a node's split is an exact count of fair bits.</summary>
    public const int BinomialExactMax = 128;

    /// <summary>The fault's key: node i's values are <see cref="CounterRng.Hash"/>(key, i, j).</summary>
    private readonly ulong _key;

    /// <summary>
    /// A fault's timeline from <paramref name="startNs"/> covering at least <paramref name="spanNs"/>, at
    /// <paramref name="ratePerNs"/> errors per nanosecond. (<paramref name="seed"/>, <paramref name="faultKey"/>)
    /// names the fault: its stream 0 draws the total, stream i splits node i.
    /// </summary>
    public CeTimeline(ulong seed, ulong faultKey, long startNs, long spanNs, double ratePerNs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(startNs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(spanNs);
        Debug.Assert(ratePerNs >= 0 && !double.IsNaN(ratePerNs), "a rate is finite and not negative");
        int depth = spanNs <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(spanNs - 1));
        if (depth > DepthMax)
        {
            throw new ArgumentOutOfRangeException(nameof(spanNs), spanNs, $"a CE timeline spans at most 2^{DepthMax} ns");
        }

        _key = CounterRng.KeyOf(seed, faultKey);
        StartNs = startNs;
        Depth = depth;
        var total = CounterRng.Create(seed, 0, faultKey);
        Total = total.Poisson(ratePerNs * (double)(1L << depth));
    }

    /// <summary>The first instant the process covers.</summary>
    public long StartNs { get; }

    /// <summary>The process covers 2^Depth ns.</summary>
    public int Depth { get; }

    /// <summary>The errors on the whole span (the consumer ignores those past its horizon).</summary>
    public long Total { get; }

    /// <summary>The first instant past the span.</summary>
    public long EndNs => StartNs + (1L << Depth);

    /// <summary>How many errors fall at instants before <paramref name="timeNs"/>.</summary>
    public long CountBefore(long timeNs) => CountBefore(timeNs, null);

    /// <summary>
    /// <see cref="CountBefore(long)"/> resuming from the path of the previous query in <paramref name="path"/>
    /// (which must have been filled by this timeline, or be reset): queries at nearby instants, as a closed-form
    /// run makes them poll round after poll round, share the top of the tree and cost only the levels below
    /// where they part. The same count as without the path.
    /// </summary>
    public long CountBefore(long timeNs, Path? path)
    {
        if (timeNs <= StartNs)
        {
            return 0;
        }

        long offset = timeNs - StartNs;
        if (offset >= 1L << Depth)
        {
            return Total;
        }

        // Resume at the deepest cached node that answers the offset.
        int level = path?.DeepestHoldingOffset(offset) ?? -1;
        var (node, low, length, n, before) = Start(path, ref level);
        // Bounded: each step halves the node, at most Depth + 1 steps.
        while (true)
        {
            path?.Record(level, node, low, length, n, before);
            if (n == 0)
            {
                return before;
            }

            if (n == 1)
            {
                return before + (low + Place(node, length) < offset ? 1 : 0);
            }

            if (length == 1)
            {
                return before + (low < offset ? n : 0);
            }

            long half = length >> 1;
            long left = Split(node, n);
            if (offset <= low + half)
            {
                node <<= 1;
                n = left;
            }
            else
            {
                before += left;
                node = (node << 1) | 1;
                low += half;
                n -= left;
            }

            length = half;
            level++;
        }
    }

    /// <summary><see cref="TimeOf(long)"/> resuming from the cached path (see <see cref="CountBefore(long, Path)"/>); the same instant.</summary>
    public long TimeOf(long k, Path? path)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(k, Total);
        // Resume at the deepest cached node that holds error k.
        int level = path?.DeepestHoldingIndex(k) ?? -1;
        var (node, low, length, n, before) = Start(path, ref level);
        // Bounded: each step halves the node, at most Depth + 1 steps.
        while (true)
        {
            path?.Record(level, node, low, length, n, before);
            if (n == 1)
            {
                return StartNs + low + Place(node, length);
            }

            if (length == 1)
            {
                return StartNs + low;
            }

            long half = length >> 1;
            long left = Split(node, n);
            if (k - before < left)
            {
                node <<= 1;
                n = left;
            }
            else
            {
                before += left;
                node = (node << 1) | 1;
                low += half;
                n -= left;
            }

            length = half;
            level++;
        }
    }

    /// <summary>Where a descent starts: the cached node at <paramref name="level"/>, or the root (level 0) when there is none.</summary>
    private (ulong Node, long Low, long Length, long Count, long Before) Start(Path? path, ref int level)
    {
        if (path is null || level < 0)
        {
            level = 0;
            return (1, 0, 1L << Depth, Total, 0);
        }

        return (path.Node[level], path.Low[level], path.Length[level], path.Count[level], path.Before[level]);
    }

    /// <summary>The instant of error <paramref name="k"/> (0-based, in time order; ties keep tree order).</summary>
    public long TimeOf(long k) => TimeOf(k, null);

    /// <summary>
    /// Where <paramref name="k"/> errors might first fall within <paramref name="windowNs"/> of each other in
    /// [<paramref name="fromNs"/>, <paramref name="untilNs"/>): the start of the first pair of adjacent aligned
    /// blocks (each the smallest power of two of at least <paramref name="windowNs"/>) holding k or more errors
    /// together, or <see cref="long.MaxValue"/>. Conservative: any window shorter than a block lies within such a
    /// pair, so a crossing is never missed; a pair named may hold no crossing. The work is the number of tree
    /// nodes holding at least k errors, not the number of errors.
    /// </summary>
    public long DenseAt(long fromNs, long untilNs, long windowNs, long k)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowNs);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        long from = Math.Max(fromNs, StartNs) - StartNs;
        long until = Math.Min(untilNs, EndNs) - StartNs;
        if (from >= until || Total < k)
        {
            return long.MaxValue;
        }

        int blockDepth = windowNs <= 1 ? 0 : 64 - BitOperations.LeadingZeroCount((ulong)(windowNs - 1));
        long block = blockDepth >= Depth ? 1L << Depth : 1L << blockDepth;
        long found = Dense(1, 0, 1L << Depth, Total, block, from, until, k);
        return found == long.MaxValue ? found : StartNs + found;
    }

    /// <summary>The first flagged block pair inside node <paramref name="node"/> (see <see cref="DenseAt"/>); offsets from <see cref="StartNs"/>.</summary>
    private long Dense(ulong node, long low, long length, long n, long block, long from, long until, long k)
    {
        // Bounded: each level halves the node; a node with fewer than k errors is not entered.
        if (n < k || low >= until || low + length <= from)
        {
            return long.MaxValue;
        }

        if (length <= block)
        {
            return low;
        }

        long half = length >> 1;
        long left = Split(node, n);
        long right = n - left;
        long first = Dense(node << 1, low, half, left, block, from, until, k);
        if (first != long.MaxValue)
        {
            return first;
        }

        // The pair straddling the middle: the left half's last block and the right half's first.
        long mid = low + half;
        if (mid - block < until && mid + block > from && EdgeBlocksReach(node, half, left, right, block, k))
        {
            return mid - block;
        }

        return Dense((node << 1) | 1, mid, half, right, block, from, until, k);
    }

    /// <summary>Whether the last block of node 2i and the first block of node 2i+1 hold <paramref name="k"/> errors together.</summary>
    private bool EdgeBlocksReach(ulong node, long half, long leftCount, long rightCount, long block, long k)
    {
        ulong a = node << 1;
        ulong b = (node << 1) | 1;
        long length = half;
        // Bounded: both edges descend one level per step, down to the block.
        while (leftCount + rightCount >= k)
        {
            if (length <= block)
            {
                return true;
            }

            // A node with one error places it (Place), it does not split: one left is kept as "maybe at the edge".
            if (leftCount > 1)
            {
                leftCount -= Split(a, leftCount);
            }

            if (rightCount > 1)
            {
                rightCount = Split(b, rightCount);
            }

            a = (a << 1) | 1;
            b <<= 1;
            length >>= 1;
        }

        return false;
    }

    /// <summary>The errors in time order from the first at or after <paramref name="fromNs"/>.</summary>
    public Cursor From(long fromNs) => new(this, CountBefore(fromNs));

    /// <summary>How many of a node's <paramref name="n"/> errors fall in its left half.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Split(ulong node, long n)
    {
        if (n <= BinomialExactMax)
        {
            long ones = 0;
            long bits = n;
            ulong word = 0;
            for (; bits >= 64; bits -= 64)
            {
                ones += BitOperations.PopCount(CounterRng.Hash(_key, node, word++));
            }

            if (bits > 0)
            {
                ones += BitOperations.PopCount(CounterRng.Hash(_key, node, word) & ((1UL << (int)bits) - 1));
            }

            return ones;
        }

        double value = Math.Round((0.5 * n) + (0.5 * Math.Sqrt(n) * StandardNormal(node)), MidpointRounding.ToEven);
        return value <= 0 ? 0 : value >= n ? n : (long)value;
    }

    /// <summary>
    /// A near-normal variate from node <paramref name="node"/>'s values: the Irwin-Hall sum of 12 uniforms minus 6
    /// (mean 0, variance 1, tails cut at 6), from three hashed words of four 16-bit fractions each. Deterministic
    /// without a logarithm; it only spreads a large split around n/2, where the binomial is itself near normal.
    /// </summary>
    private double StandardNormal(ulong node)
    {
        long sum = 0;
        for (ulong j = 0; j < 3; j++)
        {
            ulong w = CounterRng.Hash(_key, node, j);
            sum += (long)(w & 0xFFFF) + (long)((w >> 16) & 0xFFFF) + (long)((w >> 32) & 0xFFFF) + (long)(w >> 48);
        }

        // Each 16-bit fraction is (v + 0.5) / 65536, so the sum of 12 is (sum + 6) / 65536.
        return ((sum + 6) / 65536.0) - 6.0;
    }

    /// <summary>Where a node's only error falls in it (uniform over its <paramref name="length"/> ns).</summary>
    private long Place(ulong node, long length)
    {
        if (length == 1)
        {
            return 0;
        }

        // The node's value 0, as a split would use it (a single error never splits); multiply-high maps it
        // into [0, length) with a bias below length / 2^64.
        return (long)Math.BigMul(CounterRng.Hash(_key, node, 0), (ulong)length, out _);
    }

    /// <summary>The tree path of the last <see cref="CountBefore(long, Path)"/>: one per source, reset for another timeline.</summary>
    public sealed class Path
    {
        internal readonly ulong[] Node = new ulong[DepthMax + 1];
        internal readonly long[] Low = new long[DepthMax + 1];
        internal readonly long[] Length = new long[DepthMax + 1];
        internal readonly long[] Count = new long[DepthMax + 1];
        internal readonly long[] Before = new long[DepthMax + 1];

        /// <summary>The levels cached, from the root.</summary>
        internal int Levels { get; set; }

        /// <summary>Whose path it is (the caller's name for the timeline); set with <see cref="Reset"/>.</summary>
        public ulong Owner { get; private set; }

        /// <summary>The deepest cached level whose node answers <paramref name="offset"/> (offsets in (low, low + length]), or -1.</summary>
        internal int DeepestHoldingOffset(long offset)
        {
            int level = Levels - 1;
            while (level >= 0 && !(Low[level] < offset && offset <= Low[level] + Length[level]))
            {
                level--;
            }

            return level;
        }

        /// <summary>The deepest cached level whose node holds error <paramref name="k"/> (indices [before, before + count)), or -1.</summary>
        internal int DeepestHoldingIndex(long k)
        {
            int level = Levels - 1;
            while (level >= 0 && !(Before[level] <= k && k < Before[level] + Count[level]))
            {
                level--;
            }

            return level;
        }

        /// <summary>Caches the node a descent reached at <paramref name="level"/>; the levels below are stale.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal void Record(int level, ulong node, long low, long length, long count, long before)
        {
            Node[level] = node;
            Low[level] = low;
            Length[level] = length;
            Count[level] = count;
            Before[level] = before;
            Levels = level + 1;
        }

        /// <summary>Forgets the path; the next query starts at the root, for the timeline <paramref name="owner"/> names.</summary>
        public void Reset(ulong owner)
        {
            Levels = 0;
            Owner = owner;
        }
    }

    /// <summary>
    /// Walks the errors in time order, one <see cref="TimeOf(long)"/> per error (O(depth) each; the literal
    /// mode's oracle path, not the fast one).
    /// </summary>
    public struct Cursor
    {
        private readonly CeTimeline _timeline;

        internal Cursor(CeTimeline timeline, long next)
        {
            _timeline = timeline;
            Index = next;
        }

        /// <summary>The index of the next error.</summary>
        public long Index { get; private set; }

        /// <summary>The next error's instant, if there is one.</summary>
        public bool TryNext(out long timeNs)
        {
            if (Index >= _timeline.Total)
            {
                timeNs = long.MaxValue;
                return false;
            }

            timeNs = _timeline.TimeOf(Index);
            Index++;
            return true;
        }
    }
}
