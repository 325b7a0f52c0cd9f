using System.Reflection;
using System.Runtime.CompilerServices;

namespace Mca.Systems.Engine;

/// <summary>
/// Compiles named methods ahead of their first call (<see cref="RuntimeHelpers.PrepareMethod(RuntimeMethodHandle)"/>),
/// for a recorder to compile its hot path on a spare thread while the campaign starts: otherwise the first workers to
/// reach a method wait for one of them to compile it. Meant for methods compiled optimized at once
/// (<see cref="MethodImplOptions.AggressiveOptimization"/>, or with loops), whose code is the same either way.
/// </summary>
public static class Precompiler
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>
    /// Compiles every overload of each of <paramref name="names"/> declared by <paramref name="type"/> (a closed generic
    /// type compiles that instantiation); returns how many. Throws if a name matches no method, so a renamed method is caught.
    /// </summary>
    public static int Prepare(Type type, params ReadOnlySpan<string> names)
    {
        ArgumentNullException.ThrowIfNull(type);
        RuntimeTypeHandle[]? instantiation = type.IsGenericType ? [.. type.GetGenericArguments().Select(a => a.TypeHandle)] : null;
        var methods = type.GetMethods(Declared);
        int prepared = 0;
        foreach (string name in names)
        {
            int found = 0;
            foreach (var m in methods)
            {
                if (m.Name == name && !m.IsAbstract && !m.IsGenericMethodDefinition)
                {
                    RuntimeHelpers.PrepareMethod(m.MethodHandle, instantiation);
                    found++;
                }
            }

            if (found == 0)
            {
                throw new InvalidOperationException($"{type.Name} declares no method {name} to compile");
            }

            prepared += found;
        }

        return prepared;
    }
}
