using Mca.Systems.Engine;

namespace Mca.Systems.Tests.Engine;

/// <summary>Precompiler compiles every overload of the named methods of a type, and fails on a name it cannot find.</summary>
public class PrecompilerTests
{
    [Fact]
    public void Prepare_CountsEveryOverload_OfAnyVisibility()
    {
        Assert.Equal(1, Precompiler.Prepare(typeof(Sample), "Private"));
        Assert.Equal(2, Precompiler.Prepare(typeof(Sample), nameof(Sample.Twice)));
        Assert.Equal(3, Precompiler.Prepare(typeof(Sample), "Private", nameof(Sample.Twice)));
    }

    [Fact]
    public void Prepare_ClosedGenericType_CompilesThatInstantiation()
    {
        Assert.Equal(1, Precompiler.Prepare(typeof(Box<long>), nameof(Box<long>.Sum)));
        Assert.Equal(1, Precompiler.Prepare(typeof(Box<Guid>), nameof(Box<Guid>.Sum)));
    }

    [Fact]
    public void Prepare_UnknownName_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Precompiler.Prepare(typeof(Sample), "Missing"));
        Assert.Contains("Sample declares no method Missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void StateHash_PreparesItsOverloadsAndBothRowKinds()
    {
        // StateHash(int) and StateHash(int, bool), then Update and HashMachine of bank and CPU rows.
        Assert.Equal(6, MachineBatch.PrepareStateHash());
    }

    private static class Sample
    {
        public static int Twice(int x) => Private(x) * 2;

        public static long Twice(long x) => x * 2;

        private static int Private(int x) => x + 1;
    }

    private sealed class Box<T>
        where T : unmanaged
    {
        public static int Sum(T[] items)
        {
            int n = 0;
            foreach (var unused in items)
            {
                n++;
            }

            return n;
        }
    }
}
