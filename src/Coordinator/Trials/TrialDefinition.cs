namespace Asl.Distributed.Coordinator.Trials;

/// <summary>
/// Everything a trial needs to run, fixed when its sweep plans it: the resolved training config (canonical YAML,
/// output folder included), the swept settings and seed it came from, and the sweep's limits.
/// </summary>
[GenerateSerializer, Alias("asl.TrialDefinition")]
public sealed record TrialDefinition(
    [property: Id(0)] string SweepId,
    [property: Id(1)] int Index,
    [property: Id(2)] string ConfigYaml,
    [property: Id(3)] IReadOnlyDictionary<string, string> Settings,
    [property: Id(4)] long Seed,
    [property: Id(5)] bool IsBaseline,
    [property: Id(6)] int Workers,
    [property: Id(7)] int MaxFailures,
    [property: Id(8)] string OutputDir,
    [property: Id(9)] string SweepTraceContext = "");
