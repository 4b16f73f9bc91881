namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>A grain state for the storage tests, versioned the way the coordinator's states are.</summary>
[GenerateSerializer, Alias("asl.tests.storage.sample-state")]
public sealed record SampleState
{
    [Id(0)]
    public string Name { get; init; } = "";

    [Id(1)]
    public int Count { get; init; }

    [Id(2)]
    public List<double> Metrics { get; init; } = [];

    public bool Equals(SampleState? other) =>
        other is not null && Name == other.Name && Count == other.Count && Metrics.SequenceEqual(other.Metrics);

    public override int GetHashCode() => HashCode.Combine(Name, Count, Metrics.Count);
}
