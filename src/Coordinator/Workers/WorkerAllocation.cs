namespace Asl.Distributed.Coordinator.Workers;

/// <summary>One rank of one attempt of a trial, given to a worker.</summary>
[GenerateSerializer, Alias("asl.WorkerAllocation")]
public sealed record WorkerAllocation(
    [property: Id(0)] string TrialId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] int Rank);
