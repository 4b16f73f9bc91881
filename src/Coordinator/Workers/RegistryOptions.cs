namespace Asl.Distributed.Coordinator.Workers;

/// <summary>The heartbeat contract the registry gives workers (validated where the coordinator's config is read).</summary>
public sealed class RegistryOptions
{
    /// <summary>How often a worker heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A worker silent for longer is dropped and its trials re-queued.</summary>
    public TimeSpan HeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
