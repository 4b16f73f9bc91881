namespace Asl.Distributed.Coordinator.Workers;

/// <summary>The workers a trial got, by rank.</summary>
public sealed record GangAllocation(string TrialId, IReadOnlyList<string> WorkerIds);
