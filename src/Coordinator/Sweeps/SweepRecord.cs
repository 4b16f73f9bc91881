namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>What a sweep grain stores; written on every transition before it is acted on.</summary>
[GenerateSerializer, Alias("asl.SweepRecord")]
public sealed class SweepRecord
{
    /// <summary>The spec in canonical YAML; empty until submitted.</summary>
    [Id(0)] public string SpecYaml { get; set; } = "";
    [Id(1)] public SweepStatus Status { get; set; }
    [Id(2)] public DateTimeOffset Created { get; set; }
    [Id(3)] public DateTimeOffset? Ended { get; set; }
    [Id(4)] public int TrialCount { get; set; }
    /// <summary>Trials created so far, by index (trial i is created before trial i + 1).</summary>
    [Id(5)] public List<SweepTrialEntry> Trials { get; set; } = [];
    /// <summary>ASHA's results at each rung, in the order they were recorded.</summary>
    [Id(6)] public List<RungRecord> Rungs { get; set; } = [];
    [Id(7)] public long TotalEpochs { get; set; }
    /// <summary>The spec's metric mode (true: larger is better), kept so that readers need not parse the spec.</summary>
    [Id(8)] public bool Maximize { get; set; }
    /// <summary>The W3C trace context of the sweep's span (empty when no traces are exported).</summary>
    [Id(9)] public string TraceContext { get; set; } = "";
}
