namespace Asl.Distributed.Coordinator.Trials;

/// <summary>A trial's move to a new status, as its sweep hears of it.</summary>
[GenerateSerializer, Alias("asl.TrialChange")]
public sealed record TrialChange(
    [property: Id(0)] string TrialId,
    [property: Id(1)] int Index,
    [property: Id(2)] TrialStatus Status,
    [property: Id(3)] int Attempt,
    [property: Id(4)] string Reason);
