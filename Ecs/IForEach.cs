namespace Mca.Ecs;

// The arities of one callback shape live together (as Arch does); each is a struct callback passed by ref to
// World.ForEach and called through the generic constraint, so there is no boxing and no interface dispatch.

/// <summary>Per-entity logic over one component: implement on a struct and pass it to <c>World.ForEach</c>.</summary>
internal interface IForEach<T1>
{
    void Update(ref T1 c1);
}

/// <summary>Per-entity logic over two components.</summary>
internal interface IForEach<T1, T2>
{
    void Update(ref T1 c1, ref T2 c2);
}

/// <summary>Per-entity logic over three components.</summary>
internal interface IForEach<T1, T2, T3>
{
    void Update(ref T1 c1, ref T2 c2, ref T3 c3);
}

/// <summary>Per-entity logic over four components.</summary>
internal interface IForEach<T1, T2, T3, T4>
{
    void Update(ref T1 c1, ref T2 c2, ref T3 c3, ref T4 c4);
}
