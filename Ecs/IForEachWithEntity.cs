namespace Mca.Ecs;

// See IForEach.cs: the same callbacks, also given the entity (e.g. to record commands for it).

/// <summary>Per-entity logic over one component, given the entity.</summary>
internal interface IForEachWithEntity<T1>
{
    void Update(Entity entity, ref T1 c1);
}

/// <summary>Per-entity logic over two components, given the entity.</summary>
internal interface IForEachWithEntity<T1, T2>
{
    void Update(Entity entity, ref T1 c1, ref T2 c2);
}

/// <summary>Per-entity logic over three components, given the entity.</summary>
internal interface IForEachWithEntity<T1, T2, T3>
{
    void Update(Entity entity, ref T1 c1, ref T2 c2, ref T3 c3);
}

/// <summary>Per-entity logic over four components, given the entity.</summary>
internal interface IForEachWithEntity<T1, T2, T3, T4>
{
    void Update(Entity entity, ref T1 c1, ref T2 c2, ref T3 c3, ref T4 c4);
}
