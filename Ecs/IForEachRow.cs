namespace Mca.Ecs;

// See IForEach.cs: the same struct callbacks, for a sparse subset of a fixed-shape world's rows (World.ForEachRow),
// given the row so the callback can reach the rows that belong with it (a machine's CPUs and banks).

/// <summary>Per-row logic over one component, given the row's index in its column.</summary>
public interface IForEachRow<T1>
{
    void Update(int row, ref T1 c1);
}
