namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>The counter grain's persistent state.</summary>
[GenerateSerializer, Alias("asl.tests.storage.counter-state")]
public sealed class CounterState
{
    [Id(0)]
    public int Value { get; set; }
}
