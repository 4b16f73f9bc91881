namespace Asl.Distributed.Coordinator.Sweeps;

/// <summary>The ids of every stored sweep, in the order they were submitted.</summary>
[GenerateSerializer, Alias("asl.SweepIndexState")]
public sealed class SweepIndexState
{
    [Id(0)] public List<string> SweepIds { get; set; } = [];
}
