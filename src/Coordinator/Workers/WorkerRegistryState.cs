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
    /// <summary>Waiting trials in the order they are served: by their sweep's arrival, then by index.</summary>
    [Id(1)] public List<QueuedTrial> Queue { get; set; } = [];
    /// <summary>Each sweep's place in line: the number of sweeps seen before its first trial arrived.</summary>
    [Id(2)] public Dictionary<string, long> SweepArrival { get; set; } = [];
}
