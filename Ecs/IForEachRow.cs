namespace Mca.Ecs;

// A struct callback passed by ref to World.ForEachRow and called through the generic constraint, so there is no
// boxing and no interface dispatch per row; it is given the row so it can reach the rows that belong with it (a
// machine's CPUs and banks).

/// <summary>Per-row logic over one component, given the row's index in its column.</summary>
public interface IForEachRow<T1>
{
    void Update(int row, ref T1 c1);
}
