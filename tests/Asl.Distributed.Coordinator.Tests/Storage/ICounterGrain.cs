namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>A grain that keeps a counter in default grain storage and records events in the journal.</summary>
[Alias("asl.tests.storage.counter")]
public interface ICounterGrain : IGrainWithStringKey
{
    [Alias("increment")]
    Task<int> Increment();

    [Alias("get")]
    Task<CounterReading> Get();

    [Alias("clear")]
    Task Clear();

    [Alias("record")]
    Task<long> Record(string eventType);
}
