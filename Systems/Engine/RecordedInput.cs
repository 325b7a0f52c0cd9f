namespace Mca.Systems.Engine;

/// <summary>An error as a replay records it: the fleet machine it arrived on and the whole injection.</summary>
public readonly record struct RecordedInput(int Machine, ErrorInjection Error);
