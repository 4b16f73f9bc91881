namespace Asl.Distributed.Coordinator.Trials;

/// <summary>The answer to an epoch report: go on or stop at this epoch's end, why, and the sweep metric's value.</summary>
[GenerateSerializer, Alias("asl.EpochDecision")]
public sealed record EpochDecision(
    [property: Id(0)] bool Proceed,
    [property: Id(1)] string Reason,
    [property: Id(2)] double Metric);
