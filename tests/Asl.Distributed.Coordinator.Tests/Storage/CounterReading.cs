namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>What a counter grain holds: its value, its ETag and whether a record exists.</summary>
[GenerateSerializer, Immutable, Alias("asl.tests.storage.counter-reading")]
public sealed record CounterReading([property: Id(0)] int Value, [property: Id(1)] string? ETag, [property: Id(2)] bool RecordExists);
