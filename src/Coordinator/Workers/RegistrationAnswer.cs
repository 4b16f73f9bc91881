namespace Asl.Distributed.Coordinator.Workers;

/// <summary>The registry's answer to a registration: the heartbeat contract and the attempts the worker must stop.</summary>
[GenerateSerializer, Alias("asl.RegistrationAnswer")]
public sealed record RegistrationAnswer(
    [property: Id(0)] TimeSpan HeartbeatInterval,
    [property: Id(1)] TimeSpan HeartbeatTimeout,
    [property: Id(2)] IReadOnlyList<WorkerAllocation> Stop);
