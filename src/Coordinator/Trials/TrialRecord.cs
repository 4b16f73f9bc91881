namespace Asl.Distributed.Coordinator.Trials;

/// <summary>What a trial grain stores; written on every transition before it is acted on.</summary>
[GenerateSerializer, Alias("asl.TrialRecord")]
public sealed class TrialRecord
{
    /// <summary>Null until the sweep created the trial.</summary>
    [Id(0)] public TrialDefinition? Definition { get; set; }
    [Id(1)] public TrialStatus Status { get; set; }
    [Id(2)] public List<EpochRecord> Epochs { get; set; } = [];
    /// <summary>The last checkpoint written and its epoch (empty and 0 before the first).</summary>
    [Id(3)] public string Checkpoint { get; set; } = "";
    [Id(4)] public int CheckpointEpoch { get; set; }
    [Id(5)] public List<AttemptRecord> Attempts { get; set; } = [];
    [Id(6)] public int Failures { get; set; }
    [Id(7)] public string EndReason { get; set; } = "";
    /// <summary>The W3C trace context of the trial's span (empty when no traces are exported).</summary>
    [Id(8)] public string TraceContext { get; set; } = "";
}
