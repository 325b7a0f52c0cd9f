using System.Diagnostics;

namespace Mca.Ecs;

/// <summary>
/// The process-wide table behind <see cref="ComponentTypeIndex{T}"/>: one <see cref="ComponentInfo"/> per
/// component type, indexed by the dense process-wide type index. Thread-safe: registration takes a lock and
/// publishes a fully filled array; lookups read the published array without locking.
/// </summary>
internal static class ComponentRegistry
{
    private static readonly Lock Gate = new();
    private static ComponentInfo[] _infos = new ComponentInfo[64];
    private static int _count;

    /// <summary>The number of component types registered in this process.</summary>
    public static int Count => Volatile.Read(ref _count);

    /// <summary>Called once per type by the static initializer of <see cref="ComponentTypeIndex{T}"/>.</summary>
    public static int Register<T>()
        where T : unmanaged
    {
        lock (Gate)
        {
            int typeIndex = _count;
            ComponentInfo[] infos = _infos;
            if (typeIndex == infos.Length)
            {
                var grown = new ComponentInfo[infos.Length * 2];
                Array.Copy(infos, grown, infos.Length);
                infos = grown;
            }

            infos[typeIndex] = new ComponentInfo<T>(typeIndex);
            Volatile.Write(ref _infos, infos);
            Volatile.Write(ref _count, typeIndex + 1);
            return typeIndex;
        }
    }

    /// <summary>The descriptor for a registered process-wide type index.</summary>
    public static ComponentInfo Get(int typeIndex)
    {
        ComponentInfo[] infos = Volatile.Read(ref _infos);
        Debug.Assert((uint)typeIndex < (uint)Count, "type index was never registered");
        ComponentInfo info = infos[typeIndex];
        Debug.Assert(info.TypeIndex == typeIndex);
        return info;
    }
}
