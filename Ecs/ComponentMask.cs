using System.Diagnostics;
using System.Numerics;

namespace Mca.Ecs;

/// <summary>
/// A set of world component ids as a bitset: the key of an archetype. Only the first <see cref="WordCount"/>
/// words count, and the last counted word is never zero, so equal sets have equal word counts. A mask may be a
/// view over a longer scratch array (lookups without allocating); masks stored in archetypes own exact arrays.
/// </summary>
internal readonly struct ComponentMask : IEquatable<ComponentMask>
{
    private readonly ulong[]? _words;

    private ComponentMask(ulong[]? words, int wordCount)
    {
        _words = words;
        WordCount = wordCount;
        Debug.Assert(wordCount == 0 || words![wordCount - 1] != 0, "mask is not normalized");
    }

    /// <summary>The empty set.</summary>
    public static ComponentMask Empty => default;

    /// <summary>Words that hold at least one set bit at their top (normalized length).</summary>
    public int WordCount { get; }

    /// <summary>A normalized view over the first words of <paramref name="scratch"/>; no copy.</summary>
    public static ComponentMask View(ulong[] scratch)
    {
        int wordCount = scratch.Length;
        while (wordCount > 0 && scratch[wordCount - 1] == 0)
        {
            wordCount--;
        }

        return new ComponentMask(scratch, wordCount);
    }

    /// <summary>Whether the set holds <paramref name="componentId"/>.</summary>
    public bool Contains(int componentId)
    {
        Debug.Assert(componentId >= 0);
        int word = componentId >> 6;
        return word < WordCount && (_words![word] & (1UL << componentId)) != 0;
    }

    /// <summary>The number of ids in the set.</summary>
    public int PopCount()
    {
        int count = 0;
        for (int i = 0; i < WordCount; i++)
        {
            count += BitOperations.PopCount(_words![i]);
        }

        return count;
    }

    /// <summary>An owning copy with an exact-length array (for storing in an archetype or a dictionary).</summary>
    public ComponentMask Clone()
    {
        var words = new ulong[WordCount];
        CopyTo(words);
        return new ComponentMask(words, WordCount);
    }

    /// <summary>The ids in the set, ascending.</summary>
    public int[] ToSortedIds()
    {
        var ids = new int[PopCount()];
        int next = 0;
        for (int word = 0; word < WordCount; word++)
        {
            ulong bits = _words![word];
            while (bits != 0)
            {
                int bit = BitOperations.TrailingZeroCount(bits);
                ids[next++] = (word << 6) + bit;
                bits &= bits - 1;
            }
        }

        Debug.Assert(next == ids.Length);
        return ids;
    }

    public bool Equals(ComponentMask other)
    {
        if (WordCount != other.WordCount)
        {
            return false;
        }

        return WordCount == 0 || _words.AsSpan(0, WordCount).SequenceEqual(other._words.AsSpan(0, WordCount));
    }

    public override bool Equals(object? obj) => obj is ComponentMask other && Equals(other);

    /// <summary>FNV-1a over the counted words: deterministic (no per-process randomized hashing).</summary>
    public override int GetHashCode()
    {
        ulong hash = 14695981039346656037UL;
        for (int i = 0; i < WordCount; i++)
        {
            hash = (hash ^ _words![i]) * 1099511628211UL;
        }

        return (int)(hash ^ (hash >> 32));
    }

    private void CopyTo(ulong[] destination)
    {
        if (WordCount > 0)
        {
            Array.Copy(_words!, destination, WordCount);
        }
    }
}
