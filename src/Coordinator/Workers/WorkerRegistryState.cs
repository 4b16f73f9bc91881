namespace Asl.Distributed.Coordinator.Workers;

/// <summary>
/// What the worker registry persists: the workers and their allocations, and the queue of trials waiting for a
/// gang. Heartbeat times are not stored (a write per heartbeat would not scale); after a restart every known
/// worker gets a fresh deadline of one heartbeat timeout, so a worker that died meanwhile is still dropped.
/// </summary>
[GenerateSerializer, Alias("asl.WorkerRegistryState")]
public sealed class WorkerRegistryState
{
    [Id(0)] public Dictionary<string, WorkerRecord> Workers { get; set; } = [];
    [Id(1)] public List<QueuedTrial> Queue { get; set; } = [];
}
