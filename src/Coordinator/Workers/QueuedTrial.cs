namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// A trial attempt waiting for a gang: the trial, its sweep, how many workers it needs, the attempt number and the
/// trial's index in its sweep (trials of a sweep are served in index order), and when the registry queued it.
/// </summary>
[GenerateSerializer, Alias("asl.QueuedTrial")]
public sealed record QueuedTrial(
    [property: Id(0)] string TrialId,
    [property: Id(1)] string SweepId,
    [property: Id(2)] int Workers,
    [property: Id(3)] int Attempt,
    [property: Id(4)] int Index,
    [property: Id(5)] DateTimeOffset Queued = default);
