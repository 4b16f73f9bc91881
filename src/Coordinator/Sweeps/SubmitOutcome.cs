namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>What a submission did: started the sweep, or found the same spec stored and went on with it.</summary>
[GenerateSerializer, Alias("asl.SubmitOutcome")]
public sealed record SubmitOutcome([property: Id(0)] bool Resumed, [property: Id(1)] int TrialCount);
