namespace Asl.Distributed.Coordinator.Workers;

/// <summary>A registered worker as clients see it.</summary>
[GenerateSerializer, Alias("asl.WorkerView")]
public sealed record WorkerView(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Host,
    [property: Id(2)] IReadOnlyList<string> Devices,
    [property: Id(3)] string PeerEndpoint,
    [property: Id(4)] int Capacity,
    [property: Id(5)] IReadOnlyList<WorkerAllocation> Allocations,
    [property: Id(6)] DateTimeOffset Registered,
    [property: Id(7)] DateTimeOffset LastHeartbeat,
    [property: Id(8)] string Runtime = "");
