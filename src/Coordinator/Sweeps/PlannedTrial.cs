namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>A trial as the spec makes it: its swept settings, seed, whether it is a baseline, and its resolved config.</summary>
public sealed record PlannedTrial(IReadOnlyDictionary<string, string> Settings, long Seed, bool IsBaseline, string ConfigYaml);
