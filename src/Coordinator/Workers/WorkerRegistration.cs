namespace Asl.Distributed.Coordinator.Workers;

/// <summary>What a worker says about itself when it registers (validated by the API before it gets here).</summary>
[GenerateSerializer, Alias("asl.WorkerRegistration")]
public sealed record WorkerRegistration(
    [property: Id(0)] string WorkerId,
    [property: Id(1)] string Host,
    [property: Id(2)] IReadOnlyList<string> Devices,
    [property: Id(3)] string PeerEndpoint,
    [property: Id(4)] int Capacity,
    [property: Id(5)] IReadOnlyList<WorkerAllocation> Running,
    [property: Id(6)] string Runtime = "");
