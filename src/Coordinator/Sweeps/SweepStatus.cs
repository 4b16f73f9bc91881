namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>Where a sweep is.</summary>
[GenerateSerializer, Alias("asl.SweepStatus")]
public enum SweepStatus
{
    Running,
    /// <summary>Every trial ended.</summary>
    Finished,
    /// <summary>Cancelled by a client: nothing of it runs or waits.</summary>
    Cancelled,
}
