namespace Asl.Distributed.Coordinator.Workers;

/// <summary>A registered worker as the registry stores it.</summary>
[GenerateSerializer, Alias("asl.WorkerRecord")]
public sealed class WorkerRecord
{
    [Id(0)] public string WorkerId { get; set; } = "";
    [Id(1)] public string Host { get; set; } = "";
    [Id(2)] public List<string> Devices { get; set; } = [];
    [Id(3)] public string PeerEndpoint { get; set; } = "";
    [Id(4)] public int Capacity { get; set; } = 1;
    [Id(5)] public DateTimeOffset Registered { get; set; }
    /// <summary>The attempts it was given and has not ended.</summary>
    [Id(6)] public List<WorkerAllocation> Allocations { get; set; } = [];
    /// <summary>Its agent is stopping: it gets no new attempts until it registers again.</summary>
    [Id(7)] public bool Draining { get; set; }
    /// <summary>The versions it trains with (TorchSharp, libtorch, CUDA), as it registered them; empty from older agents.</summary>
    [Id(8)] public string Runtime { get; set; } = "";
}
