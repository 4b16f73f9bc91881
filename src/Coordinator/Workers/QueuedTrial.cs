namespace Asl.Distributed.Coordinator.Workers;

/// <summary>A trial attempt waiting for a gang: the trial, its sweep, how many workers it needs and the attempt number.</summary>
[GenerateSerializer, Alias("asl.QueuedTrial")]
public sealed record QueuedTrial(
    [property: Id(0)] string TrialId,
    [property: Id(1)] string SweepId,
    [property: Id(2)] int Workers,
    [property: Id(3)] int Attempt);
