using System.Diagnostics;
using System.Text;

namespace Mca.Ecs;

/// <summary>
/// Which archetypes a query matches: those with every <c>WithAll</c> component, at least one
/// <c>WithAny</c> component (if any are listed) and no <c>WithNone</c> component. A fluent immutable value:
/// each <c>With*</c> returns a new description. It stores component <em>types</em> (process-wide type indices,
/// sorted and deduplicated); each world resolves them to its own ids when it builds the <see cref="Query"/>.
/// </summary>
/// <remarks>
/// Building a description allocates; build it once (e.g. in a <c>static readonly</c> field) and pass it to
/// <see cref="World.Query"/> or <c>World.ForEach</c> every step. Equal descriptions (same sets, in any order)
/// share one cached <see cref="Query"/> per world. <c>default</c> matches every archetype.
/// </remarks>
internal readonly struct QueryDescription : IEquatable<QueryDescription>
{
    private readonly int[]? _all;
    private readonly int[]? _any;
    private readonly int[]? _none;

    private QueryDescription(int[]? all, int[]? any, int[]? none)
    {
        _all = all;
        _any = any;
        _none = none;
    }

    /// <summary>Process-wide type indices required, ascending.</summary>
    internal ReadOnlySpan<int> AllTypeIndices => _all;

    /// <summary>Process-wide type indices of which one is required (if non-empty), ascending.</summary>
    internal ReadOnlySpan<int> AnyTypeIndices => _any;

    /// <summary>Process-wide type indices excluded, ascending.</summary>
    internal ReadOnlySpan<int> NoneTypeIndices => _none;

    public static bool operator ==(QueryDescription left, QueryDescription right) => left.Equals(right);

    public static bool operator !=(QueryDescription left, QueryDescription right) => !left.Equals(right);

    /// <summary>Also requires <typeparamref name="T1"/>.</summary>
    public QueryDescription WithAll<T1>()
        where T1 : unmanaged => new(Union(_all, [Index<T1>()]), _any, _none);

    /// <summary>Also requires the two types.</summary>
    public QueryDescription WithAll<T1, T2>()
        where T1 : unmanaged
        where T2 : unmanaged => new(Union(_all, [Index<T1>(), Index<T2>()]), _any, _none);

    /// <summary>Also requires the three types.</summary>
    public QueryDescription WithAll<T1, T2, T3>()
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged => new(Union(_all, [Index<T1>(), Index<T2>(), Index<T3>()]), _any, _none);

    /// <summary>Also requires the four types.</summary>
    public QueryDescription WithAll<T1, T2, T3, T4>()
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged => new(Union(_all, [Index<T1>(), Index<T2>(), Index<T3>(), Index<T4>()]), _any, _none);

    /// <summary>Adds <typeparamref name="T1"/> to the set of which at least one is required.</summary>
    public QueryDescription WithAny<T1>()
        where T1 : unmanaged => new(_all, Union(_any, [Index<T1>()]), _none);

    /// <summary>Adds the two types to the set of which at least one is required.</summary>
    public QueryDescription WithAny<T1, T2>()
        where T1 : unmanaged
        where T2 : unmanaged => new(_all, Union(_any, [Index<T1>(), Index<T2>()]), _none);

    /// <summary>Adds the three types to the set of which at least one is required.</summary>
    public QueryDescription WithAny<T1, T2, T3>()
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged => new(_all, Union(_any, [Index<T1>(), Index<T2>(), Index<T3>()]), _none);

    /// <summary>Adds the four types to the set of which at least one is required.</summary>
    public QueryDescription WithAny<T1, T2, T3, T4>()
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged => new(_all, Union(_any, [Index<T1>(), Index<T2>(), Index<T3>(), Index<T4>()]), _none);

    /// <summary>Also excludes <typeparamref name="T1"/>.</summary>
    public QueryDescription WithNone<T1>()
        where T1 : unmanaged => new(_all, _any, Union(_none, [Index<T1>()]));

    /// <summary>Also excludes the two types.</summary>
    public QueryDescription WithNone<T1, T2>()
        where T1 : unmanaged
        where T2 : unmanaged => new(_all, _any, Union(_none, [Index<T1>(), Index<T2>()]));

    /// <summary>Also excludes the three types.</summary>
    public QueryDescription WithNone<T1, T2, T3>()
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged => new(_all, _any, Union(_none, [Index<T1>(), Index<T2>(), Index<T3>()]));

    /// <summary>Also excludes the four types.</summary>
    public QueryDescription WithNone<T1, T2, T3, T4>()
        where T1 : unmanaged
        where T2 : unmanaged
        where T3 : unmanaged
        where T4 : unmanaged => new(_all, _any, Union(_none, [Index<T1>(), Index<T2>(), Index<T3>(), Index<T4>()]));

    public bool Equals(QueryDescription other) =>
        AllTypeIndices.SequenceEqual(other.AllTypeIndices)
        && AnyTypeIndices.SequenceEqual(other.AnyTypeIndices)
        && NoneTypeIndices.SequenceEqual(other.NoneTypeIndices);

    public override bool Equals(object? obj) => obj is QueryDescription other && Equals(other);

    /// <summary>FNV-1a over the three sets (deterministic, no randomized hashing).</summary>
    public override int GetHashCode()
    {
        uint hash = 2166136261;
        hash = Mix(hash, AllTypeIndices);
        hash = Mix(hash, AnyTypeIndices);
        hash = Mix(hash, NoneTypeIndices);
        return (int)hash;
    }

    /// <summary>For example <c>QueryDescription(All: Position, Velocity; None: Frozen)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("QueryDescription(");
        Append(text, "All", AllTypeIndices, first: true);
        Append(text, "Any", AnyTypeIndices, first: _all is null);
        Append(text, "None", NoneTypeIndices, first: _all is null && _any is null);
        return text.Append(')').ToString();
    }

    /// <summary>Whether a type index is in the WithAll set.</summary>
    internal bool RequiresTypeIndex(int typeIndex) => AllTypeIndices.BinarySearch(typeIndex) >= 0;

    private static int Index<T>()
        where T : unmanaged => ComponentTypeIndex<T>.Value;

    /// <summary>A new sorted, duplicate-free array: <paramref name="existing"/> plus <paramref name="added"/>.</summary>
    private static int[] Union(int[]? existing, ReadOnlySpan<int> added)
    {
        var result = new List<int>(existing ?? []);
        foreach (int typeIndex in added)
        {
            int at = result.BinarySearch(typeIndex);
            if (at < 0)
            {
                result.Insert(~at, typeIndex);
            }
        }

        Debug.Assert(result.Count > 0);
        return [.. result];
    }

    private static uint Mix(uint hash, ReadOnlySpan<int> typeIndices)
    {
        foreach (int typeIndex in typeIndices)
        {
            hash = (hash ^ (uint)typeIndex) * 16777619;
        }

        // A separator so that moving an index between sets changes the hash.
        return (hash ^ 0xFFu) * 16777619;
    }

    private static void Append(StringBuilder text, string label, ReadOnlySpan<int> typeIndices, bool first)
    {
        if (typeIndices.IsEmpty)
        {
            return;
        }

        text.Append(first ? string.Empty : "; ").Append(label).Append(": ");
        for (int i = 0; i < typeIndices.Length; i++)
        {
            text.Append(i == 0 ? string.Empty : ", ").Append(ComponentRegistry.Get(typeIndices[i]).Type.Name);
        }
    }
}
