namespace Asl.Distributed.Coordinator.Workers;

/// <summary>A worker and how many more trials it can take now.</summary>
public sealed record WorkerSlots(string WorkerId, int Free);
