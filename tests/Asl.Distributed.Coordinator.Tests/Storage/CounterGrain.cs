using Asl.Distributed.Coordinator.Storage;

namespace Asl.Distributed.Coordinator.Tests.Storage;

/// <summary>Writes its state on every change, as the coordinator's grains do, and appends to the journal.</summary>
[GrainType("storage-test-counter")]
public sealed class CounterGrain(
    [PersistentState("counter")] IPersistentState<CounterState> counter,
    EventJournal journal) : Grain, ICounterGrain
{
    public async Task<int> Increment()
    {
        counter.State.Value++;
        await counter.WriteStateAsync();
        return counter.State.Value;
    }

    public Task<CounterReading> Get() => Task.FromResult(new CounterReading(counter.State.Value, counter.Etag, counter.RecordExists));

    public Task Clear() => counter.ClearStateAsync();

    public Task<long> Record(string eventType) =>
        journal.AppendAsync(this.GetPrimaryKeyString(), eventType, System.Text.Encoding.UTF8.GetBytes(eventType));
}
